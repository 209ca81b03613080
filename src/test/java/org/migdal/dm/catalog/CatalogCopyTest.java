package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link CatalogCopy}: SQLite ↔ PostgreSQL with every row, ids and sequences; refusals; verification that notices. */
class CatalogCopyTest {
    /** The newest migration of this version of the schema. */
    static final int LATEST = latestMigration();

    private static int latestMigration() {
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(java.nio.file.Path.of(
                System.getProperty("basedir", "."), "src/main/resources/db/migration/sqlite"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static final List<String> TABLES = List.of("audit_findings", "audit_runs", "disks", "endpoints", "file_events", "files", "recalls",
            "scan_problems");

    private static PgTestDatabase pg;

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:00Z"));
    private final List<JdbcCatalog> opened = new CopyOnWriteArrayList<>();
    private final List<String> progress = new ArrayList<>();

    @BeforeAll
    static void createDatabase() {
        pg = PgTestDatabase.createIfConfigured("copy");
    }

    @AfterAll
    static void dropDatabase() {
        if (pg != null) {
            pg.close();
        }
    }

    @AfterEach
    void closeHandles() {
        opened.forEach(JdbcCatalog::close);
    }

    private JdbcCatalog open(String url, String user, String password) {
        JdbcCatalog c = JdbcCatalog.open(url, user, password, CatalogFill.policy("copy-test"), clock, 4);
        opened.add(c);
        return c;
    }

    private JdbcCatalog openSqlite(String name) {
        return open("sqlite:" + tmp.resolve(name), null, null);
    }

    private CatalogCopy.Location sqlite(String name) {
        return new CatalogCopy.Location("sqlite:" + tmp.resolve(name), null, null);
    }

    private CatalogCopy.Location postgres() {
        if (pg == null) {
            PgTestDatabase.missing(); // fails under CI=true, skips otherwise
        }
        pg.resetSchema();
        return new CatalogCopy.Location(pg.url(), pg.user(), pg.password());
    }

    private CatalogCopy copier() {
        return new CatalogCopy(progress::add);
    }

    private static Map<String, CatalogCopy.TableCheck> byTable(CatalogCopy.Report r) {
        Map<String, CatalogCopy.TableCheck> m = new java.util.TreeMap<>();
        r.tables().forEach(t -> m.put(t.table(), t));
        return m;
    }

    @Test
    void sqliteToPostgresqlAndBackKeepsEveryRowEveryIdAndTheSequences() {
        CatalogCopy.Location to = postgres();
        JdbcCatalog a = openSqlite("a.db");
        CatalogFill.fill(a, clock, 10_500);
        CatalogFill.Snapshot before = CatalogFill.snapshot(a, clock);
        assertThat(before.events().values().stream().mapToInt(List::size).sum()).isGreaterThan(10_000);
        a.close();

        long start = System.nanoTime();
        CatalogCopy.Report there = copier().copy(sqlite("a.db"), to);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertThat(there.ok()).as("%s", there).isTrue();
        assertThat(there.schemaVersion()).isEqualTo(String.valueOf(LATEST));
        assertThat(byTable(there).keySet()).containsAll(TABLES);
        assertThat(there.tables()).allSatisfy(t -> assertThat(t.sourceRows()).as(t.table()).isPositive());
        assertThat(byTable(there).get("file_events").sourceRows()).isGreaterThan(10_000);
        assertThat(seconds).as("10,000+ rows are copied in batches").isLessThan(60);
        assertThat(progress).anySatisfy(p -> assertThat(p).contains("file_events"));

        JdbcCatalog b = open(to.url(), to.user(), to.password());
        assertThat(CatalogFill.snapshot(b, clock)).isEqualTo(before);
        b.close();

        CatalogCopy.Report back = copier().copy(to, sqlite("c.db"));
        assertThat(back.ok()).as("%s", back).isTrue();
        assertThat(back.tables()).isEqualTo(there.tables()).as("the same checksums on all three");
        JdbcCatalog c = openSqlite("c.db");
        assertThat(CatalogFill.snapshot(c, clock)).isEqualTo(before);
        assertThat(copier().compare(sqlite("a.db"), sqlite("c.db")).ok()).isTrue();

        // the sequences continue after the highest id copied, on both targets
        long maxFile = before.files().stream().mapToLong(CatalogFile::id).max().orElseThrow();
        for (JdbcCatalog target : List.of(open(to.url(), to.user(), to.password()), c)) {
            assertThat(target.register(List.of(CatalogFill.file("/2301/230101/MIG_new/new.dat", 1))).added()).isEqualTo(1);
            CatalogFile added = target.find("/2301/230101/MIG_new/new.dat").orElseThrow();
            assertThat(added.id()).isEqualTo(maxFile + 1);
            assertThat(target.events(added.id())).singleElement().satisfies(e -> assertThat(e.action()).isEqualTo("register"));
            target.endpointDown("root://new.example//x", "down");
            target.recordScanProblems("data3", List.of(new ScanProblem.Finding("data3", "", ScanProblem.Kind.DISK_UNAVAILABLE,
                    "not mounted")), false);
            CatalogFile onTape = target.list(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 10)).get(2);
            assertThat(new RecallStore(target, clock, CatalogFill.LEASE, 3).request(onTape, "root://x//y")).isTrue();
        }

        // a second copy into the now non-empty PostgreSQL database is refused
        assertThatThrownBy(() -> copier().copy(sqlite("a.db"), to))
                .isInstanceOf(CatalogException.class).hasMessageContaining("not empty").hasMessageContaining(to.url())
                .hasMessageContaining("file_events: ");
    }

    @Test
    void postgresqlToPostgresqlToo() {
        CatalogCopy.Location from = postgres();
        JdbcCatalog a = open(from.url(), from.user(), from.password());
        CatalogFill.fill(a, clock, 100);
        CatalogFill.Snapshot before = CatalogFill.snapshot(a, clock);
        a.close();
        try (PgTestDatabase other = PgTestDatabase.createIfConfigured("copy2")) {
            CatalogCopy.Location to = new CatalogCopy.Location(other.url(), other.user(), other.password());
            CatalogCopy.Report r = copier().copy(from, to);
            assertThat(r.ok()).as("%s", r).isTrue();
            try (JdbcCatalog b = JdbcCatalog.open(to.url(), to.user(), to.password(), CatalogFill.policy("x"), clock, 2)) {
                assertThat(CatalogFill.snapshot(b, clock)).isEqualTo(before);
                b.register(List.of(CatalogFill.file("/2301/230101/MIG_new/n.dat", 1)));
                assertThat(b.find("/2301/230101/MIG_new/n.dat").orElseThrow().id())
                        .isEqualTo(before.files().stream().mapToLong(CatalogFile::id).max().orElseThrow() + 1);
            }
        }
    }

    @Test
    void sqliteToSqliteCopiesIntoAFreshOrEmptyCatalogAndTheSourceIsOnlyRead() throws Exception {
        JdbcCatalog a = openSqlite("a.db");
        CatalogFill.fill(a, clock, 50);
        CatalogFill.Snapshot before = CatalogFill.snapshot(a, clock);
        a.close();
        Path source = tmp.resolve("a.db");
        long modified = Files.getLastModifiedTime(source).toMillis();
        byte[] bytes = Files.readAllBytes(source);
        openSqlite("empty.db").close(); // migrated, no rows: accepted

        for (String target : List.of("fresh/b.db", "empty.db")) {
            CatalogCopy.Report r = copier().copy(sqlite("a.db"), sqlite(target));
            assertThat(r.ok()).as("%s", r).isTrue();
            assertThat(CatalogFill.snapshot(openSqlite(target), clock)).isEqualTo(before);
        }
        assertThat(Files.readAllBytes(source)).isEqualTo(bytes);
        assertThat(Files.getLastModifiedTime(source).toMillis()).isEqualTo(modified);
    }

    @Test
    void aNonEmptyTargetIsRefusedBeforeAnythingIsWritten() throws Exception {
        JdbcCatalog a = openSqlite("a.db");
        CatalogFill.fill(a, clock, 0);
        a.close();
        JdbcCatalog b = openSqlite("b.db");
        b.putDisk(new DiskRecord("data9", "/daq/data9", DiskRecord.DiskState.RELEASED, clock.instant(), null));
        b.close();
        CatalogCopy.Report beforeCompare = copier().compare(sqlite("b.db"), sqlite("b.db"));

        assertThatThrownBy(() -> copier().copy(sqlite("a.db"), sqlite("b.db")))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("refusing to copy into sqlite:" + tmp.resolve("b.db"))
                .hasMessageContaining("not empty (disks: 1 row)");
        assertThat(copier().compare(sqlite("b.db"), sqlite("b.db")).tables()).isEqualTo(beforeCompare.tables());
        assertThat(byTable(beforeCompare).get("files").sourceRows()).isZero();
    }

    @Test
    void differentSchemaVersionsAreRefusedNamingBoth() throws Exception {
        JdbcCatalog a = openSqlite("old.db");
        CatalogFill.fill(a, clock, 0);
        a.close();
        sql(tmp.resolve("old.db"), "DELETE FROM flyway_schema_history WHERE version = '" + LATEST + "'");
        int previous = previousMigration(); // versions may leave gaps
        assertThatThrownBy(() -> copier().copy(sqlite("old.db"), sqlite("b.db")))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("schema versions differ")
                .hasMessageContaining("sqlite:" + tmp.resolve("old.db") + " is at version " + previous)
                .hasMessageContaining("sqlite:" + tmp.resolve("b.db") + " at version " + LATEST);

        openSqlite("new.db").close();
        sql(tmp.resolve("new.db"), "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                + " installed_by, execution_time, success) VALUES (99, '99', 'future', 'SQL', 'V99__future.sql', 'x', 0, 1)");
        assertThatThrownBy(() -> copier().compare(sqlite("new.db"), sqlite("b.db")))
                .hasMessageContaining("version 99").hasMessageContaining("version " + LATEST);
        assertThatThrownBy(() -> copier().copy(sqlite("nope.db"), sqlite("c.db"))).hasMessageContaining("does not exist");
    }

    @Test
    void aCopyThatDoesNotMatchItsSourceIsReportedByTable() {
        JdbcCatalog a = openSqlite("a.db");
        CatalogFill.fill(a, clock, 20);
        a.close();

        CatalogCopy lost = copier();
        lost.beforeVerify = t -> t.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                return s.executeUpdate("DELETE FROM file_events WHERE id = (SELECT MAX(id) FROM file_events)");
            }
        }, "tampering");
        CatalogCopy.Report r = lost.copy(sqlite("a.db"), sqlite("b.db"));
        assertThat(r.ok()).isFalse();
        assertThat(r.mismatched()).containsExactly("file_events");
        CatalogCopy.TableCheck events = byTable(r).get("file_events");
        assertThat(events.targetRows()).isEqualTo(events.sourceRows() - 1);

        CatalogCopy changed = copier();
        changed.beforeVerify = t -> t.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                // same row count, one character of one text differs: only the checksum can tell
                return s.executeUpdate("UPDATE disks SET note = 'note: unicode\nline 2' WHERE name = 'data2'");
            }
        }, "tampering");
        CatalogCopy.Report r2 = changed.copy(sqlite("a.db"), sqlite("c.db"));
        assertThat(r2.mismatched()).containsExactly("disks");
        assertThat(byTable(r2).get("disks").targetRows()).isEqualTo(byTable(r2).get("disks").sourceRows());

        assertThat(copier().compare(sqlite("a.db"), sqlite("c.db")).mismatched()).containsExactly("disks");
    }

    @Test
    void aRowTheTargetCannotTakeStopsTheCopyAndSaysTheTargetHoldsAPartialCopy() throws Exception {
        JdbcCatalog a = openSqlite("a.db");
        CatalogFill.fill(a, clock, 0);
        a.close();
        sql(tmp.resolve("a.db"), "UPDATE files SET size = 'abc' WHERE id = (SELECT MIN(id) FROM files)"); // SQLite lets it in
        assertThatThrownBy(() -> copier().copy(sqlite("a.db"), sqlite("b.db")))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("copying table files")
                .hasMessageContaining("value 'abc' does not fit the integer column size")
                .hasMessageContaining("holds a partial copy");
        try (JdbcCatalog b = openSqlite("b.db")) {
            assertThat(b.count(FileFilter.all(10))).as("the table's transaction was rolled back").isZero();
        }
    }

    @Test
    void valuesAreNormalisedAlikeOnBothDatabases() {
        assertThat(CatalogTables.normalised(Boolean.TRUE)).isEqualTo(CatalogTables.normalised(1L))
                .isEqualTo(CatalogTables.normalised(1));
        assertThat(CatalogTables.normalised(Boolean.FALSE)).isEqualTo(CatalogTables.normalised(0));
        assertThat(CatalogTables.normalised(9_123_456_789_012L)).isEqualTo(CatalogTables.normalised(new java.math.BigDecimal("9123456789012.000")));
        assertThat(CatalogTables.normalised(null)).isNull();
        assertThat(CatalogTables.normalised("")).isEmpty();
        assertThat(CatalogTables.normalised("a\nü")).isEqualTo("a\nü");
    }

    /** The newest migration before {@link #LATEST}. */
    private static int previousMigration() {
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.list(java.nio.file.Path.of(
                System.getProperty("basedir", "."), "src/main/resources/db/migration/sqlite"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.sql"))
                    .mapToInt(n -> Integer.parseInt(n.substring(1, n.indexOf("__")))).filter(v -> v < LATEST).max().orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void sql(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }
}
