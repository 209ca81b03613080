package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deletes rely on commits: a DAQ file is deleted right after its confirmed copy is committed, a raw storage copy after
 * ON_TAPE is. So every SQLite connection of the catalog commits with {@code synchronous=FULL} (2): in WAL mode, NORMAL (1)
 * may roll back the last commits after a power loss, leaving a deleted DAQ file whose copy the catalog no longer knows.
 */
class SqliteDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void everyConnectionCommitsDurably() {
        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null,
                new ClaimPolicy("t:1:0", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 4)) {
            for (int i = 0; i < 4; i++) { // the pool's connections, each asked in turn
                int level = catalog.inTransaction(c -> {
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
                        rs.next();
                        return rs.getInt(1);
                    }
                }, "reading the synchronous level");
                assertThat(level).as("PRAGMA synchronous (2 = FULL)").isEqualTo(2);
            }
            int wal = catalog.reading(c -> {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                    rs.next();
                    return rs.getString(1).equals("wal") ? 1 : 0;
                }
            }, "reading the journal mode");
            assertThat(wal).as("journal_mode is wal").isEqualTo(1);
        }
    }
}
