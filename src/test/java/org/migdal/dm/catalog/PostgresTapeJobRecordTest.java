package org.migdal.dm.catalog;

import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link TapeJobRecordContract} on a real PostgreSQL (scripts/pg-throwaway); a fresh schema per test. */
class PostgresTapeJobRecordTest extends TapeJobRecordContract {
    @RegisterExtension
    static final PgCatalogs pg = new PgCatalogs("tapejob");

    @Override
    protected JdbcCatalog open(ClaimPolicy policy, MutableClock clock) {
        return JdbcCatalog.open(pg.database().url(), pg.database().user(), pg.database().password(), policy, clock, 4);
    }
}
