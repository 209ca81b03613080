package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.migdal.dm.notify.NotifyStateContract;

import java.time.Clock;
import java.time.Duration;

/** {@link NotifyStateContract} on PostgreSQL (scripts/pg-throwaway); here for {@link PgTestDatabase}. */
class PostgresNotifyStateTest extends NotifyStateContract {
    private static PgTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = PgTestDatabase.createIfConfigured("notify");
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
    protected JdbcCatalog openCatalog(Clock clock) {
        return JdbcCatalog.open(db.url(), db.user(), db.password(),
                new ClaimPolicy("notify", Duration.ofMinutes(10), 3, Duration.ofSeconds(30)), clock, 2);
    }
}
