package org.migdal.dm.cli;

import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.LeaseKeeper;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.Stage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code bench claims}: how fast several workers share one catalog. Fills a fresh catalog with files waiting for
 * compression, then W threads, each with its own catalog handle (own connection pool, own owner id: a host of its own),
 * claim COMPRESS work in batches and advance every file, until none is left; prints the rates and checks exactly-once.
 */
@Command(name = "claims", mixinStandardHelpOptions = true, description = {
        "Fill a fresh, empty catalog with N files waiting for compression, then let W workers claim and advance them"
                + " (claim -> advance to COMPRESSED, no real work) until none is left; prints claims/s, advances/s and the wall"
                + " time, and checks that every file was advanced exactly once (OK; otherwise exit 1).",
        "Each worker is a thread with its own catalog handle (its own connections and owner id), as separate hosts would"
                + " be; separate JVMs with a SIGKILLed worker are what the ManyWorkersPostgresIT integration test proves."})
final class ClaimsBench implements Callable<Integer> {
    static final String ACTION = "bench-compress";

    @ParentCommand
    BenchCommand bench;

    @Option(names = "--catalog", description = "catalog URL, jdbc:postgresql://HOST:PORT/DB or sqlite:PATH, holding no files"
            + " (default: a new SQLite file in a temporary folder, removed afterwards)")
    String catalog;

    @Option(names = "--user", description = "PostgreSQL user")
    String user;

    @Option(names = "--password-file", description = "file holding the PostgreSQL password")
    Path passwordFile;

    @Option(names = "--workers", defaultValue = "4", description = "workers, each with its own catalog handle (default ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--files", defaultValue = "10000", description = "files to fill in and advance (default ${DEFAULT-VALUE})")
    int files;

    @Option(names = "--batch", defaultValue = "20", description = "files per claim (default ${DEFAULT-VALUE})")
    int batch;

    /** What one worker did. */
    private record Tally(String owner, long claimCalls, long claimed, long advanced, long lost, long claimNanos, long advanceNanos) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = bench.spec.commandLine().getOut();
        PrintWriter err = bench.spec.commandLine().getErr();
        if (workers < 1 || files < 1 || batch < 1) {
            err.println("bench claims: --workers, --files and --batch must be at least 1");
            return Main.USAGE;
        }
        if (catalog != null && !catalog.startsWith("jdbc:postgresql:") && !catalog.startsWith("sqlite:")
                && !catalog.startsWith("jdbc:sqlite:")) {
            err.println("bench claims: --catalog must be jdbc:postgresql://HOST:PORT/DB or sqlite:PATH, got " + catalog);
            return Main.USAGE;
        }
        Path scratch = null;
        String url = catalog;
        if (url == null) {
            scratch = Files.createTempDirectory("migdal-bench-claims");
            url = "sqlite:" + scratch.resolve("catalog.db");
        }
        String password = passwordFile == null ? null : Files.readString(passwordFile).strip();
        try {
            long present = filesIn(url, password);
            if (present > 0) {
                err.printf("bench claims: refusing catalog %s: it already holds %d files; give it a fresh, empty database%n",
                        url.replaceAll("password=[^&]*", "password=<masked>"), present);
                return Main.USAGE;
            }
            return run(out, url, password);
        } finally {
            if (scratch != null) {
                try (var walk = Files.walk(scratch)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private int run(PrintWriter out, String url, String password) throws Exception {
        Duration lease = Duration.ofMinutes(1);
        String self = ClaimPolicy.thisProcessOwner();
        List<JdbcCatalog> handles = new ArrayList<>();
        List<LeaseKeeper> keepers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            for (int w = 1; w <= workers; w++) {
                JdbcCatalog h = JdbcCatalog.open(url, user, password,
                        new ClaimPolicy(self + ":bench-w" + w, lease, 5, Duration.ofSeconds(1)), Clock.systemUTC(), 2);
                handles.add(h);
                keepers.add(new LeaseKeeper(h, lease));
            }
            JdbcCatalog first = handles.get(0);
            long f0 = System.nanoTime();
            fill(first, files);
            out.printf(Locale.ROOT, "filled %s with %d files waiting in ON_DISK_STORAGE in %.1f s%n", first, files,
                    (System.nanoTime() - f0) / 1e9);
            out.flush();

            CountDownLatch go = new CountDownLatch(1);
            List<Future<Tally>> jobs = new ArrayList<>();
            for (JdbcCatalog h : handles) {
                jobs.add(pool.submit(() -> {
                    go.await();
                    return work(h);
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            List<Tally> tallies = new ArrayList<>();
            for (Future<Tally> j : jobs) {
                tallies.add(j.get());
            }
            double wall = (System.nanoTime() - start) / 1e9;

            long calls = tallies.stream().mapToLong(Tally::claimCalls).sum();
            long claimed = tallies.stream().mapToLong(Tally::claimed).sum();
            long advanced = tallies.stream().mapToLong(Tally::advanced).sum();
            long lost = tallies.stream().mapToLong(Tally::lost).sum();
            long claimNanos = tallies.stream().mapToLong(Tally::claimNanos).sum();
            long advanceNanos = tallies.stream().mapToLong(Tally::advanceNanos).sum();
            for (int i = 0; i < tallies.size(); i++) {
                Tally t = tallies.get(i);
                out.printf(Locale.ROOT, "  worker %d (%s): %d claim transactions, %d files claimed, %d advanced, %d lost claims%n",
                        i + 1, t.owner(), t.claimCalls(), t.claimed(), t.advanced(), t.lost());
            }
            out.printf(Locale.ROOT, "%d workers (threads, each its own catalog handle and owner), batch %d, %d files:%n",
                    workers, batch, files);
            out.printf(Locale.ROOT, "  claims:   %.0f files claimed/s (%d claim transactions, %.0f/s, mean %.1f ms each)%n",
                    claimed / wall, calls, calls / wall, calls == 0 ? 0 : claimNanos / 1e6 / calls);
            out.printf(Locale.ROOT, "  advances: %.0f advances/s (mean %.2f ms each)%n", advanced / wall,
                    advanced == 0 ? 0 : advanceNanos / 1e6 / advanced);
            out.printf(Locale.ROOT, "  wall time %.2f s%n", wall);

            List<String> problems = exactlyOnce(first, advanced, lost);
            if (problems.isEmpty()) {
                out.printf(Locale.ROOT, "exactly once: OK (%d files COMPRESSED, one %s event each, 0 lost claims, none left claimed)%n",
                        files, ACTION);
                return Main.OK;
            }
            out.println("exactly once: FAILED: " + String.join("; ", problems));
            return Main.FAILURE;
        } finally {
            pool.shutdownNow();
            keepers.forEach(LeaseKeeper::close);
            handles.forEach(JdbcCatalog::close);
        }
    }

    /** Claims and advances until no file waits or is held anywhere; a batch held by another worker is waited for. */
    private Tally work(JdbcCatalog h) throws InterruptedException {
        long calls = 0;
        long claimed = 0;
        long advanced = 0;
        long lost = 0;
        long claimNanos = 0;
        long advanceNanos = 0;
        while (true) {
            long c0 = System.nanoTime();
            List<CatalogFile> got = h.claim(Stage.COMPRESS, batch);
            if (got.isEmpty()) {
                if (h.count(new FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 1)) == 0
                        && h.count(new FileFilter(FileState.COMPRESSING, null, null, null, 0, 1)) == 0) {
                    return new Tally(h.owner(), calls, claimed, advanced, lost, claimNanos, advanceNanos);
                }
                Thread.sleep(5); // the last files are held by other workers
                continue;
            }
            claimNanos += System.nanoTime() - c0;
            calls++;
            claimed += got.size();
            for (CatalogFile f : got) {
                long a0 = System.nanoTime();
                try {
                    h.advance(f, FileState.COMPRESSED, Changes.none().compressed(f.lfn() + ".bz2", f.size(), "00000001"),
                            ACTION, "compressed by " + h.owner());
                    advanced++;
                } catch (LostClaimException e) {
                    lost++;
                }
                advanceNanos += System.nanoTime() - a0;
            }
        }
    }

    /** Registers {@code n} files and ships them through the catalog's own claims, so they wait in ON_DISK_STORAGE. */
    private static void fill(JdbcCatalog catalog, int n) {
        List<NewFile> list = new ArrayList<>(n);
        Instant mtime = Instant.parse("2024-03-01T12:00:00Z");
        for (int i = 0; i < n; i++) {
            String run = String.format(Locale.ROOT, "MIG_Bench_data_240301T%06d", i / 1000);
            String name = String.format(Locale.ROOT, "%s/%s.%07d.dat", run, run, i);
            list.add(new NewFile("/2403/240301/" + name, "bench", name, run, 1000, mtime));
        }
        catalog.register(list);
        for (List<CatalogFile> got = catalog.claim(Stage.SHIP, 1000); !got.isEmpty(); got = catalog.claim(Stage.SHIP, 1000)) {
            for (CatalogFile f : got) {
                catalog.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", "filled by bench claims");
            }
        }
    }

    /** Every file COMPRESSED with exactly one advance event, none left claimed, and the workers' counts agree. */
    private List<String> exactlyOnce(JdbcCatalog catalog, long advanced, long lost) {
        List<String> problems = new ArrayList<>();
        if (advanced != files) {
            problems.add("the workers advanced " + advanced + " files, not " + files);
        }
        if (lost != 0) {
            problems.add(lost + " claims were lost");
        }
        long compressed = catalog.count(new FileFilter(FileState.COMPRESSED, null, null, null, 0, 1));
        if (compressed != files) {
            problems.add(compressed + " files are COMPRESSED, not " + files);
        }
        long[] found = catalog.inTransaction(c -> new long[]{
                single(c, "SELECT COUNT(*) FROM files WHERE claim_owner IS NOT NULL OR claim_token IS NOT NULL"),
                single(c, "SELECT COUNT(*) FROM (SELECT f.id FROM files f LEFT JOIN file_events e ON e.file_id = f.id"
                        + " AND e.action = '" + ACTION + "' GROUP BY f.id HAVING COUNT(e.id) <> 1"
                        + " OR COALESCE(SUM(e.repeats), 0) <> 0) AS odd")}, "checking bench claims");
        if (found[0] != 0) {
            problems.add(found[0] + " files are still claimed");
        }
        if (found[1] != 0) {
            problems.add(found[1] + " files do not have exactly one " + ACTION + " event");
        }
        return problems;
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Files already in the catalog at {@code url}, looked at before anything is migrated (0: none, or no catalog yet). */
    private long filesIn(String url, String password) throws SQLException {
        String jdbc = url.startsWith("sqlite:") ? "jdbc:" + url : url;
        if (jdbc.startsWith("jdbc:sqlite:") && !Files.exists(Path.of(jdbc.substring("jdbc:sqlite:".length())))) {
            return 0;
        }
        try (Connection c = user == null && password == null ? DriverManager.getConnection(jdbc)
                : DriverManager.getConnection(jdbc, user, password)) {
            try (ResultSet t = c.getMetaData().getTables(null, null, "files", null)) {
                if (!t.next()) {
                    return 0;
                }
            }
            return single(c, "SELECT COUNT(*) FROM files");
        }
    }
}
