package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ListingContract} on SQLite; and the status counts read only the covering index. */
class SqliteListingTest extends ListingContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null, policy, clock, 2);
    }

    @Override
    protected String plainCountsSql() {
        return "SELECT disk, state, COUNT(*), SUM(size) FROM files NOT INDEXED GROUP BY disk, state";
    }

    @Test
    void theStatusCountsAreAnsweredFromACoveringIndex() {
        JdbcCatalog c = handle("planner");
        c.register(oddFiles(50, ""));
        List<String> plan = c.inTransaction(conn -> {
            List<String> steps = new ArrayList<>();
            try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + JdbcCatalog.COUNTS)) {
                while (rs.next()) {
                    steps.add(rs.getString("detail"));
                }
            }
            return steps;
        }, "explaining");
        assertThat(plan).containsExactly("SCAN files USING COVERING INDEX files_disk_state_size");
    }
}
