package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RunsContract} on SQLite; and the queries of a page are answered by the indexes of migration V13. */
class SqliteRunsTest extends RunsContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null, policy, clock, 2);
    }

    private static List<String> plan(JdbcCatalog c, String sql) {
        return c.inTransaction(conn -> {
            List<String> steps = new ArrayList<>();
            try (PreparedStatement s = conn.prepareStatement("EXPLAIN QUERY PLAN " + sql)) {
                for (int i = 1; i <= s.getParameterMetaData().getParameterCount(); i++) {
                    s.setString(i, "MIG_x");
                }
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        steps.add(rs.getString("detail"));
                    }
                }
            }
            return steps;
        }, "explaining");
    }

    @Test
    void aPageIsAnsweredFromTheRunIndexes() {
        JdbcCatalog c = handle("planner");
        c.register(List.of(file("MIG_x", "a.dat", 1)));
        assertThat(plan(c, Runs.nextRunSql(JdbcCatalog.Dialect.SQLITE, false)))
                .containsExactly("SEARCH files USING COVERING INDEX files_run_state (run>?)");
        assertThat(plan(c, Runs.nextRunSql(JdbcCatalog.Dialect.SQLITE, true)))
                .containsExactly("SEARCH files USING INDEX files_run_not_on_tape (run>?)");
        assertThat(plan(c, Runs.SUMMARY))
                .containsExactly("SEARCH files USING COVERING INDEX files_run_state (run=?)");
        assertThat(plan(c, Runs.missingSql(JdbcCatalog.Dialect.SQLITE)))
                .containsExactly("SEARCH files USING INDEX files_run_not_on_tape (run=?)");
    }
}
