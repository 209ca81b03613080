package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.migdal.dm.cli.DaqProcesses.assertExit;

/** Real {@code migdal-dm ship} processes on one SQLite catalog: concurrency and a kill -9 in the middle of a copy. */
class DaqShipProcessIT {
    @TempDir
    Path tmp;

    private static String hex(Adler32 a) {
        return String.format("%08x", a.getValue());
    }

    /** Writes a file of {@code size} pseudo-random bytes and returns its adler32. */
    private static String writeFile(Path file, long size, long seed) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] block = new byte[1 << 20];
        SplittableRandom r = new SplittableRandom(seed);
        r.nextBytes(block);
        Adler32 a = new Adler32();
        try (OutputStream o = Files.newOutputStream(file)) {
            long left = size;
            long n = 0;
            while (left > 0) {
                int len = (int) Math.min(block.length, left);
                block[(int) (n % 4096)] ^= (byte) (n + 1); // every block differs a little
                a.update(block, 0, len);
                o.write(block, 0, len);
                left -= len;
                n++;
            }
        }
        return hex(a);
    }

    private static String adler32(Path file) throws IOException {
        Adler32 a = new Adler32();
        byte[] buf = new byte[1 << 20];
        try (var in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                a.update(buf, 0, r);
            }
        }
        return hex(a);
    }

    private static JdbcCatalog observer(Path db) {
        return JdbcCatalog.open("sqlite:" + db, null, null,
                new ClaimPolicy("test-observer:0:0", Duration.ofMinutes(30), 5, Duration.ZERO), Clock.systemUTC(), 2);
    }

    private static List<FileEvent> okShips(List<FileEvent> events) {
        return events.stream().filter(e -> e.action().equals("ship") && e.ok()).toList();
    }

    private static long pidOf(String owner) {
        String[] p = owner.split(":");
        return Long.parseLong(p[p.length - 2]);
    }

    @Test
    void twoConcurrentShipProcessesShipEveryFileExactlyOnce() throws Exception {
        Path d1 = Files.createDirectories(tmp.resolve("daq/data1"));
        Path d2 = Files.createDirectories(tmp.resolve("daq/data2"));
        Path storage = org.migdal.dm.testinfra.Markers.initialised(tmp.resolve("storage"));
        Path tape = org.migdal.dm.testinfra.Markers.initialised(tmp.resolve("tape"));
        Path db = tmp.resolve("catalog.db");
        Map<String, String> expected = new HashMap<>(); // LFN → adler32
        Map<String, Path> locals = new HashMap<>();
        int n = 0;
        for (Path disk : List.of(d1, d2)) {
            for (String run : List.of("MIG_Fe55_data_220803T145447", "MIG_AmBe_data_220804T091500", "MIG_DD_data_220805T235959")) {
                for (int i = 0; i < 10; i++) {
                    String name = run.replace("_data_", "_data_" + disk.getFileName() + "_") ;
                    String rel = name + "/" + name + ".CAL." + String.format("%04d", i) + ".dat";
                    Path f = disk.resolve(rel);
                    String ymd = run.substring(run.length() - 13, run.length() - 7);
                    String lfn = "/" + ymd.substring(0, 4) + "/" + ymd + "/" + rel;
                    // one large file per run keeps a shipper busy for a while, so both processes surely overlap
                    long size = i == 0 ? 96 * 1048576L + n : 2 * 1048576L + n;
                    expected.put(lfn, writeFile(f, size, n));
                    locals.put(lfn, f);
                    n++;
                }
            }
            Files.writeString(disk.resolve("ReadyToTransfer"), "");
        }
        assertThat(expected).hasSize(60);
        Path cfgA = tmp.resolve("a.yaml");
        Path cfgB = tmp.resolve("b.yaml");
        Files.writeString(cfgA, DaqProcesses.config(db, List.of(d1, d2), storage, tape, tmp.resolve("lockA"), 1));
        Files.writeString(cfgB, DaqProcesses.config(db, List.of(d1, d2), storage, tape, tmp.resolve("lockB"), 1));
        Path logs = tmp.resolve("logs");

        assertThat(Main.execute("-c", cfgA.toString(), "scan")).isZero();

        Process a = DaqProcesses.cli(logs, "ship-a", cfgA, "ship");
        Process b = DaqProcesses.cli(logs, "ship-b", cfgB, "ship");
        assertExit(logs, "ship-a", a, 0, 300);
        assertExit(logs, "ship-b", b, 0, 300);

        try (JdbcCatalog catalog = observer(db)) {
            List<CatalogFile> rows = catalog.list(FileFilter.all(1000));
            assertThat(rows).hasSize(60);
            Set<Long> shippers = new HashSet<>();
            for (CatalogFile f : rows) {
                assertThat(f.state()).as(f.lfn()).isEqualTo(FileState.ON_DISK_STORAGE);
                assertThat(f.adler32()).as(f.lfn()).isEqualTo(expected.get(f.lfn()));
                assertThat(f.localDeletedAt()).as(f.lfn()).isNotNull();
                assertThat(f.claimOwner()).isNull();
                List<FileEvent> events = catalog.events(f.id());
                assertThat(okShips(events)).as("ok ship events of %s: %s", f.lfn(), events).hasSize(1);
                assertThat(events).filteredOn(e -> e.action().equals("delete-local")).hasSize(1);
                assertThat(events).noneMatch(e -> e.action().startsWith("claim-"));
                assertThat(events).noneMatch(e -> !e.ok());
                shippers.add(pidOf(okShips(events).get(0).actor()));
                Path stored = storage.resolve(f.lfn().substring(1));
                assertThat(adler32(stored)).as(f.lfn()).isEqualTo(expected.get(f.lfn()));
                assertThat(Files.size(stored)).isEqualTo(f.size());
                assertThat(locals.get(f.lfn())).doesNotExist();
            }
            // both processes really worked side by side
            assertThat(shippers).containsExactlyInAnyOrder(a.pid(), b.pid());
        }
        try (Stream<Path> s = Files.walk(storage)) {
            assertThat(s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(org.migdal.dm.storage.Marker.NAME)).count()).isEqualTo(60);
        }
        assertThat(d1.resolve("MIG_Fe55_data_data1_220803T145447")).doesNotExist();
    }

    @Test
    void aKilledShipProcessClaimIsRecoveredAndEveryFileShippedOnce() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("daq/data1"));
        Path storage = org.migdal.dm.testinfra.Markers.initialised(tmp.resolve("storage"));
        Path tape = org.migdal.dm.testinfra.Markers.initialised(tmp.resolve("tape"));
        Path db = tmp.resolve("catalog.db");
        String run = "MIG_Fe55_data_220803T145447";
        Map<String, String> expected = new HashMap<>();
        Map<String, Path> locals = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            String rel = run + "/" + run + ".CAL." + String.format("%04d", i) + ".dat";
            expected.put("/2208/220803/" + rel, writeFile(disk.resolve(rel), 256L * 1048576 + i, 100 + i));
            locals.put("/2208/220803/" + rel, disk.resolve(rel));
        }
        Files.writeString(disk.resolve("ReadyToTransfer"), "");
        Path cfg = tmp.resolve("migdal-dm.yaml");
        Files.writeString(cfg, DaqProcesses.config(db, List.of(disk), storage, tape, tmp.resolve("locks"), 1));
        Path logs = tmp.resolve("logs");
        assertThat(Main.execute("-c", cfg.toString(), "scan")).isZero();

        Process victim = DaqProcesses.cli(logs, "ship-killed", cfg, "ship");
        List<CatalogFile> inFlight;
        try (JdbcCatalog catalog = observer(db)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
            // wait (bounded, no sleeping on a guess) until one file is confirmed and the next is being copied
            while (true) {
                if (victim.waitFor(50, TimeUnit.MILLISECONDS)) {
                    fail("ship finished (exit " + victim.exitValue() + ") before it could be killed; stderr:\n"
                            + DaqProcesses.err(logs, "ship-killed"));
                }
                long done = catalog.count(new FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 10));
                long shipping = catalog.count(new FileFilter(FileState.SHIPPING, null, null, null, 0, 10));
                if (done >= 1 && shipping >= 1) {
                    break;
                }
                assertThat(System.nanoTime()).as("waiting for a file in SHIPPING").isLessThan(deadline);
            }
            victim.destroyForcibly(); // kill -9
            assertThat(victim.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(victim.exitValue()).isNotZero();
            assertThat(ProcessHandle.of(victim.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();

            inFlight = catalog.list(new FileFilter(FileState.SHIPPING, null, null, null, 0, 10));
            assertThat(inFlight).as("the kill left a claimed file behind").isNotEmpty();
            for (CatalogFile f : inFlight) {
                assertThat(pidOf(f.claimOwner())).isEqualTo(victim.pid());
                // a file that was not confirmed is still on the DAQ disk, whole
                assertThat(Files.size(locals.get(f.lfn()))).isEqualTo(f.size());
                // and no partial copy carries its final name
                Path stored = storage.resolve(f.lfn().substring(1));
                if (Files.exists(stored)) {
                    assertThat(adler32(stored)).isEqualTo(expected.get(f.lfn()));
                }
            }
            for (CatalogFile f : catalog.list(new FileFilter(FileState.REGISTERED, null, null, null, 0, 10))) {
                assertThat(locals.get(f.lfn())).exists();
            }
        }

        // the next run: releases the dead process's claim (same host, pid gone) and resumes
        Process rerun = DaqProcesses.cli(logs, "ship-again", cfg, "ship");
        assertExit(logs, "ship-again", rerun, 0, 300);
        // a kill between confirmation and local delete is finished by clean
        Process clean = DaqProcesses.cli(logs, "clean", cfg, "clean");
        assertExit(logs, "clean", clean, 0, 120);

        try (JdbcCatalog catalog = observer(db)) {
            List<CatalogFile> rows = catalog.list(FileFilter.all(100));
            assertThat(rows).hasSize(3);
            for (CatalogFile f : rows) {
                assertThat(f.state()).as(f.lfn()).isEqualTo(FileState.ON_DISK_STORAGE);
                assertThat(f.adler32()).isEqualTo(expected.get(f.lfn()));
                assertThat(f.claimOwner()).isNull();
                assertThat(f.localDeletedAt()).isNotNull();
                assertThat(locals.get(f.lfn())).doesNotExist();
                assertThat(adler32(storage.resolve(f.lfn().substring(1)))).isEqualTo(expected.get(f.lfn()));
                List<FileEvent> events = catalog.events(f.id());
                List<FileEvent> confirmations = events.stream()
                        .filter(e -> e.action().equals("ship") && e.ok() && e.message().startsWith("copied ")).toList();
                assertThat(confirmations).as("confirmations of %s: %s", f.lfn(), events).hasSize(1);
                List<String> actions = events.stream().map(FileEvent::action).collect(Collectors.toList());
                assertThat(actions.lastIndexOf("delete-local")).as("local delete after confirmation in %s", actions)
                        .isGreaterThan(events.indexOf(confirmations.get(0)));
                assertThat(actions).filteredOn("delete-local"::equals).hasSize(1);
            }
            for (CatalogFile killed : inFlight) {
                List<FileEvent> events = catalog.events(killed.id());
                assertThat(events).anySatisfy(e -> {
                    assertThat(e.action()).isEqualTo("claim-takeover"); // one event per crash, by whoever takes the file over
                    assertThat(e.message()).contains(killed.claimOwner()).contains("stopped without finishing")
                            .contains("no attempt charged");
                    assertThat(pidOf(e.actor())).isEqualTo(rerun.pid());
                });
                assertThat(events).anyMatch(e -> e.action().equals("claim-takeover"));
                assertThat(events).filteredOn(e -> e.action().equals("ship") && e.ok())
                        .allSatisfy(e -> assertThat(pidOf(e.actor())).isEqualTo(rerun.pid()));
            }
        }
        // nothing at a final name but the three files; a partial upload may be left only under a hidden name
        List<String> visible = new ArrayList<>();
        List<String> hidden = new ArrayList<>();
        try (Stream<Path> s = Files.walk(storage)) {
            s.filter(Files::isRegularFile).forEach(p -> (p.getFileName().toString().startsWith(".") ? hidden : visible)
                    .add(storage.relativize(p).toString()));
        }
        assertThat(visible).hasSize(3);
        System.err.println("hidden partial uploads left by the killed process: " + hidden);
        assertThat(disk.resolve(run)).doesNotExist();
        assertThat(disk.resolve("ReadyForData")).exists();
    }
}
