package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import java.time.Clock;

/** {@link CountersContract} on PostgreSQL (scripts/pg-throwaway). */
class PostgresCountersTest extends CountersContract {
    private static PgTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = PgTestDatabase.createIfConfigured("counters");
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    @BeforeEach
    void freshSchema() {
        if (db == null) {
            PgTestDatabase.missing();
        }
        db.resetSchema();
    }

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return JdbcCatalog.open(db.url(), db.user(), db.password(), policy, clock, 2);
    }
}
