package org.migdal.dm.catalog;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RunsContract} on PostgreSQL (scripts/pg-throwaway); and a page can be answered from the indexes of migration V13. */
class PostgresRunsTest extends RunsContract {
    @RegisterExtension
    static final PgCatalogs pg = new PgCatalogs("runs");

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return pg.open(policy, clock);
    }

    private static String plan(JdbcCatalog c, String sql) {
        return c.inTransaction(conn -> {
            StringBuilder sb = new StringBuilder();
            try (Statement s = conn.createStatement()) {
                s.execute("SET LOCAL enable_seqscan = off"); // a table this small would be read whole
            }
            try (PreparedStatement ps = conn.prepareStatement("EXPLAIN " + sql)) {
                int n = ps.getParameterMetaData().getParameterCount();
                for (int i = 1; i <= n; i++) {
                    if (sql.endsWith("LIMIT ?") && i == n) {
                        ps.setInt(i, 10);
                    } else {
                        ps.setString(i, "MIG_x");
                    }
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sb.append(rs.getString(1)).append('\n');
                    }
                }
            }
            return sb.toString();
        }, "explaining");
    }

    @Test
    void aPageCanBeAnsweredFromTheRunIndexes() {
        JdbcCatalog c = handle("planner");
        c.register(List.of(file("MIG_x", "a.dat", 1), file("MIG_y", "b.dat", 2)));
        assertThat(plan(c, Runs.nextRunSql(JdbcCatalog.Dialect.POSTGRESQL, false))).contains("using files_run_state");
        assertThat(plan(c, Runs.nextRunSql(JdbcCatalog.Dialect.POSTGRESQL, true))).contains("using files_run_not_on_tape");
        assertThat(plan(c, Runs.SUMMARY)).contains("using files_run_state");
        assertThat(plan(c, Runs.missingSql(JdbcCatalog.Dialect.POSTGRESQL))).contains("using files_run_not_on_tape")
                .doesNotContain("Sort"); // the index gives the LFN byte order
    }
}
