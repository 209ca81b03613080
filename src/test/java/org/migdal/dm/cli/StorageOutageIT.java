package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.testinfra.XrootdServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, defect 3: a real XRootD storage server stopped for 8 cycles and started again. During the outage no file is
 * charged an attempt, nothing is quarantined and no DAQ copy is deleted; afterwards every file reaches tape.
 */
class StorageOutageIT {
    @TempDir
    Path tmp;

    private static List<CatalogFile> rows(CliFixture fx) {
        try (JdbcCatalog c = JdbcCatalog.open("sqlite:" + fx.base.resolve("catalog.db"), null, null,
                new ClaimPolicy("observer:1:0", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 2)) {
            return c.list(FileFilter.all(1000));
        }
    }

    @Test
    void aStoppedStorageServerChargesNoFileAndEveryFileReachesTapeAfterItsReturn() throws Exception {
        try (XrootdServer server = XrootdServer.startPlain()) {
            // a stock XRootD server has no tape behind it: size and adler32 confirm the "tape" copy
            CliFixture fx = new CliFixture(tmp, "cleanupRaw: false, requireTapeResidency: false");
            String yaml = Files.readString(fx.config)
                    .replace("storage: {disk: \"" + fx.storage.toUri() + "\", tape: \"" + fx.tape.toUri() + "\"}",
                            "storage: {disk: \"" + server.rootBase() + "//dcache/migdal\", tape: \"" + server.httpBase()
                                    + "/antares/migdal\", diskAuth: none, tapeAuth: none}")
                    .replace("transfer: {threads: 2, retryBackoffSeconds: 0}", "transfer: {threads: 2, retryBackoffSeconds: 0, maxAttempts: 2}");
            assertThat(yaml).doesNotContain("file:");
            Files.writeString(fx.config, yaml);
            CliFixture.Run init = fx.cli("storage", "init");
            assertThat(init.code()).as(init.toString()).isZero();

            server.stop();
            for (int cycle = 1; cycle <= 8; cycle++) {
                CliFixture.Run r = fx.cli("run", "--role", "all");
                assertThat(r.code()).as("cycle %d during the outage: %s", cycle, r).isEqualTo(1);
                assertThat(r.err()).contains("is DOWN since");
                CliFixture.Run probe = fx.cli("storage", "probe");
                assertThat(probe.code()).as(probe.toString()).isEqualTo(1);
                assertThat(probe.out()).contains("DOWN");
            }
            List<CatalogFile> during = rows(fx);
            assertThat(during).hasSize(7);
            assertThat(during).allSatisfy(f -> {
                assertThat(f.state()).isEqualTo(FileState.REGISTERED);
                assertThat(f.attempts()).as("attempts charged to %s during the outage", f.lfn()).isZero();
            });
            for (String lfn : CliFixture.allLfns()) {
                String name = Path.of(lfn).getFileName().toString();
                try (var s = Files.walk(fx.base.resolve("daq"))) {
                    assertThat(s.anyMatch(p -> p.getFileName().toString().equals(name))).as("DAQ copy of " + lfn).isTrue();
                }
            }
            CliFixture.Run status = fx.cli("status");
            assertThat(status.out()).contains(server.rootBase()).contains("is DOWN since");
            assertThat(fx.cli("doctor").code()).isEqualTo(1);

            server.restart();
            CliFixture.Run probe = fx.cli("storage", "probe");
            assertThat(probe.code()).as(probe.toString()).isZero();
            for (int cycle = 0; cycle < 6 && !rows(fx).stream().allMatch(f -> f.state() == FileState.ON_TAPE); cycle++) {
                CliFixture.Run r = fx.cli("run", "--role", "all");
                assertThat(r.code()).as(r.toString()).isZero();
            }
            List<CatalogFile> after = rows(fx);
            assertThat(after).allSatisfy(f -> {
                assertThat(f.state()).as(f.lfn()).isEqualTo(FileState.ON_TAPE);
                assertThat(f.localDeletedAt()).as(f.lfn()).isNotNull();
            });
            assertThat(fx.cli("status").out()).doesNotContain("is DOWN");
        }
    }
}
