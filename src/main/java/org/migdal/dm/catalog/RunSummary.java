package org.migdal.dm.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One run's completeness: its files and bytes, how many files are in each state, and whether every file's tape copy is
 * confirmed ({@link FileState#isTapeCopyConfirmed()}). A FORGOTTEN file is given up, never complete: a run holding one is
 * not complete, and {@code givenUp} says how many of its missing files will never come.
 *
 * @param run             the run folder, e.g. {@code MIG_Fe55_data_220803T145447}
 * @param files           files registered for the run
 * @param bytes           their raw size
 * @param states          files per state, in the order of {@link FileState} (states without files left out)
 * @param onTape          files whose tape copy is confirmed
 * @param notOnTape       the others ({@code files - onTape}), the given-up ones included
 * @param givenUp         FORGOTTEN files among {@code notOnTape}
 * @param complete        every file's tape copy is confirmed
 * @param allOnTapeSince  when complete: the latest tape confirmation of the run's files (null otherwise, or when the
 *                        catalog recorded no time, as for imported files)
 * @param missing         when not complete: the first files not on tape in LFN order, as many as asked for
 */
public record RunSummary(String run, long files, long bytes, Map<FileState, Long> states, long onTape, long notOnTape,
                         long givenUp, boolean complete, Instant allOnTapeSince, List<NotOnTape> missing) {

    /** A file of the run whose tape copy is not confirmed: where it is, and what went wrong last. */
    public record NotOnTape(long id, String lfn, FileState state, String lastError) {
    }

    /** "3 COMPRESSED, 1 QUARANTINED, 1 FORGOTTEN (given up)": the files not on tape per state. */
    public String notOnTapeStates() {
        return states.entrySet().stream().filter(e -> !e.getKey().isTapeCopyConfirmed())
                .map(e -> e.getValue() + " " + e.getKey() + (e.getKey().isGivenUp() ? " (given up)" : ""))
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
