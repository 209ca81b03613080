package org.migdal.dm.catalog;

import org.flywaydb.core.api.MigrationVersion;
import org.migdal.dm.catalog.CatalogTables.Check;
import org.migdal.dm.catalog.CatalogTables.Dialect;
import org.migdal.dm.catalog.CatalogTables.Table;
import org.sqlite.SQLiteConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Copies a whole catalog (SQLite or PostgreSQL) into an empty one (SQLite or PostgreSQL): every row of every data table
 * the schema has, ids kept, then the target's sequences set past the highest id; then proves the copy, table by table,
 * by row count and a checksum over all rows on both sides. The source is only read (read-only where the driver allows,
 * in one snapshot); the target is opened the normal way, so it is migrated to this program's schema version first.
 */
public final class CatalogCopy {

    static final int BATCH = 5000;

    /** Where a catalog is and how to log in (PostgreSQL); the password is never shown. */
    public record Location(String url, String user, String password) {
        public Location {
            if (url.contains("password=")) {
                throw new CatalogException("do not put a password in a catalog URL; give a password file");
            }
            CatalogTables.dialectOf(url);
        }

        Dialect dialect() {
            return CatalogTables.dialectOf(url);
        }

        Path sqliteFile() {
            return Path.of(url.substring(url.indexOf("sqlite:") + "sqlite:".length())).toAbsolutePath();
        }

        @Override
        public String toString() {
            return dialect() == Dialect.SQLITE ? "sqlite:" + sqliteFile() : url;
        }
    }

    /** One table's rows and checksum on both sides. */
    public record TableCheck(String table, long sourceRows, String sourceSha256, long targetRows, String targetSha256) {
        public boolean matches() {
            return sourceRows == targetRows && sourceSha256.equals(targetSha256);
        }
    }

    /** What a copy or a comparison found. */
    public record Report(String source, String target, String schemaVersion, long copiedRows, List<TableCheck> tables) {
        public boolean ok() {
            return tables.stream().allMatch(TableCheck::matches);
        }

        public List<String> mismatched() {
            return tables.stream().filter(t -> !t.matches()).map(TableCheck::table).toList();
        }
    }

    private final Consumer<String> progress;
    /** Runs on the target between the copy and the verification (tests: tampering must be detected). */
    Consumer<JdbcCatalog> beforeVerify = target -> { };

    public CatalogCopy(Consumer<String> progress) {
        this.progress = progress;
    }

    /**
     * Copies {@code from} into {@code to} and verifies the copy. Refuses (CatalogException, nothing written) a target that
     * holds any row, and source and target at different schema versions.
     */
    public Report copy(Location from, Location to) {
        try (Connection src = openReadOnly(from, true)) {
            MigrationVersion version = CatalogTables.schemaVersion(src).orElseThrow(() -> new CatalogException(
                    "the source " + from + " is not a migdal-dm catalog (it has no " + CatalogTables.HISTORY + ")"));
            refuseNonEmpty(to); // before the target is migrated or written at all
            ClaimPolicy policy = new ClaimPolicy(ClaimPolicy.thisProcessOwner(), Duration.ofMinutes(10), 1, Duration.ofSeconds(1));
            try (JdbcCatalog target = JdbcCatalog.open(to.url(), to.user(), to.password(), policy, Clock.systemUTC(), 2)) {
                MigrationVersion targetVersion = target.inTransaction(c -> CatalogTables.schemaVersion(c).orElseThrow(),
                        "reading the schema version");
                refuseVersions(from, version, to, targetVersion);
                Map<String, Table> tables = target.inTransaction(CatalogTables::tables, "reading the schema");
                Map<String, Table> sourceTables = CatalogTables.tables(src);
                refuseDifferentTables(from, sourceTables, to, tables);
                List<Table> order = target.inTransaction(c -> CatalogTables.insertOrder(c, tables), "reading foreign keys");
                List<String> held = target.inTransaction(c -> holdings(c, tables), "counting rows");
                if (!held.isEmpty()) {
                    throw notEmpty(to, held);
                }
                long copied = 0;
                for (Table t : order) {
                    long start = System.nanoTime();
                    long n;
                    try {
                        n = target.inTransaction(c -> copyTable(src, from.dialect(), c, to.dialect(), t), "copying table " + t.name());
                    } catch (CatalogException e) {
                        String why = e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")";
                        throw new CatalogException(e.getMessage() + why + "; " + to + " now holds a partial copy: empty it (delete"
                                + " the file, or drop and create the database again) before copying again", e.getCause());
                    }
                    copied += n;
                    progress.accept(String.format("copied %-16s %10d rows in %.1f s", t.name(), n, (System.nanoTime() - start) / 1e9));
                }
                beforeVerify.accept(target);
                List<TableCheck> checks = new ArrayList<>();
                for (Table t : order) {
                    Check s = CatalogTables.check(src, t, from.dialect());
                    Check d = target.inTransaction(c -> CatalogTables.check(c, t, to.dialect()), "checking table " + t.name());
                    checks.add(new TableCheck(t.name(), s.rows(), s.sha256(), d.rows(), d.sha256()));
                }
                return new Report(from.toString(), target.toString(), version.getVersion(), copied, checks);
            }
        } catch (SQLException e) {
            throw new CatalogException("copying " + from + " to " + to + " failed: " + e.getMessage(), e);
        }
    }

    /** Compares two catalogs table by table (rows and checksums), reading both and writing neither. */
    public Report compare(Location from, Location to) {
        try (Connection a = openReadOnly(from, true); Connection b = openReadOnly(to, true)) {
            MigrationVersion va = CatalogTables.schemaVersion(a).orElseThrow(() -> new CatalogException(
                    from + " is not a migdal-dm catalog (it has no " + CatalogTables.HISTORY + ")"));
            MigrationVersion vb = CatalogTables.schemaVersion(b).orElseThrow(() -> new CatalogException(
                    to + " is not a migdal-dm catalog (it has no " + CatalogTables.HISTORY + ")"));
            refuseVersions(from, va, to, vb);
            Map<String, Table> ta = CatalogTables.tables(a);
            refuseDifferentTables(from, ta, to, CatalogTables.tables(b));
            List<TableCheck> checks = new ArrayList<>();
            for (Table t : ta.values()) {
                Check s = CatalogTables.check(a, t, from.dialect());
                Check d = CatalogTables.check(b, t, to.dialect());
                checks.add(new TableCheck(t.name(), s.rows(), s.sha256(), d.rows(), d.sha256()));
            }
            return new Report(from.toString(), to.toString(), va.getVersion(), 0, checks);
        } catch (SQLException e) {
            throw new CatalogException("comparing " + from + " with " + to + " failed: " + e.getMessage(), e);
        }
    }

    private static long copyTable(Connection src, Dialect from, Connection dst, Dialect to, Table t) throws SQLException {
        List<String> cols = t.columnNames();
        String insert = "INSERT INTO " + CatalogTables.quote(t.name()) + " ("
                + cols.stream().map(CatalogTables::quote).collect(Collectors.joining(", ")) + ") VALUES ("
                + cols.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
        long n = 0;
        try (PreparedStatement read = src.prepareStatement(CatalogTables.selectAll(t, from));
             PreparedStatement write = dst.prepareStatement(insert)) {
            read.setFetchSize(BATCH);
            try (ResultSet rs = read.executeQuery()) {
                int pending = 0;
                while (rs.next()) {
                    for (int i = 1; i <= cols.size(); i++) {
                        CatalogTables.bind(write, i, rs.getObject(i), t.columns().get(i - 1));
                    }
                    write.addBatch();
                    n++;
                    if (++pending == BATCH) {
                        write.executeBatch();
                        pending = 0;
                    }
                }
                if (pending > 0) {
                    write.executeBatch();
                }
            }
        }
        CatalogTables.resetSequences(dst, t, to);
        return n;
    }

    /** Refuses a target with any row in any data table, before anything is written to it (not even a migration). */
    private static void refuseNonEmpty(Location to) throws SQLException {
        if (to.dialect() == Dialect.SQLITE && !Files.exists(to.sqliteFile())) {
            return;
        }
        try (Connection c = openReadOnly(to, false)) {
            List<String> held = holdings(c, CatalogTables.tables(c));
            if (!held.isEmpty()) {
                throw notEmpty(to, held);
            }
        }
    }

    private static List<String> holdings(Connection c, Map<String, Table> tables) throws SQLException {
        List<String> held = new ArrayList<>();
        for (Table t : tables.values()) {
            long n = CatalogTables.count(c, t);
            if (n > 0) {
                held.add(t.name() + ": " + n + (n == 1 ? " row" : " rows"));
            }
        }
        return held;
    }

    private static CatalogException notEmpty(Location to, List<String> held) {
        return new CatalogException("refusing to copy into " + to + ": it is not empty (" + String.join(", ", held)
                + "); a catalog copy goes only into an empty catalog (a new SQLite file, or a new PostgreSQL database)");
    }

    private static void refuseVersions(Location from, MigrationVersion a, Location to, MigrationVersion b) {
        int cmp = a.compareTo(b);
        if (cmp < 0) {
            throw new CatalogException("schema versions differ: the source " + from + " is at version " + a + ", the target "
                    + to + " at version " + b + "; migrate the source first (any command of this migdal-dm run with it as"
                    + " catalog.url does, e.g. 'migdal-dm status'), then copy again");
        }
        if (cmp > 0) {
            throw new CatalogException("schema versions differ: the source " + from + " is at version " + a + ", the target "
                    + to + " at version " + b + "; use the migdal-dm version that wrote the source (it knows version " + a + ")");
        }
    }

    private static void refuseDifferentTables(Location from, Map<String, Table> a, Location to, Map<String, Table> b) {
        for (Table t : a.values()) {
            Table o = b.get(t.name());
            if (o == null) {
                throw new CatalogException("schemas differ: table " + t.name() + " of " + from + " is not in " + to);
            }
            if (!new java.util.TreeSet<>(t.columnNames()).equals(new java.util.TreeSet<>(o.columnNames()))) {
                throw new CatalogException("schemas differ: table " + t.name() + " has columns " + t.columnNames() + " in " + from
                        + " but " + o.columnNames() + " in " + to);
            }
        }
        for (String name : b.keySet()) {
            if (!a.containsKey(name)) {
                throw new CatalogException("schemas differ: table " + name + " of " + to + " is not in " + from);
            }
        }
    }

    /**
     * A plain read-only connection in one transaction (one snapshot of every table). {@code mustExist}: a missing SQLite
     * file is an error (the driver would otherwise create it).
     */
    static Connection openReadOnly(Location l, boolean mustExist) throws SQLException {
        Connection c;
        if (l.dialect() == Dialect.SQLITE) {
            Path file = l.sqliteFile();
            if (mustExist && !Files.isRegularFile(file)) {
                throw new CatalogException("catalog " + l + " does not exist");
            }
            Optional<NetworkFileSystems.Mount> m = NetworkFileSystems.system().networkMountOf(file);
            if (m.isPresent()) { // reading it to move away from it is the cure; only warn
                org.slf4j.LoggerFactory.getLogger(CatalogCopy.class).warn("{} is on a network file system ({}): only"
                        + " reading it; make sure no migdal-dm process uses it meanwhile", l, m.get().type());
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setReadOnly(true);
            config.setBusyTimeout(60_000);
            c = config.createConnection("jdbc:sqlite:" + file);
        } else {
            Properties p = new Properties();
            if (l.user() != null) {
                p.setProperty("user", l.user());
            }
            if (l.password() != null) {
                p.setProperty("password", l.password());
            }
            c = DriverManager.getConnection(l.url(), p);
            c.setReadOnly(true);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        }
        c.setAutoCommit(false);
        return c;
    }
}
