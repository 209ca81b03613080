package org.migdal.dm.catalog;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Clock;

/**
 * A PostgreSQL test class's database (scripts/pg-throwaway): created for the class, with a fresh schema before each
 * test, dropped after the class; a test fails with how to start the server when it is not configured. Register it with
 * {@code @RegisterExtension static final PgCatalogs pg = new PgCatalogs("purpose");}.
 */
final class PgCatalogs implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final String purpose;
    private PgTestDatabase db;

    PgCatalogs(String purpose) {
        this.purpose = purpose;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        db = PgTestDatabase.createIfConfigured(purpose);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (db == null) {
            PgTestDatabase.missing();
        }
        db.resetSchema();
    }

    /** A catalog handle on this class's database. */
    JdbcCatalog open(ClaimPolicy policy, Clock clock) {
        return JdbcCatalog.open(db.url(), db.user(), db.password(), policy, clock, 2);
    }

    PgTestDatabase database() {
        return db;
    }
}
