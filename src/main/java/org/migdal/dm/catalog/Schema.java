package org.migdal.dm.catalog;

import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The catalog's schema version. Opening a catalog reads the newest applied version from Flyway's history (one query) and
 * runs Flyway only when it differs from the newest migration bundled here ({@link #BUNDLED}) or there is no history yet;
 * a catalog newer than this program is refused. So a command on an up-to-date catalog loads no Flyway machinery and scans
 * no migration files.
 */
final class Schema {
    private static final Logger log = LoggerFactory.getLogger(Schema.class);

    /** Flyway's own table. */
    static final String HISTORY = "flyway_schema_history";

    /**
     * The newest migration under {@code db/migration/<dialect>} (both dialects have the same versions). Raise it with every
     * new migration: {@code SchemaTest} fails when it does not match the bundled files.
     */
    static final String BUNDLED = "14";

    /** What opening did to the schema. */
    enum Outcome { UP_TO_DATE, MIGRATED }

    private Schema() {
    }

    /**
     * Migrates the catalog behind {@code ds} when its version is not {@link #BUNDLED}; refuses a newer one.
     *
     * @param folder the dialect's folder under {@code db/migration}: {@code sqlite} or {@code postgresql}
     */
    static Outcome ensure(DataSource ds, String folder, String description) {
        Optional<MigrationVersion> applied;
        try (Connection c = ds.getConnection()) {
            applied = applied(c);
        } catch (SQLException e) {
            throw new CatalogException("cannot read the schema version of catalog " + description, e);
        }
        MigrationVersion bundled = MigrationVersion.fromVersion(BUNDLED);
        if (applied.isPresent() && applied.get().compareTo(bundled) > 0) {
            throw new CatalogException("catalog " + description + " has schema version " + applied.get() + ", newer than this"
                    + " migdal-dm knows (" + bundled + "): use the migdal-dm release that wrote it, or a newer one");
        }
        if (applied.isPresent() && applied.get().equals(bundled)) {
            log.debug("catalog {} is at schema version {}: no migration", description, bundled);
            return Outcome.UP_TO_DATE;
        }
        if (applied.isPresent()) {
            log.info("catalog {}: migrating the schema from version {} to {}", description, applied.get(), bundled);
        } else {
            log.debug("catalog {}: creating the schema (version {})", description, bundled);
        }
        Migrate.run(ds, folder, description);
        return Outcome.MIGRATED;
    }

    /** The highest successfully applied Flyway version, or empty when the database has no migration history. */
    static Optional<MigrationVersion> applied(Connection c) throws SQLException {
        boolean present = false;
        try (ResultSet rs = c.getMetaData().getTables(null, c.getSchema(), HISTORY, new String[]{"TABLE"})) {
            while (rs.next()) {
                present |= rs.getString("TABLE_NAME").equalsIgnoreCase(HISTORY);
            }
        }
        if (!present) {
            return Optional.empty();
        }
        MigrationVersion best = null;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version, success FROM " + HISTORY)) {
            while (rs.next()) {
                String v = rs.getString(1);
                if (v != null && rs.getBoolean(2)) {
                    MigrationVersion mv = MigrationVersion.fromVersion(v);
                    best = best == null || mv.compareTo(best) > 0 ? mv : best;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** Flyway itself, in a class of its own so that its classes load only when a migration is due. */
    private static final class Migrate {
        static void run(DataSource ds, String folder, String description) {
            try {
                org.flywaydb.core.Flyway.configure()
                        .dataSource(ds)
                        .locations("classpath:db/migration/" + folder)
                        .loggers("slf4j")
                        .load()
                        .migrate();
            } catch (RuntimeException e) {
                throw new CatalogException("cannot migrate catalog " + description + " (is it a migdal-dm catalog?)", e);
            }
        }
    }
}
