package org.migdal.dm.cli;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.batch.FakeCondorPool;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Contract test of the whole grid role on HTCondor, through the command line as cron runs it, against the stand-in pool
 * ({@link FakeCondorPool}: HTCondor's command lines, outputs and job event log; HTCondor itself cannot run here): a DAQ
 * tree reaches tape through compression jobs that really ran, with a refused submit, an unreachable schedd, a hold
 * released, a hold that removes the job, an eviction and a killed job — and nothing is lost or stuck.
 */
class GridRoleOverHtcondorContractTest {
    @TempDir
    Path tmp;
    CliFixture fx;
    FakeCondorPool pool;

    @BeforeEach
    void setUp() throws Exception {
        fx = new CliFixture(tmp, "mover: builtin");
        pool = FakeCondorPool.create(tmp);
        Path worker = tmp.resolve("migdal-dm-worker");
        Files.writeString(worker, "#!/bin/sh\nexec \"$JAVA\" -Xmx256m -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' org.migdal.dm.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));
        String env = pool.env().entrySet().stream().map(e -> e.getKey() + ": '" + e.getValue() + "'").collect(Collectors.joining(", "));
        String yaml = Files.readString(fx.config).replace("executor: {threads: 2}", """
                executor:
                  type: htcondor
                  htcondor:
                    commandDir: '%s'
                    commandEnvironment: {%s}
                    executable: '%s'
                    spoolDir: '%s'
                    requestMemory: 1 GB
                    requestDisk: 1 GB
                """.formatted(pool.bin(), env, worker, tmp.resolve("spool")));
        assertThat(yaml).contains("type: htcondor");
        Files.writeString(fx.config, yaml);
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    private JdbcCatalog catalog() {
        return JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("observer:1:0", Duration.ofMinutes(1), 5, Duration.ZERO), Clock.systemUTC(), 2);
    }

    private long onTape() {
        try (JdbcCatalog c = catalog()) {
            return c.count(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 1000));
        }
    }

    private CliFixture.Run grid() {
        CliFixture.Run r = fx.cli("run", "--role", "grid");
        assertThat(r.code()).as("%s", r).isIn(0, 1);
        return r;
    }

    @Test
    void contractADaqTreeReachesTapeThroughJobsThatReallyRanWhateverThePoolDoes() throws Exception {
        assertThat(fx.cli("run", "--role", "daq").code()).isZero();
        String runA = CliFixture.RUN_A;
        String runB = CliFixture.RUN_B;
        String runC = CliFixture.RUN_C;

        pool.writeFaults("{\"submit\": \"refuse\"}");
        grid();
        pool.writeFaults("{\"schedd\": \"down\"}");
        grid();
        try (JdbcCatalog c = catalog()) {
            assertThat(c.list(FileFilter.all(100))).allSatisfy(f -> {
                assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
                assertThat(f.attempts()).as("an executor outage charges no file").isZero();
            });
            assertThat(c.endpoint("htcondor:schedd").orElseThrow().down()).isTrue();
        }
        assertThat(fx.cli("status").out()).contains("htcondor:schedd");

        pool.writeFaults("""
                {"faults": [
                  {"match": "%s.CAL.0000.", "kind": "hold", "code": 13, "times": 1, "reason": "Error from slot1_1@ep01: Failed to transfer files"},
                  {"match": "%s.CAL.0001.", "kind": "evict", "times": 1},
                  {"match": "%s.CAL.0000.", "kind": "kill", "times": 1},
                  {"match": "%s.CAL.0000.", "kind": "hold", "code": 34, "subcode": 102, "times": 1, "reason": "Job has gone over cgroup memory limit"}
                ]}""".formatted(runA, runA, runB, runC));
        // grid cycles as cron runs them, until every file is on tape
        Awaitility.await("the grid role brings every file to tape").atMost(Duration.ofMinutes(4)).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(300)).until(() -> {
                    grid();
                    return onTape() == 7;
                });

        try (JdbcCatalog c = catalog()) {
            List<CatalogFile> all = c.list(FileFilter.all(100));
            assertThat(all).hasSize(7).allSatisfy(f -> {
                assertThat(f.state()).isEqualTo(FileState.ON_TAPE);
                assertThat(fx.tape.resolve(f.compressedName().substring(1))).exists();
            });
            assertThat(c.batch().inFlight()).isZero();
            assertThat(c.batch().cycles()).isEmpty();
            assertThat(c.endpoint("htcondor:schedd").orElseThrow().down()).isFalse();
            Map<String, List<FileEvent>> events = all.stream().collect(Collectors.toMap(CatalogFile::lfn, f -> c.events(f.id())));
            assertThat(events.get(CliFixture.lfn(runA, 0))).anyMatch(e -> e.action().equals("compress-hold"));
            assertThat(events.get(CliFixture.lfn(runB, 0))).anyMatch(e -> !e.ok() && e.message().contains("killed by signal 9"));
            assertThat(events.get(CliFixture.lfn(runC, 0))).anyMatch(e -> !e.ok() && e.message().contains("Code 34 Subcode 102"));
        }
        assertThat(pool.leftovers()).isEmpty();
        assertThat(Files.list(tmp.resolve("spool")).toList()).isEmpty();
        try (var s = Files.walk(fx.storage)) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith(".mdm-")).toList()).isEmpty();
        }
    }
}
