package org.migdal.dm.catalog;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A database of its own on the throwaway PostgreSQL that {@code scripts/pg-throwaway} starts, for one
 * test class. Reads MIGDAL_TEST_PG_URL, MIGDAL_TEST_PG_USER and MIGDAL_TEST_PG_PASSWORD; without them
 * the tests fail under CI=true and are skipped otherwise.
 */
final class PgTestDatabase implements AutoCloseable {

    static final String HOW_TO = "MIGDAL_TEST_PG_URL is not set, so the PostgreSQL catalog tests cannot run;"
            + " start a throwaway server with: eval \"$(scripts/pg-throwaway start)\"";

    private final String adminUrl;
    private final String user;
    private final String password;
    private final String name;
    private final String url;

    private PgTestDatabase(String adminUrl, String user, String password, String name) {
        this.adminUrl = adminUrl;
        this.user = user;
        this.password = password;
        this.name = name;
        this.url = withDatabase(adminUrl, name);
    }

    /** True when scripts/pg-throwaway's variables are set. */
    static boolean configured() {
        String base = System.getenv("MIGDAL_TEST_PG_URL");
        return base != null && !base.isBlank();
    }

    /** Fails the calling test when CI=true, skips it otherwise; call only when {@link #configured()} is false. */
    static void missing() {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(HOW_TO + " (CI=true: the PostgreSQL tests must run in CI)");
        }
        Assumptions.abort(HOW_TO);
    }

    /** Creates a fresh, empty database on the configured server, or returns null when none is configured. */
    static PgTestDatabase createIfConfigured(String purpose) {
        if (!configured()) {
            return null;
        }
        String base = System.getenv("MIGDAL_TEST_PG_URL");
        if (!base.startsWith("jdbc:postgresql://127.0.0.1:") && !base.startsWith("jdbc:postgresql://127.0.0.1/")) {
            Assertions.fail("MIGDAL_TEST_PG_URL must point at 127.0.0.1 (a throwaway server), got " + base);
        }
        String user = System.getenv("MIGDAL_TEST_PG_USER");
        String password = System.getenv("MIGDAL_TEST_PG_PASSWORD");
        String name = ("migdal_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
                .toLowerCase(Locale.ROOT);
        PgTestDatabase db = new PgTestDatabase(base, user, password, name);
        db.admin("CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0");
        return db;
    }

    String url() {
        return url;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    /** Empties the database: every table, sequence and the migration history go. */
    void resetSchema() {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA public CASCADE");
            s.execute("CREATE SCHEMA public");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset database " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private void admin(String sql) {
        try (Connection c = DriverManager.getConnection(adminUrl, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("'" + sql + "' on " + adminUrl + " failed: " + e.getMessage()
                    + " (is the server of scripts/pg-throwaway running?)", e);
        }
    }

    /** The same server and options, another database. */
    static String withDatabase(String jdbcUrl, String database) {
        int q = jdbcUrl.indexOf('?');
        String base = q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
        String query = q < 0 ? "" : jdbcUrl.substring(q);
        int hostStart = "jdbc:postgresql://".length();
        int slash = base.indexOf('/', hostStart);
        String server = slash < 0 ? base : base.substring(0, slash);
        return server + "/" + database + query;
    }
}
