package org.migdal.dm.cli;

import org.awaitility.Awaitility;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.archive.GridCompression;
import org.migdal.dm.batch.CondorCommands;
import org.migdal.dm.batch.FakeCondorPool;
import org.migdal.dm.batch.JobAd;
import org.migdal.dm.batch.JobStatus;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jobs}, {@code jobs cancel}, and the HTCondor parts of {@code status} and {@code doctor}, with jobs really
 * submitted by {@code archive} (executor htcondor) to the stand-in pool of {@link FakeCondorPool}: every job but one is
 * held at start (an operator's hold, which the collector leaves alone), the one runs, uploads its temporary and ends.
 */
class CliJobsTest {
    @TempDir
    Path tmp;
    CliFixture fx;
    FakeCondorPool pool;
    Path spool;
    Path worker;
    CondorCommands condor;

    @BeforeEach
    void setUp() throws IOException {
        fx = new CliFixture(tmp, "jobsPerCycle: 50");
        pool = FakeCondorPool.create(tmp);
        condor = new CondorCommands(pool.bin(), pool.env(), Duration.ofSeconds(60));
        spool = tmp.resolve("spool");
        // the condor commands as the CLI finds them (executor.htcondor.commandDir): the pool's, with its state directory
        Path commands = Files.createDirectories(tmp.resolve("condor-bin"));
        for (String c : List.of("condor_submit", "condor_q", "condor_history", "condor_rm", "condor_release")) {
            executable(commands.resolve(c), "#!/bin/sh\nMIGDAL_FAKE_CONDOR='" + pool.stateDir() + "' exec '" + pool.command(c) + "' \"$@\"\n");
        }
        worker = tmp.resolve("migdal-dm-worker");
        executable(worker, "#!/bin/sh\nexec \"$JAVA\" -Xmx256m -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' org.migdal.dm.cli.Main \"$@\"\n");
        String yaml = Files.readString(fx.config).replace("executor: {threads: 2}", """
                executor:
                  type: htcondor
                  threads: 2
                  htcondor: {executable: "%s", spoolDir: "%s", commandDir: "%s", commandTimeoutSeconds: 30, requestMemory: "1 GB", requestDisk: "1 GB"}
                """.formatted(worker, spool, commands));
        Files.writeString(fx.config, yaml);
        assertThat(fx.cli("scan").code()).isZero();
        CliFixture.Run ship = fx.cli("ship");
        assertThat(ship.code()).as(ship.toString()).isZero();
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private JdbcCatalog catalog() {
        return JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("observer:1:0", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 2);
    }

    /** archive with executor htcondor: one cycle of 7 jobs; all but RUN_A's first file held by an operator's hold. */
    private long submit() throws Exception {
        pool.writeFaults("""
                {"faults": [
                  {"match": "%s", "kind": "hold", "code": 1, "times": 1000, "reason": "via condor_hold (by user operator)"},
                  {"match": "%s", "kind": "hold", "code": 1, "times": 1000, "reason": "via condor_hold (by user operator)"},
                  {"match": "CAL.0001.", "kind": "hold", "code": 1, "times": 1000, "reason": "via condor_hold (by user operator)"},
                  {"match": "CAL.0002.", "kind": "hold", "code": 1, "times": 1000, "reason": "via condor_hold (by user operator)"}
                ]}""".formatted(CliFixture.RUN_B, CliFixture.RUN_C));
        CliFixture.Run archive = fx.cli("archive");
        assertThat(archive.code()).as(archive.toString()).isZero();
        try (JdbcCatalog c = catalog()) {
            assertThat(c.batch().inFlight()).isEqualTo(7);
            assertThat(c.batch().cycles()).singleElement().satisfies(cy -> assertThat(cy.cluster()).isNotNull());
            return c.batch().cycles().get(0).cluster();
        }
    }

    /** The ProcId of each file's job, by LFN. */
    private Map<String, Integer> procs() {
        try (JdbcCatalog c = catalog()) {
            Map<String, Integer> m = new java.util.HashMap<>();
            for (var cy : c.batch().cycles()) {
                for (var j : c.batch().jobs(cy.id())) {
                    m.put(c.get(j.fileId()).orElseThrow().lfn(), j.proc());
                }
            }
            return m;
        }
    }

    private void until(String what, BooleanSupplier done) {
        Awaitility.await(what).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(done::getAsBoolean);
    }

    private List<JobAd> queue(long cluster) {
        try {
            return condor.queue(cluster);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the one runnable job has ended (left the queue) and the six others are held. */
    private void settledInPool(long cluster) throws InterruptedException {
        until("the runnable job ends and the others are held", () -> {
            List<JobAd> q = queue(cluster);
            return q.size() == 6 && q.stream().allMatch(a -> a.status() == JobStatus.HELD);
        });
    }

    private List<String> storageTemps() throws IOException {
        try (Stream<Path> s = Files.walk(fx.storage)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".mdm-")).toList();
        }
    }

    private List<String> spoolFiles() throws IOException {
        if (!Files.exists(spool)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(spool)) {
            return s.filter(p -> !p.equals(spool)).map(Path::toString).toList();
        }
    }

    @Test
    void jobsListsEachCycleAndJobInTextAndJson() throws Exception {
        long cluster = submit();
        CliFixture.Run r = fx.cli("jobs");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("cycle migdal-grid-").contains("cluster " + cluster).contains("folder " + spool)
                .contains(cluster + ".0").contains(cluster + ".6").contains("IDLE").contains("releases 0")
                .contains("-- 7 job(s) in flight in 1 cycle(s)");
        for (String lfn : CliFixture.allLfns()) {
            assertThat(r.out()).contains(lfn);
        }

        CliFixture.Run j = fx.cli("jobs", "--json");
        assertThat(j.code()).as(j.toString()).isZero();
        JsonNode doc = new ObjectMapper().readTree(j.out());
        assertThat(doc.get("inFlight").asInt()).isEqualTo(7);
        JsonNode cycle = doc.get("cycles").get(0);
        assertThat(cycle.get("cluster").asLong()).isEqualTo(cluster);
        assertThat(cycle.get("folder").asText()).startsWith(spool.toString());
        assertThat(cycle.get("submittedAt").isNull()).isFalse();
        assertThat(cycle.get("jobs")).hasSize(7);
        JsonNode job = cycle.get("jobs").get(0);
        assertThat(job.get("jobId").asText()).isEqualTo(cluster + ".0");
        assertThat(job.get("status").asText()).isEqualTo("IDLE");
        assertThat(job.get("lfn").asText()).startsWith("/");
        assertThat(job.has("releases")).isTrue();
        assertThat(job.has("lastEventAt")).isTrue();
        assertThat(job.has("detail")).isTrue();
    }

    @Test
    void cancelOneLfnThenAllPutsTheFilesBackUnchargedAndRemovesTheJobs() throws Exception {
        long cluster = submit();
        settledInPool(cluster);
        String ended = CliFixture.lfn(CliFixture.RUN_A, 0); // its job ran and uploaded its temporary: HTCondor no longer knows it
        String held = CliFixture.lfn(CliFixture.RUN_A, 1);
        Map<String, Integer> procs = procs();
        List<Integer> othersProcs = procs.entrySet().stream().filter(e -> !e.getKey().equals(ended) && !e.getKey().equals(held))
                .map(Map.Entry::getValue).toList();
        assertThat(storageTemps()).as("the job that ran left its upload").hasSize(1);

        CliFixture.Run one = fx.cli("jobs", "cancel", ended, held);
        assertThat(one.code()).as(one.toString()).isZero();
        assertThat(one.out()).contains(ended + ": HTCondor job " + cluster + "." + procs.get(ended) + " was no longer known to HTCondor")
                .contains("put back to ON_DISK_STORAGE, no attempt charged").contains("temporary upload")
                .contains(held + ": HTCondor job " + cluster + "." + procs.get(held) + " removed (condor_rm " + cluster + "." + procs.get(held) + ")")
                .contains("-- 2 job(s) cancelled");
        assertThat(storageTemps()).as("the cancelled job's temporary upload is removed").isEmpty();
        try (JdbcCatalog c = catalog()) {
            for (String lfn : List.of(ended, held)) {
                CatalogFile f = c.find(lfn).orElseThrow();
                assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
                assertThat(f.attempts()).isZero();
                assertThat(f.claimOwner()).isNull();
                assertThat(c.events(f.id())).anyMatch(e -> e.action().equals("compress-cancel"));
            }
            assertThat(c.batch().inFlight()).isEqualTo(5);
            assertThat(c.count(new FileFilter(FileState.COMPRESSING, null, null, null, 0, 100))).isEqualTo(5);
        }
        assertThat(queue(cluster)).extracting(a -> a.id().proc()).containsExactlyInAnyOrderElementsOf(othersProcs);
        assertThat(condor.history(cluster, 0)).filteredOn(a -> a.id().proc() == procs.get(held)).singleElement()
                .satisfies(a -> assertThat(a.status()).isEqualTo(JobStatus.REMOVED));
        assertThat(spoolFiles()).as("the cycle still has jobs: its folder stays").isNotEmpty();

        CliFixture.Run all = fx.cli("jobs", "cancel", "--all");
        assertThat(all.code()).as(all.toString()).isZero();
        assertThat(all.out()).contains("(condor_rm " + cluster + ")").doesNotContain("(condor_rm " + cluster + ".")
                .contains("-- 5 job(s) cancelled").contains("closed, its folder");
        try (JdbcCatalog c = catalog()) {
            assertThat(c.batch().inFlight()).isZero();
            assertThat(c.batch().cycles()).isEmpty();
            List<CatalogFile> files = c.list(new FileFilter(null, null, null, null, 0, 100));
            assertThat(files).hasSize(7).allSatisfy(f -> {
                assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
                assertThat(f.attempts()).isZero();
            });
        }
        assertThat(queue(cluster)).as("the pool has no job of the cluster left").isEmpty();
        assertThat(condor.history(cluster, 0)).hasSize(7).filteredOn(a -> a.status() == JobStatus.REMOVED).hasSize(6);
        assertThat(spoolFiles()).as("nothing left in the spool").isEmpty();
        assertThat(storageTemps()).isEmpty();

        CliFixture.Run none = fx.cli("jobs");
        assertThat(none.code()).isZero();
        assertThat(none.out()).contains("-- 0 job(s) in flight in 0 cycle(s)");
        CliFixture.Run again = fx.cli("jobs", "cancel", held);
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains(held + ": no job in flight (the file is ON_DISK_STORAGE); nothing done");
    }

    @Test
    void cancelWithTheScheddDownChangesNothingAndSaysWhy() throws Exception {
        long cluster = submit();
        settledInPool(cluster);
        List<String> spoolBefore = spoolFiles();
        pool.writeFaults("{\"schedd\": \"down\"}");

        for (String[] args : List.of(new String[] {"jobs", "cancel", "--all"},
                new String[] {"jobs", "cancel", CliFixture.lfn(CliFixture.RUN_A, 0)})) {
            CliFixture.Run r = fx.cli(args);
            assertThat(r.code()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("the HTCondor schedd (htcondor:schedd) did not carry out the removal (SCHEDD_UNREACHABLE)")
                    .contains("Can't find address").contains("nothing was changed");
            assertThat(r.out()).contains("NOT cancelled, nothing changed (condor_rm failed: SCHEDD_UNREACHABLE)")
                    .contains("-- 0 job(s) cancelled");
        }
        try (JdbcCatalog c = catalog()) {
            assertThat(c.batch().inFlight()).isEqualTo(7);
            assertThat(c.batch().cycles()).hasSize(1);
            assertThat(c.count(new FileFilter(FileState.COMPRESSING, null, null, null, 0, 100))).isEqualTo(7);
            assertThat(c.list(new FileFilter(null, null, null, null, 0, 100)))
                    .allMatch(f -> f.attempts() == 0 && f.claimOwner() == null, "uncharged, and claimed by nobody");
            for (CatalogFile f : c.list(new FileFilter(null, null, null, null, 0, 100))) {
                assertThat(c.events(f.id())).noneMatch(e -> e.action().equals("compress-cancel"));
            }
        }
        assertThat(spoolFiles()).isEqualTo(spoolBefore);
        assertThat(storageTemps()).hasSize(1);
        pool.writeFaults("{\"schedd\": \"up\"}");
        assertThat(queue(cluster)).as("the jobs are still queued").hasSize(6);
    }

    @Test
    void statusAndDoctorShowTheExecutor() throws Exception {
        long cluster = submit();
        CliFixture.Run s = fx.cli("status");
        assertThat(s.code()).as(s.toString()).isZero();
        assertThat(s.out()).contains("HTCondor:").contains("7 job(s) in flight (7 IDLE) in 1 open cycle(s); `migdal-dm jobs` lists them")
                .contains("schedd (htcondor:schedd) is UP").doesNotContain("endpoint htcondor:schedd");
        JsonNode json = new ObjectMapper().readTree(fx.cli("status", "--json").out());
        assertThat(json.get("htcondor").get("inFlight").asInt()).isEqualTo(7);
        assertThat(json.get("htcondor").get("cyclesOpen").asInt()).isEqualTo(1);
        assertThat(json.get("htcondor").get("schedd").get("state").asText()).isEqualTo("UP");

        CliFixture.Run d = fx.cli("doctor");
        Map<String, String> lines = d.out().lines().filter(l -> l.contains("htcondor"))
                .collect(Collectors.toMap(l -> l.substring(5, 27).strip(), l -> l, (a, b) -> a));
        assertThat(lines.get("htcondor commands")).startsWith("OK").contains("condor_submit, condor_q, condor_history, condor_rm,"
                + " condor_release found in " + tmp.resolve("condor-bin"));
        assertThat(lines.get("htcondor executable")).startsWith("OK").contains(worker.toString()).contains("executable");
        assertThat(lines.get("htcondor jobs")).startsWith("OK").contains("7 job(s) in flight (7 IDLE) in 1 open cycle(s)");
        assertThat(lines.get("htcondor schedd")).startsWith("OK").contains("(htcondor:schedd) is UP");
        assertThat(d.code()).as(d.toString()).isZero();

        // the schedd lost (as the grid cycle records it): status says so once, in the HTCondor section, with why and since when
        try (JdbcCatalog c = catalog()) {
            c.endpointDown(GridCompression.EXECUTOR, "condor_q 4711: exit 1, SCHEDD_UNREACHABLE: Can't find address of local schedd");
        }
        CliFixture.Run down = fx.cli("status");
        assertThat(down.out()).contains("schedd (htcondor:schedd) is DOWN since ").contains("Can't find address")
                .doesNotContain("endpoint htcondor:schedd");
        assertThat(cluster).isPositive();

        // a launcher that is gone and commands that cannot be found are FAILs of doctor
        Files.delete(worker);
        Files.writeString(fx.config, Files.readString(fx.config).replace(tmp.resolve("condor-bin").toString(), tmp.resolve("nowhere").toString()));
        CliFixture.Run bad = fx.cli("doctor");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out()).containsPattern("FAIL +htcondor commands +condor_submit, condor_q, condor_history, condor_rm, condor_release not found")
                .containsPattern("FAIL +htcondor executable +executor.htcondor.executable " + worker + " does not exist here")
                .containsPattern("WARN +htcondor schedd +\\(htcondor:schedd\\) is DOWN since .*Can't find address")
                .doesNotContain("endpoint htcondor:schedd");
    }

    @Test
    void aCycleWhoseClusterIsNotYetKnownIsListedSoAndCancelledWhenTheScheddHasNoJobOfIt() throws Exception {
        Path dir = Files.createDirectories(spool.resolve("20260101T000000-lost01"));
        Files.writeString(dir.resolve("cycle.sub"), "queue\n");
        // a submitter that recorded its plan and died before condor_submit answered (its claims have run out)
        try (JdbcCatalog c = JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("submitter:1:0", Duration.ofMillis(1), 3, Duration.ZERO), Clock.systemUTC(), 2)) {
            List<CatalogFile> claimed = c.claim(org.migdal.dm.catalog.Stage.COMPRESS, 2);
            assertThat(claimed).hasSize(2);
            c.batch().plan(dir.toString(), "migdal-grid-20260101T000000-lost01", claimed.stream()
                    .map(f -> new org.migdal.dm.catalog.BatchJob.Planned(f, "j" + f.id() + "-000000000000", f.claimToken(),
                            "{\"job\": \"j" + f.id() + "-000000000000\"}")).toList());
            Instant expires = claimed.stream().map(CatalogFile::claimExpires).max(Instant::compareTo).orElseThrow();
            Awaitility.await("the submitter's claims run out").atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expires));
        }
        CliFixture.Run r = fx.cli("jobs");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("cycle migdal-grid-20260101T000000-lost01  cluster not yet known  submitted not yet")
                .contains("PLANNED").contains("-- 2 job(s) in flight in 1 cycle(s)");
        JsonNode doc = new ObjectMapper().readTree(fx.cli("jobs", "--json").out());
        assertThat(doc.get("cycles").get(0).get("cluster").isNull()).isTrue();
        assertThat(doc.get("cycles").get(0).get("jobs").get(0).get("jobId").isNull()).isTrue();

        CliFixture.Run cancel = fx.cli("jobs", "cancel", "--all");
        assertThat(cancel.code()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).contains("was never queued (the schedd has no job of migdal-grid-20260101T000000-lost01)")
                .contains("put back to ON_DISK_STORAGE, no attempt charged").contains("-- 2 job(s) cancelled")
                .contains("its job description cannot be read, so a temporary upload is left to the janitor");
        try (JdbcCatalog c = catalog()) {
            assertThat(c.batch().inFlight()).isZero();
            assertThat(c.batch().cycles()).isEmpty();
            assertThat(c.list(new FileFilter(null, null, null, null, 0, 100))).hasSize(7)
                    .allMatch(f -> f.state() == FileState.ON_DISK_STORAGE && f.attempts() == 0 && f.claimOwner() == null);
        }
        assertThat(spoolFiles()).isEmpty();
    }
}
