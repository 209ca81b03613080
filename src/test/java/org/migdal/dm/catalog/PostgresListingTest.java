package org.migdal.dm.catalog;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link ListingContract} on PostgreSQL (scripts/pg-throwaway); and the status counts can be an index-only scan. */
class PostgresListingTest extends ListingContract {
    @RegisterExtension
    static final PgCatalogs pg = new PgCatalogs("listing");

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return pg.open(policy, clock);
    }

    @Override
    protected String plainCountsSql() {
        return "SET LOCAL enable_indexscan = off; SET LOCAL enable_indexonlyscan = off; SET LOCAL enable_bitmapscan = off;"
                + " SELECT disk, state, COUNT(*), SUM(size) FROM files GROUP BY disk, state";
    }

    @Test
    void anLfnSubstringIsLookedUpInThePgTrgmIndex() {
        JdbcCatalog c = handle("trigram-plan");
        c.register(oddFiles(50, ""));
        FileQuery q = FileQuery.plain(new FileFilter(null, null, null, "der_sco", 0, 10), JdbcCatalog.COLUMNS, 0);
        String plan = c.inTransaction(conn -> {
            StringBuilder sb = new StringBuilder();
            try (Statement s = conn.createStatement()) {
                s.execute("SET LOCAL enable_seqscan = off"); // a table this small would be read whole
                s.execute("SET LOCAL enable_indexscan = off"); // nor through the primary key, in id order
            }
            try (java.sql.PreparedStatement ps = conn.prepareStatement("EXPLAIN " + q.sql())) {
                q.bind(ps);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sb.append(rs.getString(1)).append('\n');
                    }
                }
            }
            return sb.toString();
        }, "explain");
        assertThat(plan).contains("files_lfn_trigram");
    }

    @Test
    void theStatusCountsCanBeAnIndexOnlyScan() {
        JdbcCatalog c = handle("planner");
        c.register(oddFiles(50, ""));
        String plan = c.inTransaction(conn -> {
            StringBuilder sb = new StringBuilder();
            try (Statement s = conn.createStatement()) {
                s.execute("SET LOCAL enable_seqscan = off"); // a table this small would be read whole
                try (ResultSet rs = s.executeQuery("EXPLAIN " + JdbcCatalog.COUNTS)) {
                    while (rs.next()) {
                        sb.append(rs.getString(1)).append('\n');
                    }
                }
            }
            return sb.toString();
        }, "explaining");
        assertThat(plan).contains("Index Only Scan using files_disk_state_size");
    }
}
