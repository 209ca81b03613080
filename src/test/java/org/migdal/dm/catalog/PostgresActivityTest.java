package org.migdal.dm.catalog;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;

/** {@link ActivityContract} on PostgreSQL (scripts/pg-throwaway). */
class PostgresActivityTest extends ActivityContract {
    @RegisterExtension
    static final PgCatalogs pg = new PgCatalogs("activity");

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return pg.open(policy, clock);
    }
}
