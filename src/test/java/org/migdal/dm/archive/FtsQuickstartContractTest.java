package org.migdal.dm.archive;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.batch.LocalExecutor;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.Compressor;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.JobFile;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.transfer.ShipReport;
import org.migdal.dm.transfer.Shipper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A quickstart-style full run with the FTS mover: synthetic DAQ runs → scan → ship → compress (verified by decompressing)
 * → FTS3 tape jobs → ON_TAPE → raw cleanup, in one test. FTS3 cannot run here, so the tape stage talks to the FTS3
 * contract server, which answers in the exact formats of {@code ../shared/reference/fts3.md}; storage is real folders
 * named with {@code root://} URLs ({@link AliasedEndpoint}). When a job reaches ARCHIVING the test copies each compressed
 * file from the disk folder to the tape folder, standing in for FTS's data movement; everything else (checksums, the
 * last checks before deleting raw copies) is the product's own code reading real bytes.
 */
class FtsQuickstartContractTest {
    @TempDir
    Path dir;

    @Test
    void scanShipCompressFtsTapeAndRawCleanupInOneRun() throws Exception {
        long started = System.nanoTime();
        TestPki.Layout pki = TestPki.create().writeAll(dir.resolve("pki"));
        try (FtsMoverFixture fx = new FtsMoverFixture(dir.resolve("site"), pki, 5, Duration.ofMinutes(1));
             LocalExecutor executor = new LocalExecutor(2)) {
            Path daqRoot = Files.createDirectories(dir.resolve("daq/data1"));
            MigdalConfig.Daq daq = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data1", daqRoot.toString())), null, null,
                    null, null, null);
            new SyntheticRuns(7).writeRun(daqRoot, "Fe55", LocalDateTime.of(2022, 8, 3, 14, 54, 47), 6, 4L * ArchiveFixture.FRAME);
            new SyntheticRuns(8).writeRun(daqRoot, "Am241", LocalDateTime.of(2022, 8, 4, 9, 12, 0), 6, 4L * ArchiveFixture.FRAME);
            Files.writeString(daqRoot.resolve("ReadyToTransfer"), "");

            int registered = new Scanner(daq, fx.catalog, fx.clock).scan().registered();
            ShipReport shipped = new Shipper(daq, 2, fx.catalog, fx.disk).ship(b -> { });
            ArchiveReport compressed = new Compression(fx.catalog, fx.disk, new Compressor(Codec.named("bzip2"), 9), executor,
                    dir.resolve("work"), 150).run(b -> { });
            assertThat(registered).isEqualTo(12);
            assertThat(shipped.shipped()).isEqualTo(12);
            assertThat(compressed.compressed()).isEqualTo(12);

            // small jobs so several jobs are in flight at once
            FtsMover.Settings s = FtsMoverFixture.settings();
            FtsMover mover = fx.mover(fx.x509(), new FtsMover.Settings(150, 10_000, 5, s.archiveTimeout(), s.retry(),
                    s.pollInterval(), s.inFlightMargin(), "quickstart"));
            FtsClient client = fx.x509();
            fx.server.resetCounts();
            ArchiveReport tape = mover.move();
            int jobs = fx.server.jobCount();
            assertThat(jobs).isEqualTo(3);
            int cycles = 1;
            int polls = 0;
            Set<String> copied = new HashSet<>();
            int testLookups = 0;
            for (int round = 0; round < 10 && count(fx, FileState.ON_TAPE) < 12; round++) {
                for (String job : fx.server.jobIds()) {
                    fx.server.advance(job);
                    if (List.of("ARCHIVING", "FINISHED").contains(fx.server.jobState(job))) {
                        testLookups++;
                        for (JobFile jf : client.jobs(List.of(job), FtsClient.POLL_FILE_FIELDS).get(job).job().files()) {
                            CatalogFile f = fx.catalog.get(Long.parseLong(jf.metadata("catalog_id").orElseThrow())).orElseThrow();
                            if (copied.add(f.lfn())) {
                                fx.copyToTape(f);   // stands in for FTS's copy to the tape endpoint
                            }
                        }
                    }
                }
                fx.clock.advance(Duration.ofMinutes(61));
                tape = tape.plus(mover.move());
                cycles++;
                polls += mover.lastCycle().statusRequests();
            }
            List<CatalogFile> all = fx.catalog.list(FileFilter.all(100));
            assertThat(all).hasSize(12).allSatisfy(f -> assertThat(f.state()).isEqualTo(FileState.ON_TAPE));
            assertThat(tape.onTape()).isEqualTo(12);
            for (CatalogFile f : all) {
                assertThat(ArchiveFixture.adler32(fx.onTape(f))).isEqualTo(f.compressedAdler32());
                assertThat(Files.size(fx.onTape(f))).isEqualTo(f.compressedSize());
                assertThat(fx.events(f)).extracting(FileEvent::message).anyMatch(m -> m.startsWith("on tape: FTS3 job " + f.tapeTransferId()));
            }

            int deleted = new RawCleaner(fx.catalog, fx.disk, fx.tape).clean(100);
            assertThat(deleted).isEqualTo(12);
            for (CatalogFile f : fx.catalog.list(FileFilter.all(100))) {
                assertThat(f.rawDeletedAt()).isNotNull();
                assertThat(fx.disk.folder().resolve(f.lfn().substring(1))).doesNotExist();
                assertThat(fx.disk.folder().resolve(f.compressedName().substring(1))).exists();
            }
            long raw = all.stream().mapToLong(CatalogFile::size).sum();
            long comp = all.stream().mapToLong(f -> f.compressedSize()).sum();
            System.out.printf(Locale.ROOT, "full run with the FTS mover: %d files registered, %d shipped, %d compressed"
                            + " (%.1f MiB → %.1f MiB), %d FTS jobs (5 files each at most), %d mover cycles, %d bulk status"
                            + " requests in all, %d ON_TAPE, %d raw copies deleted; FTS requests by the mover: %d POST /jobs, %d GET /jobs,"
                            + " %d delegation; %.1f s%n",
                    registered, shipped.shipped(), compressed.compressed(), raw / 1048576.0, comp / 1048576.0, jobs, cycles,
                    polls, tape.onTape(), deleted, fx.server.requests("POST /jobs"), fx.server.requests("GET /jobs") - testLookups,
                    fx.server.requests("GET /delegation") + fx.server.requests("PUT /delegation"),
                    (System.nanoTime() - started) / 1e9);
        }
    }

    static long count(FtsMoverFixture fx, FileState state) {
        return fx.catalog.count(new FileFilter(state, null, null, null, 0, 1));
    }
}
