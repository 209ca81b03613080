package org.migdal.dm.batch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An HTCondor job id, {@code ClusterId.ProcId} (e.g. {@code 4711.3}); ProcId is -1 only for a factory's cluster events. */
public record JobId(long cluster, int proc) implements Comparable<JobId> {
    private static final Pattern TEXT = Pattern.compile("(\\d+)\\.(-?\\d+)");

    public JobId {
        if (cluster < 0 || proc < -1) {
            throw new IllegalArgumentException("not an HTCondor job id: " + cluster + "." + proc);
        }
    }

    /** Parses {@code C.P}, e.g. {@code 4711.3}. */
    public static JobId parse(String text) {
        Matcher m = text == null ? null : TEXT.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not an HTCondor job id (ClusterId.ProcId): '" + text + "'");
        }
        try {
            return new JobId(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an HTCondor job id (number too large): '" + text + "'", e);
        }
    }

    @Override
    public int compareTo(JobId o) {
        int c = Long.compare(cluster, o.cluster);
        return c != 0 ? c : Integer.compare(proc, o.proc);
    }

    @Override
    public String toString() {
        return cluster + "." + proc;
    }
}
