package org.migdal.dm.catalog;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The newest runs with their files and bytes per state, for the dashboard's overview (the full per-run view is
 * {@code /runs}). Found newest first by index probes: the newest file before a bound names a run, the run index gives its
 * first id, which is the next bound; so a million rows are never read, only the runs shown.
 */
public final class RecentRuns {
    /** One run: its files and bytes per disk and state. */
    public record Run(String run, List<StateCount> counts) {
        public long files() {
            return counts.stream().mapToLong(StateCount::files).sum();
        }

        public long bytes() {
            return counts.stream().mapToLong(StateCount::bytes).sum();
        }

        public long files(FileState state) {
            return counts.stream().filter(c -> c.state() == state).mapToLong(StateCount::files).sum();
        }
    }

    private final JdbcCatalog catalog;

    public RecentRuns(JdbcCatalog catalog) {
        this.catalog = catalog;
    }

    /** Up to {@code n} runs, the one with the newest file first. */
    public List<Run> newest(int n) {
        Set<String> runs = new LinkedHashSet<>();
        long bound = Long.MAX_VALUE;
        for (int probes = 0; runs.size() < n && probes < 4 * n; probes++) {
            long before = bound;
            List<String> run = catalog.query("SELECT run FROM files WHERE id < ? ORDER BY id DESC LIMIT 1", ps -> ps.setLong(1, before),
                    rs -> rs.getString(1));
            if (run.isEmpty()) {
                break;
            }
            runs.add(run.get(0));
            bound = catalog.query("SELECT MIN(id) FROM files WHERE run = ?", ps -> ps.setString(1, run.get(0)), rs -> rs.getLong(1)).get(0);
        }
        List<Run> out = new ArrayList<>();
        for (String run : runs) {
            out.add(new Run(run, catalog.query("SELECT disk, state, COUNT(*), COALESCE(SUM(size), 0) FROM files WHERE run = ?"
                    + " GROUP BY disk, state ORDER BY disk, state", ps -> ps.setString(1, run),
                    rs -> new StateCount(rs.getString(1), FileState.valueOf(rs.getString(2)), rs.getLong(3), rs.getLong(4)))));
        }
        return out;
    }
}
