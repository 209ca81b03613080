package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalog contract on a real PostgreSQL (scripts/pg-throwaway); a fresh database per class, a fresh schema per test. */
class PostgresCatalogTest extends CatalogContract {

    private static PgTestDatabase db;

    @BeforeAll
    static void createDatabase() {
        db = PgTestDatabase.createIfConfigured("catalog");
    }

    @AfterAll
    static void dropDatabase() {
        if (db != null) {
            db.close();
            db = null;
        }
    }

    @BeforeEach
    void freshSchema() {
        if (db == null) {
            PgTestDatabase.missing(); // fails under CI=true, skips otherwise, naming scripts/pg-throwaway
        }
        db.resetSchema();
    }

    @Override
    protected JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock, int poolSize) {
        return JdbcCatalog.open(db.url(), db.user(), db.password(), policy, clock, poolSize);
    }

    @Test
    void migrationsCreateTheSchemaOnPostgresql() throws Exception {
        handle("pg-owner").close();
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
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
