package org.migdal.dm.catalog;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Flyway runs only when the catalog's schema version is not the bundled one; a newer catalog is refused. */
class SchemaTest {
    @TempDir
    Path dir;

    private SQLiteDataSource sqlite() {
        SQLiteDataSource ds = new SQLiteDataSource();
        ds.setUrl("jdbc:sqlite:" + dir.resolve("catalog.db"));
        return ds;
    }

    private static int historyRows(SQLiteDataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + Schema.HISTORY)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static boolean hasIndex(SQLiteDataSource ds, String name) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '" + name + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    /** A schema version newer than this program's. */
    private static final String FUTURE = String.valueOf(Integer.parseInt(Schema.BUNDLED) + 1);

    /** How many migrations are bundled for a dialect (versions may leave gaps). */
    private long migrations(String dialect) {
        try (Stream<Path> files = Files.list(Path.of(Objects.requireNonNull(getClass().getClassLoader()
                .getResource("db/migration/" + dialect)).toURI()))) {
            return files.filter(p -> p.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
        } catch (URISyntaxException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theBundledVersionIsTheNewestMigrationOfEachDialect() throws URISyntaxException, java.io.IOException {
        for (String dialect : List.of("sqlite", "postgresql")) {
            Path folder = Path.of(Objects.requireNonNull(getClass().getClassLoader().getResource("db/migration/" + dialect)).toURI());
            try (Stream<Path> files = Files.list(folder)) {
                int newest = files.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                        .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
                assertThat(Schema.BUNDLED).as("Schema.BUNDLED against the migrations of %s", dialect).isEqualTo(String.valueOf(newest));
            }
        }
    }

    @Test
    void aFreshCatalogIsMigratedAndACurrentOneIsLeftAlone() throws SQLException {
        SQLiteDataSource ds = sqlite();
        assertThat(Schema.ensure(ds, "sqlite", "test")).isEqualTo(Schema.Outcome.MIGRATED);
        int rows = historyRows(ds);
        assertThat(rows).as("one history row per bundled migration").isEqualTo(migrations("sqlite"));
        assertThat(hasIndex(ds, "files_disk_state_size")).isTrue();

        assertThat(Schema.ensure(ds, "sqlite", "test")).isEqualTo(Schema.Outcome.UP_TO_DATE);
        assertThat(historyRows(ds)).isEqualTo(rows);
    }

    @Test
    void anOlderCatalogIsMigratedToTheBundledVersion() throws SQLException {
        SQLiteDataSource ds = sqlite();
        Flyway.configure().dataSource(ds).locations("classpath:db/migration/sqlite").target("7").load().migrate();
        assertThat(hasIndex(ds, "files_disk_state")).isTrue();

        assertThat(Schema.ensure(ds, "sqlite", "test")).isEqualTo(Schema.Outcome.MIGRATED);
        assertThat(hasIndex(ds, "files_disk_state_size")).isTrue();
        assertThat(hasIndex(ds, "files_disk_state")).isFalse();
        assertThat(Schema.ensure(ds, "sqlite", "test")).isEqualTo(Schema.Outcome.UP_TO_DATE);
    }

    @Test
    void aCatalogNewerThanThisProgramIsRefusedWithItsVersion() throws SQLException {
        SQLiteDataSource ds = sqlite();
        Schema.ensure(ds, "sqlite", "test");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + Schema.HISTORY + " (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (99, '" + FUTURE + "', 'future', 'SQL', 'V" + FUTURE
                    + "__future.sql', 0, 'test', 0, 1)");
        }
        assertThatThrownBy(() -> Schema.ensure(ds, "sqlite", "sqlite:the-catalog"))
                .isInstanceOf(CatalogException.class).hasMessageContaining("sqlite:the-catalog")
                .hasMessageContaining("schema version " + FUTURE + ", newer than this migdal-dm knows (" + Schema.BUNDLED + ")");
        assertThatThrownBy(() -> JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null,
                new ClaimPolicy("x", Duration.ofMinutes(1), 3, Duration.ofSeconds(1)), Clock.systemUTC(), 2))
                .isInstanceOf(CatalogException.class).hasMessageContaining("newer than this migdal-dm");
    }

    @Test
    void aFailedRowDoesNotCountAsApplied() throws SQLException {
        SQLiteDataSource ds = sqlite();
        Schema.ensure(ds, "sqlite", "test");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO " + Schema.HISTORY + " (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (99, '" + FUTURE + "', 'future', 'SQL', 'V" + FUTURE + "__future.sql', 0, 'test', 0, 0)");
            assertThat(Schema.applied(c)).hasValueSatisfying(v -> assertThat(v.toString()).isEqualTo(Schema.BUNDLED));
        }
    }
}
