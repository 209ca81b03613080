package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11: many hosts on one PostgreSQL catalog. 10,000 files wait in ON_DISK_STORAGE; four worker JVMs
 * ({@link ClaimWorker}, each its own owner and connections, a short lease) claim COMPRESS work in batches of 1..20 and
 * advance each file under a fence. One of them is SIGKILLed while it holds claims; the other three take its files over
 * once its lease ran out. Every file ends COMPRESSED with exactly one advance event, no file was held by two live
 * workers, the killed worker's files were taken over once each as crash 1, and nothing is left claimed.
 *
 * <p>Nothing waits for a fixed time: every wait is for a condition (a line on a worker's stdout, a process exit) with a
 * deadline. Needs scripts/pg-throwaway ({@code eval "$(scripts/pg-throwaway start)"}).
 */
class ManyWorkersPostgresIT {
    private static final int FILES = Integer.getInteger("manyWorkers.files", 10_000);
    private static final Duration LEASE = Duration.ofSeconds(5);
    private static final int HOLD_AFTER = 200;

    @TempDir
    Path tmp;

    private PgTestDatabase db;
    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void stopWorkersAndDropTheDatabase() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void fourWorkerJvmsAdvanceEveryFileExactlyOnceAndTakeOverASigkilledWorkersClaims() throws Exception {
        db = PgTestDatabase.createIfConfigured("manyworkers");
        if (db == null) {
            PgTestDatabase.missing();
        }
        long t0 = System.nanoTime();
        try (JdbcCatalog setup = JdbcCatalog.open(db.url(), db.user(), db.password(),
                new ClaimPolicy("it-setup", Duration.ofMinutes(10), 5, Duration.ofSeconds(1)), Clock.systemUTC(), 2)) {
            fill(setup, FILES);
        }
        double fillSecs = (System.nanoTime() - t0) / 1e9;
        Path logs = tmp.resolve("logs");

        // worker 4 does some work, then claims a batch and holds it: the kill lands while it holds claims
        Process holder = worker(logs, "w4", HOLD_AFTER);
        String holding = awaitLine(holder, logs, "w4", l -> l.startsWith("holding "), 180);
        Set<Long> held = idSet(holding.split(" ")[1]);
        int holderAdvanced = Integer.parseInt(holding.substring(holding.indexOf("advanced=") + "advanced=".length()));
        String holderOwner = awaitLine(holder, logs, "w4", l -> l.startsWith("started "), 1).substring("started ".length());
        assertThat(held).isNotEmpty();
        assertThat(holderAdvanced).isGreaterThanOrEqualTo(HOLD_AFTER);

        long work0 = System.nanoTime();
        Map<String, Process> live = new LinkedHashMap<>();
        for (String name : List.of("w1", "w2", "w3")) {
            live.put(name, worker(logs, name, -1));
        }
        for (Map.Entry<String, Process> e : live.entrySet()) {
            awaitLine(e.getValue(), logs, e.getKey(), "working"::equals, 180); // all three are at work on the catalog
        }
        assertThat(holder.isAlive()).as("w4 still holds its claims when it is killed").isTrue();
        holder.destroyForcibly(); // SIGKILL
        assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(holder.exitValue()).as("w4 died of SIGKILL").isEqualTo(128 + 9);

        Map<String, String> owners = new HashMap<>();
        for (Map.Entry<String, Process> e : live.entrySet()) {
            Process p = e.getValue();
            assertThat(p.waitFor(600, TimeUnit.SECONDS)).as("%s finished; stderr: %s", e.getKey(), err(logs, e.getKey())).isTrue();
            assertThat(p.exitValue()).as("exit of %s; stdout tail: %s; stderr: %s", e.getKey(), tail(logs, e.getKey()),
                    err(logs, e.getKey())).isZero();
            owners.put(e.getKey(), lines(logs, e.getKey()).get(0).substring("started ".length()));
        }
        double workSecs = (System.nanoTime() - work0) / 1e9;

        // what the workers say they did
        Map<String, Set<Long>> claimedBy = new HashMap<>();
        Set<Long> tookOver = new HashSet<>();
        int liveAdvanced = 0;
        for (String name : List.of("w1", "w2", "w3", "w4")) {
            Set<Long> claimed = new HashSet<>();
            for (String l : lines(logs, name)) {
                if (l.startsWith("claimed ")) {
                    Set<Long> batch = idSet(l.substring("claimed ".length()));
                    Set<Long> again = new HashSet<>(batch);
                    again.retainAll(claimed);
                    assertThat(again).as("%s claimed files it had claimed before", name).isEmpty();
                    claimed.addAll(batch);
                } else if (l.startsWith("took-over ")) {
                    String[] parts = l.split(" ");
                    assertThat(parts[2]).as("%s: %s", name, l).isEqualTo("crashes=1");
                    assertThat(tookOver.add(Long.parseLong(parts[1]))).as("file taken over twice: %s", l).isTrue();
                } else if (l.startsWith("done ")) {
                    assertThat(l).as("%s lost no claim", name).endsWith(" lost=0");
                    liveAdvanced += Integer.parseInt(l.substring("done advanced=".length(), l.indexOf(" lost=")));
                }
                assertThat(l).as("%s lost a claim", name).doesNotStartWith("lost ");
            }
            claimedBy.put(name, claimed);
        }
        assertThat(liveAdvanced + holderAdvanced).as("advances the workers counted").isEqualTo(FILES);
        assertThat(tookOver).as("the files taken over are exactly those the killed worker held").isEqualTo(held);
        Set<Long> holderClaims = claimedBy.get("w4");
        assertThat(holderClaims).containsAll(held).hasSize(holderAdvanced + held.size());
        // no file was claimed by two live workers; only the killed worker's held files were claimed twice in all
        Map<Long, Integer> claimCount = new HashMap<>();
        claimedBy.values().forEach(s -> s.forEach(id -> claimCount.merge(id, 1, Integer::sum)));
        assertThat(claimCount).hasSize(FILES);
        Set<Long> twice = new HashSet<>();
        claimCount.forEach((id, n) -> {
            if (n > 1) {
                twice.add(id);
            }
        });
        assertThat(twice).as("files claimed by two workers").isEqualTo(held);
        assertThat(claimCount.values()).allMatch(n -> n <= 2);

        // what the catalog says
        try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password())) {
            assertThat(longs(c, "SELECT COUNT(*) FROM files WHERE state = 'COMPRESSED'")).containsExactly((long) FILES);
            assertThat(longs(c, "SELECT COUNT(*) FROM files")).containsExactly((long) FILES);
            assertThat(longs(c, "SELECT id FROM files WHERE claim_owner IS NOT NULL OR claim_token IS NOT NULL"
                    + " OR claim_expires IS NOT NULL")).as("files left claimed").isEmpty();
            assertThat(longs(c, "SELECT f.id FROM files f LEFT JOIN file_events e ON e.file_id = f.id AND e.action = '"
                    + ClaimWorker.ACTION + "' GROUP BY f.id HAVING COUNT(e.id) <> 1 OR COALESCE(SUM(e.repeats), 0) <> 0"))
                    .as("files without exactly one advance event").isEmpty();
            List<String[]> takeovers = rows(c, "SELECT e.file_id, e.actor, e.message, a.actor FROM file_events e"
                    + " JOIN file_events a ON a.file_id = e.file_id AND a.action = '" + ClaimWorker.ACTION + "'"
                    + " WHERE e.action = 'claim-takeover' ORDER BY e.file_id", 4);
            assertThat(takeovers).as("one claim-takeover event per file the killed worker held").hasSize(held.size());
            Set<Long> takenOver = new HashSet<>();
            for (String[] t : takeovers) {
                takenOver.add(Long.parseLong(t[0]));
                assertThat(t[1]).as("taken over by a live worker").isIn(owners.values());
                assertThat(t[2]).contains(holderOwner).contains("crash 1 of at most");
                assertThat(t[3]).as("the worker that took file %s over advanced it", t[0]).isEqualTo(t[1]);
            }
            assertThat(takenOver).isEqualTo(held);
            List<String[]> byActor = rows(c, "SELECT actor, COUNT(*) FROM file_events WHERE action = '" + ClaimWorker.ACTION
                    + "' GROUP BY actor ORDER BY actor", 2);
            Map<String, Long> advancesByOwner = new HashMap<>();
            byActor.forEach(r -> advancesByOwner.put(r[0], Long.parseLong(r[1])));
            assertThat(advancesByOwner.get(holderOwner)).isEqualTo((long) holderAdvanced);
            System.out.printf("many workers on PostgreSQL: %d files filled in %.1f s; 4 worker JVMs (lease %d s), w4 advanced %d,"
                            + " held %d and was SIGKILLed; w1..w3 advanced %d in %.1f s (%s); %d claim-takeover events,"
                            + " 0 lost claims, 0 files left claimed, every file advanced exactly once%n",
                    FILES, fillSecs, LEASE.toSeconds(), holderAdvanced, held.size(), liveAdvanced, workSecs,
                    owners.keySet().stream().sorted().map(n -> n + "=" + advancesByOwner.get(owners.get(n))).toList(),
                    takeovers.size());
        }
    }

    /** Registers {@code n} files and ships them through the catalog's own claims: they wait in ON_DISK_STORAGE. */
    private static void fill(JdbcCatalog catalog, int n) {
        List<NewFile> files = new ArrayList<>(n);
        Instant mtime = Instant.parse("2024-03-01T12:00:00Z");
        for (int i = 0; i < n; i++) {
            String run = "MIG_Fe55_data_240301T12" + String.format("%04d", i / 1000);
            files.add(new NewFile(String.format("/2403/240301/%s/%s.%05d.dat", run, run, i), "data1",
                    String.format("%s/%s.%05d.dat", run, run, i), run, 1000 + i, mtime));
        }
        assertThat(catalog.register(files).added()).isEqualTo(n);
        int shipped = 0;
        for (List<CatalogFile> batch = catalog.claim(Stage.SHIP, 500); !batch.isEmpty(); batch = catalog.claim(Stage.SHIP, 500)) {
            for (CatalogFile f : batch) {
                catalog.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32(String.format("%08x", f.id())), "ship",
                        "shipped by the test setup");
                shipped++;
            }
        }
        assertThat(shipped).isEqualTo(n);
    }

    private Process worker(Path logs, String name, int holdAfter) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), ClaimWorker.class.getName(),
                db.url(), name, String.valueOf(LEASE.toMillis())));
        if (holdAfter >= 0) {
            cmd.add(String.valueOf(holdAfter));
        }
        Files.createDirectories(logs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(logs.resolve(name + ".out").toFile())
                .redirectError(logs.resolve(name + ".err").toFile());
        pb.environment().put("MIGDAL_TEST_PG_USER", db.user());
        pb.environment().put("MIGDAL_TEST_PG_PASSWORD", db.password() == null ? "" : db.password());
        Process p = pb.start(); // stdin stays an open pipe: the worker exits when this JVM is gone
        started.add(p);
        return p;
    }

    /** Waits (bounded) until the worker printed a line that {@code wanted} accepts; fails if it exits first. */
    private static String awaitLine(Process p, Path logs, String name, Predicate<String> wanted, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            for (String l : lines(logs, name)) {
                if (wanted.test(l)) {
                    return l;
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError(name + " exited (" + p.exitValue() + ") before the awaited line; stdout tail: "
                        + tail(logs, name) + "; stderr: " + err(logs, name));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " did not print the awaited line within " + seconds + " s; stdout tail: "
                        + tail(logs, name) + "; stderr: " + err(logs, name));
            }
            p.waitFor(20, TimeUnit.MILLISECONDS);
        }
    }

    /** The complete lines of a worker's stdout (a line still being written is left out). */
    private static List<String> lines(Path logs, String name) throws IOException {
        Path out = logs.resolve(name + ".out");
        if (!Files.exists(out)) {
            return List.of();
        }
        String text = Files.readString(out);
        int end = text.lastIndexOf('\n');
        return end < 0 ? List.of() : Arrays.asList(text.substring(0, end).split("\n"));
    }

    private static String tail(Path logs, String name) throws IOException {
        List<String> l = lines(logs, name);
        return String.join(" | ", l.subList(Math.max(0, l.size() - 5), l.size()));
    }

    private static String err(Path logs, String name) throws IOException {
        Path p = logs.resolve(name + ".err");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private static Set<Long> idSet(String csv) {
        Set<Long> ids = new HashSet<>();
        for (String s : csv.split(",")) {
            ids.add(Long.parseLong(s.trim()));
        }
        return ids;
    }

    private static List<Long> longs(Connection c, String sql) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private static List<String[]> rows(Connection c, String sql, int columns) throws SQLException {
        List<String[]> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String[] r = new String[columns];
                for (int i = 0; i < columns; i++) {
                    r[i] = rs.getString(i + 1);
                }
                out.add(r);
            }
        }
        return out;
    }
}
