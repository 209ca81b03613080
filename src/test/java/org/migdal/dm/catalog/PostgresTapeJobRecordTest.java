package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/** {@link TapeJobRecordContract} on a real PostgreSQL (scripts/pg-throwaway); a fresh schema per test. */
class PostgresTapeJobRecordTest extends TapeJobRecordContract {
    private static PgTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = PgTestDatabase.createIfConfigured("tapejob");
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
    protected JdbcCatalog open(ClaimPolicy policy, MutableClock clock) {
        return JdbcCatalog.open(db.url(), db.user(), db.password(), policy, clock, 4);
    }
}
