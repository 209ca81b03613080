package org.migdal.dm.catalog;

import org.junit.jupiter.api.extension.RegisterExtension;

import org.migdal.dm.notify.NotifyStateContract;

import java.time.Clock;
import java.time.Duration;

/** {@link NotifyStateContract} on PostgreSQL (scripts/pg-throwaway); here for {@link PgTestDatabase}. */
class PostgresNotifyStateTest extends NotifyStateContract {
    @RegisterExtension
    static final PgCatalogs pg = new PgCatalogs("notify");

    @Override
    protected JdbcCatalog openCatalog(Clock clock) {
        return JdbcCatalog.open(pg.database().url(), pg.database().user(), pg.database().password(),
                new ClaimPolicy("notify", Duration.ofMinutes(10), 3, Duration.ofSeconds(30)), clock, 2);
    }
}
