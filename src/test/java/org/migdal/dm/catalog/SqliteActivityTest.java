package org.migdal.dm.catalog;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

/** {@link ActivityContract} on SQLite. */
class SqliteActivityTest extends ActivityContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null, policy, clock, 2);
    }
}
