package org.migdal.dm.catalog;

import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Clock;

/** {@link CountersContract} on PostgreSQL (scripts/pg-throwaway). */
class PostgresCountersTest extends CountersContract {
    @RegisterExtension
    static final PgCatalogs pg = new PgCatalogs("counters");

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return pg.open(policy, clock);
    }
}
