package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The catalog contract on the embedded default: a SQLite file in a temporary folder, fresh per test. */
class SqliteCatalogTest extends CatalogContract {

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("sub dir").resolve("catalog.db");
    }

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock, int poolSize) {
        return JdbcCatalog.open("sqlite:" + file(), null, null, policy, clock, poolSize);
    }

    @Test
    void theFileIsCreatedWithItsFolderAndUsesWal() throws Exception {
        handle("wal-owner").close();
        assertThat(file()).isRegularFile();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void aFileThatIsNotACatalogIsRefusedWithAClearMessage() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), "this is not a database, just text that happens to be long enough to be read as a header");
        assertThatThrownBy(() -> handle("x"))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining(file().getFileName().toString());
    }

    @Test
    void jdbcSqliteUrlsAreAcceptedAndOtherSchemesRefused() {
        JdbcCatalog c = JdbcCatalog.open("jdbc:sqlite:" + file(), null, null, policy("x"), clock, 2);
        c.close();
        assertThatThrownBy(() -> JdbcCatalog.open("mysql://localhost/x", null, null, policy("x"), clock, 2))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("mysql://localhost/x");
    }
}
