package org.migdal.dm.catalog;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;

/** {@link AuditStoreContract} on SQLite. */
class SqliteAuditStoreTest extends AuditStoreContract {
    @TempDir
    Path dir;

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock) {
        return JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null, policy, clock, 2);
    }
}
