package org.migdal.dm.catalog;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;

/** {@link AuditStoreContract} on a real PostgreSQL (scripts/pg-throwaway); a fresh schema per test. */
class PostgresAuditStoreTest extends AuditStoreContract {
    @RegisterExtension
    static final PgCatalogs pg = new PgCatalogs("audit");

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return pg.open(policy, clock);
    }
}
