package org.migdal.dm.fts;

import java.util.Set;

/** Job and file states of FTS3 and which of them are final (reference §3.1, §10). */
public final class FtsStates {
    public static final Set<String> JOB_TERMINAL = Set.of("FINISHED", "FAILED", "FINISHEDDIRTY", "CANCELED");
    public static final Set<String> FILE_TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED");
    /** Copied to the tape endpoint, waiting for the tape system to confirm it (archive monitoring). */
    public static final String ARCHIVING = "ARCHIVING";
    public static final String FINISHED = "FINISHED";
    public static final String FAILED = "FAILED";
    public static final String CANCELED = "CANCELED";
    public static final String NOT_USED = "NOT_USED";

    private FtsStates() {
    }

    public static boolean isJobTerminal(String jobState) {
        return jobState != null && JOB_TERMINAL.contains(jobState);
    }

    public static boolean isFileTerminal(String fileState) {
        return fileState != null && FILE_TERMINAL.contains(fileState);
    }

    /** A file state is final when terminal, or {@code NOT_USED} once its job is terminal. */
    public static boolean isFileFinal(String fileState, String jobState) {
        return isFileTerminal(fileState) || (NOT_USED.equals(fileState) && isJobTerminal(jobState));
    }
}
