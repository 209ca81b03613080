package org.migdal.dm.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The jobs one {@code condor_submit -terse} queued: its stdout is one line {@code "%d.%d - %d.%d"} (first and last
 * job) per cluster (reference §2). migdal-dm submits exactly one cluster per cycle.
 */
public record ClusterRange(long cluster, int firstProc, int lastProc) {
    private static final Pattern LINE = Pattern.compile("^(\\d+)\\.(\\d+) - (\\d+)\\.(\\d+)$");

    public ClusterRange {
        if (cluster < 0 || firstProc < 0 || lastProc < firstProc) {
            throw new IllegalArgumentException("not a job range: " + cluster + "." + firstProc + " - " + cluster + "." + lastProc);
        }
    }

    /**
     * Parses the stdout of {@code condor_submit -terse}.
     *
     * @throws IllegalArgumentException unless it is exactly one range line of one cluster (blank lines aside)
     */
    public static ClusterRange parse(String stdout) {
        List<String> lines = stdout == null ? List.of() : stdout.lines().filter(l -> !l.isBlank()).toList();
        if (lines.size() != 1) {
            throw new IllegalArgumentException("condor_submit -terse printed " + lines.size()
                    + " non-blank lines where one 'C.P - C.P' line (one cluster) was expected: '" + CondorJson.excerpt(String.valueOf(stdout)) + "'");
        }
        Matcher m = LINE.matcher(lines.get(0).strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("condor_submit -terse printed '" + lines.get(0) + "', not 'C.P - C.P'");
        }
        try {
            long cluster = Long.parseLong(m.group(1));
            if (cluster != Long.parseLong(m.group(3))) {
                throw new IllegalArgumentException("condor_submit -terse range spans two clusters: '" + lines.get(0) + "'");
            }
            return new ClusterRange(cluster, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(4)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("condor_submit -terse printed numbers out of range: '" + lines.get(0) + "'", e);
        }
    }

    /** How many jobs were queued. */
    public int count() {
        return lastProc - firstProc + 1;
    }

    /** Every job id of the range, in ProcId order. */
    public List<JobId> jobs() {
        List<JobId> ids = new ArrayList<>(count());
        for (int p = firstProc; p <= lastProc; p++) {
            ids.add(new JobId(cluster, p));
        }
        return List.copyOf(ids);
    }

    @Override
    public String toString() {
        return cluster + "." + firstProc + " - " + cluster + "." + lastProc;
    }
}
