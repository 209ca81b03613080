package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalog contract on a real PostgreSQL (scripts/pg-throwaway); a fresh database per class, a fresh schema per test. */
class PostgresCatalogTest extends CatalogContract {

    @RegisterExtension
    static final PgCatalogs pg = new PgCatalogs("catalog");

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock, int poolSize) {
        return JdbcCatalog.open(pg.database().url(), pg.database().user(), pg.database().password(), policy, clock, poolSize);
    }

    @Test
    void migrationsCreateTheSchemaOnPostgresql() throws Exception {
        handle("pg-owner").close();
        try (Connection c = DriverManager.getConnection(pg.database().url(), pg.database().user(), pg.database().password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                     + " ORDER BY table_name")) {
            java.util.List<String> tables = new java.util.ArrayList<>();
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
            assertThat(tables).contains("files", "file_events", "disks", "flyway_schema_history");
        }
    }

    @Test
    void urlOfAnotherDatabaseKeepsServerAndOptions() {
        assertThat(PgTestDatabase.withDatabase("jdbc:postgresql://127.0.0.1:55432/migdal_test?sslmode=disable", "x"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:55432/x?sslmode=disable");
        assertThat(PgTestDatabase.withDatabase("jdbc:postgresql://127.0.0.1:55432/migdal_test", "x"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:55432/x");
        assertThat(PgTestDatabase.withDatabase("jdbc:postgresql://127.0.0.1:55432", "x"))
                .isEqualTo("jdbc:postgresql://127.0.0.1:55432/x");
    }
}
