package org.migdal.dm.archive;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.batch.ClusterRange;
import org.migdal.dm.batch.Condor;
import org.migdal.dm.batch.CondorCommands;
import org.migdal.dm.batch.CondorException;
import org.migdal.dm.batch.FakeCondorPool;
import org.migdal.dm.batch.JobAd;
import org.migdal.dm.batch.JobId;
import org.migdal.dm.batch.SubmitDescription;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.health.EndpointHealth;
import org.migdal.dm.health.Failures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.archive.ArchiveFixture.filesUnder;

/**
 * Contract tests of the HTCondor executor against the stand-in pool of {@link FakeCondorPool} (HTCondor cannot run
 * here): the real condor_submit/condor_q/condor_history/condor_rm/condor_release command lines and output formats of
 * HTCondor, jobs that really run ({@code migdal-dm job run} in a fresh JVM, in a scratch folder, with a cleared
 * environment), the job event log written in HTCondor's format, and the pool's faults: holds, evictions, killed and
 * aborted jobs, lost jobs, a refused submit, an expired proxy, an unreachable schedd.
 */
class GridCompressionContractTest {
    @TempDir
    Path tmp;
    ArchiveFixture fx;
    FakeCondorPool pool;
    Path spool;
    Path worker;
    final AtomicInteger submits = new AtomicInteger();

    @BeforeEach
    void setUp() throws IOException {
        fx = new ArchiveFixture(tmp, 3);
        org.migdal.dm.testinfra.Markers.initialised(fx.storageRoot); // a worker believes the storage only with its marker
        pool = FakeCondorPool.create(tmp);
        spool = tmp.resolve("spool");
        // the launcher as the worker nodes run it: it finds Java only through the JAVA the submit description passes on
        worker = tmp.resolve("migdal-dm-worker");
        Files.writeString(worker, "#!/bin/sh\nexec \"$JAVA\" -Xmx256m -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' org.migdal.dm.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void tearDown() {
        pool.close();
        fx.close();
    }

    /** The real commands against the pool, counting condor_submit runs; {@code loseAnswer}: the first submit's answer is lost. */
    private Condor condor(boolean loseAnswer) {
        Condor real = new CondorCommands(pool.bin(), pool.env(), Duration.ofSeconds(60));
        AtomicInteger lost = new AtomicInteger(loseAnswer ? 1 : 0);
        return new Condor() {
            @Override
            public ClusterRange submit(Path submitFile) throws CondorException {
                submits.incrementAndGet();
                ClusterRange r = real.submit(submitFile);
                if (lost.getAndDecrement() > 0) {
                    throw CondorException.timedOut(List.of("condor_submit", "-terse", submitFile.toString()), Duration.ofSeconds(60), "");
                }
                return r;
            }

            @Override
            public List<JobAd> queue(long cluster) throws CondorException {
                return real.queue(cluster);
            }

            @Override
            public List<JobAd> history(long cluster, long since) throws CondorException {
                return real.history(cluster, since);
            }

            @Override
            public List<JobAd> queueByBatchName(String batchName) throws CondorException {
                return real.queueByBatchName(batchName);
            }

            @Override
            public List<JobAd> historyByBatchName(String batchName, int limit) throws CondorException {
                return real.historyByBatchName(batchName, limit);
            }

            @Override
            public Outcome remove(JobId id, String reason) throws CondorException {
                return real.remove(id, reason);
            }

            @Override
            public Outcome removeCluster(long cluster, String reason) throws CondorException {
                return real.removeCluster(cluster, reason);
            }

            @Override
            public Outcome release(JobId id) throws CondorException {
                return real.release(id);
            }
        };
    }

    private GridCompression grid(Condor condor, Duration silent, int jobsPerCycle) {
        return grid(condor, silent, jobsPerCycle, d -> d);
    }

    /** As {@link #grid(Condor, Duration, int)} with the cycles' submit description wrapped by {@code wrap}. */
    private GridCompression grid(Condor condor, Duration silent, int jobsPerCycle,
                                 java.util.function.UnaryOperator<GridSubmitter.Description> wrap) {
        CompressionJob.Settings settings = new CompressionJob.Settings(fx.storage.base().toString(), "none", null, false, "",
                Codec.BZIP2, 9);
        CompressionResults results = new CompressionResults(fx.catalog, fx.storage, new Failures(new EndpointHealth(fx.catalog,
                Clock.systemUTC())));
        GridDecisions decisions = new GridDecisions(fx.catalog, condor, results, 3);
        GridCollector collector = new GridCollector(fx.catalog, condor, decisions, Clock.systemUTC(), silent, Duration.ZERO,
                Duration.ZERO);
        Map<String, String> env = Map.of("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(), "LC_ALL", "C.UTF-8");
        GridSubmitter submitter = new GridSubmitter(fx.catalog, condor, settings, wrap.apply((dir, batch) -> new SubmitDescription(dir,
                worker, false, "1", "1 GB", "1 GB", null, env, batch, null, null, List.of())), spool, "migdal-grid", Clock.systemUTC());
        return new GridCompression(fx.catalog, collector, submitter, jobsPerCycle);
    }

    /** Runs grid cycles, as cron would, until {@code done} holds (each cycle returns at once; bounded by a deadline). */
    private ArchiveReport cyclesUntil(GridCompression grid, BooleanSupplier done) {
        ArchiveReport[] total = {new ArchiveReport(0, 0, 0, 0, 0, 0)};
        if (!done.getAsBoolean()) {
            Awaitility.await("grid cycles until done; states: " + fx.catalog.counts()).atMost(Duration.ofMinutes(3))
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).until(() -> {
                        total[0] = total[0].plus(grid.run(b -> { }));
                        return done.getAsBoolean();
                    });
        }
        return total[0];
    }

    private long count(FileState s) {
        return fx.catalog.count(new FileFilter(s, null, null, null, 0, 100_000));
    }

    private boolean allCompressed(int n) {
        return count(FileState.COMPRESSED) == n;
    }

    private boolean settled() {
        return fx.catalog.batch().inFlight() == 0 && count(FileState.COMPRESSING) == 0;
    }

    @Test
    void contractOneCondorSubmitPerCycleAndTheCycleReturnsWithoutWaiting() throws Exception {
        List<CatalogFile> rows = fx.shipped(5, 2);
        GridCompression grid = grid(condor(false), Duration.ofMinutes(30), 150);

        ArchiveReport first = grid.run(b -> { });
        assertThat(first.compressed()).isZero();
        assertThat(submits).hasValue(1);
        assertThat(count(FileState.COMPRESSING)).isEqualTo(5);
        assertThat(fx.catalog.batch().inFlight()).isEqualTo(5);
        List<Path> cycles = Files.list(spool).toList();
        assertThat(cycles).hasSize(1);
        assertThat(Files.readAllLines(cycles.get(0).resolve("items.txt"))).hasSize(5).allMatch(l -> l.matches("j\\d+-[0-9a-f]{12}"));
        assertThat(Files.readString(cycles.get(0).resolve("cycle.sub"))).contains("queue MigdalJob from " + cycles.get(0).resolve("items.txt"));

        ArchiveReport rest = cyclesUntil(grid, () -> allCompressed(5) && settled());
        assertThat(first.plus(rest).compressed()).isEqualTo(5);
        assertThat(submits).as("no new file, no new submit").hasValue(1);
        for (CatalogFile f : rows) {
            CatalogFile after = fx.row(f.lfn());
            assertThat(after.compressedName()).isEqualTo(f.lfn() + ".bz2");
            assertThat(ArchiveFixture.adler32(fx.inStorage(after.compressedName()))).isEqualTo(after.compressedAdler32());
            assertThat(fx.events(f.lfn())).anyMatch(e -> e.action().equals("compress-submit") && e.message().contains("HTCondor job "));
        }
        assertThat(filesUnder(fx.storageRoot)).noneMatch(p -> p.contains(".mdm-"));
        assertThat(pool.leftovers()).as("jobs leave nothing in their scratch folders").isEmpty();
        assertThat(filesUnder(spool)).as("a collected cycle's folder is removed").isEmpty();
    }

    @Test
    void contractHeldEvictedKilledAbortedAndFailedJobsEndAsTheyShouldAndNothingIsLost() throws Exception {
        fx.shipped(7, 2);
        pool.writeFaults("""
                {"faults": [
                  {"match": "CAL.0000.", "kind": "hold", "code": 13, "subcode": 2, "times": 1,
                   "reason": "Error from slot1_1@ep01.example.org: Failed to transfer files"},
                  {"match": "CAL.0001.", "kind": "hold", "code": 34, "subcode": 102, "times": 1,
                   "reason": "Error from slot1_3@ep03.example.org: Job has gone over cgroup memory limit of 1024 megabytes."},
                  {"match": "CAL.0002.", "kind": "evict", "times": 1},
                  {"match": "CAL.0003.", "kind": "kill", "times": 1},
                  {"match": "CAL.0004.", "kind": "abort", "times": 1},
                  {"match": "CAL.0005.", "kind": "exit", "code": 3, "times": 1}
                ]}""");
        GridCompression grid = grid(condor(false), Duration.ofMinutes(30), 150);
        grid.run(b -> { });
        // the failed files come round again (no backoff in this fixture) and, the faults spent, are compressed: nothing stuck
        cyclesUntil(grid, () -> allCompressed(7) && settled());
        assertThat(submits.get()).isGreaterThanOrEqualTo(2);

        CatalogFile held13 = byName("CAL.0000.");
        assertThat(failures(held13)).as("a transfer hold is released and the same job completes").isEmpty();
        assertThat(fx.events(held13.lfn())).anyMatch(e -> e.action().equals("compress-hold")
                && e.message().contains("Failed to transfer files (Code 13 Subcode 2); released (1 of at most 3)"));
        assertThat(failures(byName("CAL.0001."))).singleElement().asString().contains("held for a reason a release does not cure")
                .contains("cgroup memory limit").contains("Code 34 Subcode 102").contains("the job was removed");
        assertThat(failures(byName("CAL.0002."))).as("an evicted job waits and runs again").isEmpty();
        assertThat(failures(byName("CAL.0003."))).singleElement().asString().contains("killed by signal 9").contains("no result");
        assertThat(failures(byName("CAL.0004."))).singleElement().asString().contains("was aborted").contains("via condor_rm");
        assertThat(failures(byName("CAL.0005."))).singleElement().asString().contains("return value 3").contains("no result");
        assertThat(failures(byName("CAL.0006."))).isEmpty();
        assertThat(fx.catalog.list(new FileFilter(null, null, null, null, 0, 100))).allMatch(f -> f.crashes() == 0);
        assertThat(filesUnder(fx.storageRoot)).noneMatch(p -> p.contains(".mdm-"));
        assertThat(filesUnder(spool)).isEmpty();
        assertThat(pool.leftovers()).isEmpty();
    }

    /** The failed compression attempts in a file's history. */
    private List<String> failures(CatalogFile f) {
        return fx.events(f.lfn()).stream().filter(e -> e.action().equals("compress") && !e.ok()).map(e -> e.message()).toList();
    }

    private CatalogFile byName(String part) {
        return fx.catalog.list(new FileFilter(null, null, null, null, 0, 1000)).stream().filter(f -> f.lfn().contains(part))
                .findFirst().orElseThrow();
    }

    @Test
    void contractAnUnreachableScheddChargesNothingAndTheWorkWaits() throws Exception {
        fx.shipped(3, 2);
        pool.writeFaults("{\"schedd\": \"down\"}");
        GridCompression grid = grid(condor(false), Duration.ZERO, 150);

        grid.run(b -> { });
        assertThat(count(FileState.ON_DISK_STORAGE)).isEqualTo(3);
        assertThat(fx.catalog.list(new FileFilter(null, null, null, null, 0, 100))).allMatch(f -> f.attempts() == 0);
        assertThat(fx.catalog.endpoint(GridCompression.EXECUTOR)).get().extracting(EndpointStatus::down).isEqualTo(true);
        assertThat(fx.catalog.endpoint(GridCompression.EXECUTOR).orElseThrow().reason()).contains("Can't find address of local schedd");
        assertThat(fx.catalog.batch().inFlight()).as("failed before the commit: nothing recorded").isZero();

        pool.writeFaults("{\"schedd\": \"up\", \"slots\": 0}"); // queued, not started: none can finish while the schedd is lost
        grid.run(b -> { });
        assertThat(fx.catalog.batch().inFlight()).isEqualTo(3);
        // the schedd is lost with the jobs queued: cycles go on, reconciling (condor_q) fails, nothing is charged or lost
        pool.writeFaults("{\"schedd\": \"down\", \"slots\": 0}");
        for (int i = 0; i < 3; i++) {
            grid.run(b -> { });
        }
        assertThat(fx.catalog.endpoint(GridCompression.EXECUTOR).orElseThrow().down()).isTrue();
        assertThat(fx.catalog.batch().inFlight()).isEqualTo(3);
        pool.writeFaults("{\"schedd\": \"up\"}");
        cyclesUntil(grid, () -> allCompressed(3) && settled());
        assertThat(fx.catalog.list(new FileFilter(null, null, null, null, 0, 100))).allMatch(f -> f.attempts() == 0);
    }

    @Test
    void contractARefusedSubmitOrAnExpiredProxyPutsTheFilesBackUncharged() throws Exception {
        fx.shipped(2, 2);
        GridCompression grid = grid(condor(false), Duration.ofMinutes(30), 150);
        for (String fault : List.of("refuse", "proxy-expired")) {
            pool.writeFaults("{\"submit\": \"" + fault + "\"}");
            grid.run(b -> { });
            assertThat(count(FileState.ON_DISK_STORAGE)).isEqualTo(2);
            assertThat(fx.catalog.list(new FileFilter(null, null, null, null, 0, 100))).allMatch(f -> f.attempts() == 0);
            assertThat(fx.catalog.batch().inFlight()).isZero();
            assertThat(fx.catalog.endpoint(GridCompression.EXECUTOR).orElseThrow().down()).isTrue();
        }
        assertThat(fx.catalog.endpoint(GridCompression.EXECUTOR).orElseThrow().reason()).contains("proxy has expired");
        assertThat(filesUnder(spool)).isEmpty();
        pool.writeFaults("{}");
        cyclesUntil(grid, () -> allCompressed(2) && settled());
        assertThat(fx.catalog.endpoint(GridCompression.EXECUTOR).orElseThrow().down()).isFalse();
    }

    @Test
    void contractAJobThatVanishesIsFoundMissingByOneQueryPerClusterAndFailsItsFile() throws Exception {
        fx.shipped(2, 2);
        pool.writeFaults("{\"faults\": [{\"match\": \"CAL.0001.\", \"kind\": \"vanish\", \"times\": 1}]}");
        GridCompression grid = grid(condor(false), Duration.ZERO, 150);
        grid.run(b -> { });
        cyclesUntil(grid, () -> allCompressed(2) && settled());
        assertThat(failures(byName("CAL.0001."))).singleElement().asString().contains("known to neither condor_q nor condor_history");
    }

    @Test
    void contractASubmitWhoseAnswerIsLostIsFoundByItsBatchNameAndNotSubmittedTwice() throws Exception {
        fx.shipped(3, 2);
        GridCompression grid = grid(condor(true), Duration.ofMinutes(30), 150);
        grid.run(b -> { });
        assertThat(fx.catalog.batch().inFlight()).isEqualTo(3);
        assertThat(fx.catalog.batch().cycles()).singleElement().satisfies(c -> assertThat(c.cluster()).isNull());
        cyclesUntil(grid, () -> allCompressed(3) && settled());
        assertThat(submits).as("the lost cycle was adopted, not submitted again").hasValue(1);
        assertThat(fx.events(byName("CAL.0000.").lfn())).anyMatch(e -> e.message().contains("found in the queue by its batch name"));
    }

    @Test
    void contractACycleOf150JobsIsOneCondorSubmitAndReturnsAtOnce() throws Exception {
        fx.shipped(150, 1);
        pool.writeFaults("{\"slots\": 0}"); // the pool queues but runs nothing: this measures the submitting cycle alone
        GridCompression grid = grid(condor(false), Duration.ofMinutes(30), 150);
        long t0 = System.nanoTime();
        grid.run(b -> { });
        double ms = (System.nanoTime() - t0) / 1e6;
        assertThat(submits).hasValue(1);
        assertThat(fx.catalog.batch().inFlight()).isEqualTo(150);
        List<org.migdal.dm.catalog.BatchJob.Cycle> cycles = fx.catalog.batch().cycles();
        assertThat(cycles).singleElement().satisfies(c -> assertThat(c.cluster()).isNotNull());
        assertThat(fx.catalog.batch().jobs(cycles.get(0).id())).extracting(j -> j.proc()).containsExactlyInAnyOrderElementsOf(
                java.util.stream.IntStream.range(0, 150).boxed().toList());
        assertThat(Files.readAllLines(Path.of(cycles.get(0).dir(), "items.txt"))).hasSize(150);
        System.out.printf("grid cycle submitting 150 jobs (claim 150, write 150 job files, one condor_submit -terse of the"
                + " stand-in pool, record the cluster): %.0f ms%n", ms);
    }

    /** Stands for a SIGKILL: nothing of the process runs on from the instant it is thrown. */
    private static final class Killed extends Error {
        Killed() {
            super("killed", null, false, false);
        }
    }

    /** The cycle folders in the spool. */
    private List<Path> cycleFolders() throws IOException {
        if (!Files.exists(spool)) {
            return List.of();
        }
        try (var s = Files.list(spool)) {
            return s.toList();
        }
    }

    @Test
    void aGridProcessKilledWhileWritingItsCycleFolderLeavesACycleTheCollectorCleansUpNeverAnUnnamedFolder() throws Exception {
        fx.shipped(3, 2);
        AtomicInteger kills = new AtomicInteger(1);
        GridCompression grid = grid(condor(false), Duration.ofMinutes(30), 150, d -> (dir, batch) -> {
            if (kills.getAndDecrement() > 0) {
                throw new Killed(); // killed while the cycle's folder is half written, before condor_submit
            }
            return d.forCycle(dir, batch);
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> grid.run(b -> { })).isInstanceOf(Killed.class);
        assertThat(submits).hasValue(0);
        List<String> named = fx.catalog.batch().cycles().stream().map(c -> Path.of(c.dir()).toString()).toList();
        assertThat(cycleFolders()).as("every cycle folder a killed process leaves is named by a cycle in the catalog, so a"
                + " collection removes it").isNotEmpty().allSatisfy(f -> assertThat(named).contains(f.toAbsolutePath().toString()));

        cyclesUntil(grid, () -> allCompressed(3) && settled() && fx.catalog.batch().cycles().isEmpty());
        assertThat(submits).as("the killed cycle was never queued: one submit in all").hasValue(1);
        assertThat(cycleFolders()).as("the killed cycle's folder is removed").isEmpty();
        assertThat(fx.catalog.list(new FileFilter(null, null, null, null, 0, 100))).allMatch(f -> f.attempts() == 0);
        assertThat(fx.events(byName("CAL.0000.").lfn())).anyMatch(e -> e.message().contains("was never queued"));
    }
}
