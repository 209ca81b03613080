package org.migdal.dm.notify;

import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** {@link NotifyStateContract} on SQLite. */
class SqliteNotifyStateTest extends NotifyStateContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcCatalog openCatalog(Clock clock) {
        return JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null,
                new ClaimPolicy("notify", Duration.ofMinutes(10), 3, Duration.ofSeconds(30)), clock, 2);
    }
}
