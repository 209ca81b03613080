package org.migdal.dm.catalog;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link TapeJobRecordContract} on the embedded default (SQLite). */
class SqliteTapeJobRecordTest extends TapeJobRecordContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcCatalog open(ClaimPolicy policy, MutableClock clock) {
        return JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null, policy, clock, 4);
    }

    @Test
    void ftsJobsInFlightBeforeTheUpgradeCountAsRecordedAndConfirmed() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("catalog.db");
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration/sqlite").target("2").load().migrate();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("INSERT INTO files (lfn, disk, local_path, run, size, mtime, state, tape_transfer_id, tape_submitted_at,"
                    + " registered_at, updated_at) VALUES ('/a', 'data1', 'a', 'r', 1, 0, 'TAPE_SUBMITTED',"
                    + " '33dbf5cf-1d96-50b3-a6d7-01eca108c7da', 1000, 0, 2000)");
            s.execute("INSERT INTO files (lfn, disk, local_path, run, size, mtime, state, tape_transfer_id, tape_submitted_at,"
                    + " registered_at, updated_at) VALUES ('/b', 'data1', 'b', 'r', 1, 0, 'TAPE_SUBMITTED', 'builtin:host:1:0',"
                    + " 1000, 0, 2000)");
        }
        JdbcCatalog c = open(new ClaimPolicy("host:1:0", LEASE, 3, java.time.Duration.ofSeconds(30)), clock);
        try {
            var jobs = c.tapeJobs(List.of(c.find("/a").orElseThrow().id(), c.find("/b").orElseThrow().id()));
            TapeJob fts = jobs.get(c.find("/a").orElseThrow().id());
            assertThat(fts.isLive()).isTrue();
            assertThat(fts.isConfirmed()).as("FTS accepted it before it was recorded").isTrue();
            assertThat(jobs.get(c.find("/b").orElseThrow().id()).isLive()).as("the built-in mover has no FTS job").isFalse();
        } finally {
            c.close();
        }
    }
}
