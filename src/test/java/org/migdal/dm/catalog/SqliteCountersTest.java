package org.migdal.dm.catalog;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

/** {@link CountersContract} on SQLite. */
class SqliteCountersTest extends CountersContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null, policy, clock, 2);
    }
}
