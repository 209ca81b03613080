package org.migdal.dm.archive;

import org.migdal.dm.batch.LocalExecutor;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.Compressor;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.transfer.ShipReport;
import org.migdal.dm.transfer.Shipper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real SQLite catalog, a real DAQ disk with synthetic runs, and real file:// storage and tape folders.
 * Files reach ON_DISK_STORAGE through the real scan and ship stages.
 */
final class ArchiveFixture implements AutoCloseable {
    static final int FRAME = 256 * 256 * 2;

    final Path base;
    final Path daqRoot;
    final Path storageRoot;
    final Path tapeRoot;
    final Path workDir;
    final FileEndpoint storage;
    final FileEndpoint tape;
    final JdbcCatalog catalog;
    final MigdalConfig.Daq daq;
    final LocalExecutor executor = new LocalExecutor(2);

    ArchiveFixture(Path base, int maxAttempts) throws IOException {
        this.base = base;
        daqRoot = Files.createDirectories(base.resolve("daq/data1"));
        storageRoot = Files.createDirectories(base.resolve("storage"));
        tapeRoot = Files.createDirectories(base.resolve("tape"));
        workDir = base.resolve("work");
        storage = new FileEndpoint(storageRoot.toUri());
        tape = new FileEndpoint(tapeRoot.toUri());
        daq = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data1", daqRoot.toString())), null, null, null, null, null);
        catalog = JdbcCatalog.open("sqlite:" + base.resolve("catalog.db"), null, null,
                new ClaimPolicy("test-host:1:0", Duration.ofMinutes(30), maxAttempts, Duration.ZERO), Clock.systemUTC(), 4);
    }

    /** Writes {@code files} synthetic files of {@code frames} camera frames, scans and ships them; returns the rows. */
    List<CatalogFile> shipped(int files, int frames) throws IOException {
        new SyntheticRuns(7).writeRun(daqRoot, "Fe55", LocalDateTime.of(2022, 8, 3, 14, 54, 47), files, (long) frames * FRAME);
        Files.writeString(daqRoot.resolve("ReadyToTransfer"), "");
        assertThat(new Scanner(daq, catalog, Clock.systemUTC()).scan().registered()).isEqualTo(files);
        ShipReport r = new Shipper(daq, 2, catalog, storage).ship(b -> { });
        assertThat(r.shipped()).isEqualTo(files);
        List<CatalogFile> rows = catalog.list(new FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 1000));
        assertThat(rows).hasSize(files);
        return rows;
    }

    Compression compression(Codec codec, int jobsPerCycle) {
        return new Compression(catalog, storage, new Compressor(codec, 9), executor, workDir, jobsPerCycle);
    }

    /** The compression stage with {@code toolbox} (system programs from a chosen folder, or in-process). */
    Compression compression(Codec codec, int level, org.migdal.dm.compress.Toolbox toolbox, int jobsPerCycle) {
        return new Compression(catalog, storage, new org.migdal.dm.compress.CompressionJob.Settings(storage.base().toString(), "auto",
                null, false, "", codec, level), toolbox, executor, workDir, jobsPerCycle);
    }

    BuiltinMover mover(int batch) {
        return new BuiltinMover(catalog, storage, tape, batch);
    }

    CatalogFile row(String lfn) {
        return catalog.find(lfn).orElseThrow();
    }

    List<FileEvent> events(String lfn) {
        return catalog.events(row(lfn).id());
    }

    Path inStorage(String name) {
        return storageRoot.resolve(name.substring(1));
    }

    Path onTape(String name) {
        return tapeRoot.resolve(name.substring(1));
    }

    /** Every regular file under a folder, relative to it, sorted (shows leftovers and temporary names). */
    static List<String> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    static String adler32(Path file) throws IOException {
        Adler32 a = new Adler32();
        a.update(Files.readAllBytes(file));
        return String.format("%08x", a.getValue());
    }

    static void flipByte(Path file, long at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[(int) at] ^= 0x01;
        Files.write(file, b);
    }

    @Override
    public void close() {
        executor.close();
        catalog.close();
    }
}
