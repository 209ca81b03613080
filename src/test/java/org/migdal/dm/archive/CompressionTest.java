package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.Compressor;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.archive.ArchiveFixture.adler32;
import static org.migdal.dm.archive.ArchiveFixture.filesUnder;

class CompressionTest {

    @TempDir
    Path tmp;

    ArchiveFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ArchiveFixture(tmp, 3);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void aFileOnDiskStorageBecomesCompressedBesideItsRawCopy() throws Exception {
        List<CatalogFile> files = fx.shipped(3, 3);
        AtomicLong progress = new AtomicLong();

        ArchiveReport r = fx.compression(Codec.BZIP2, 150).run(progress::addAndGet);

        assertThat(r.compressed()).isEqualTo(3);
        assertThat(r.failed() + r.quarantined()).isZero();
        long rawTotal = 0;
        long zTotal = 0;
        for (CatalogFile before : files) {
            CatalogFile f = fx.row(before.lfn());
            assertThat(f.state()).isEqualTo(FileState.COMPRESSED);
            assertThat(f.compressedName()).isEqualTo(f.lfn() + ".bz2");
            Path z = fx.inStorage(f.compressedName());
            assertThat(z).exists();
            assertThat(f.compressedSize()).isEqualTo(Files.size(z)).isLessThan(f.size());
            assertThat(f.compressedAdler32()).isEqualTo(adler32(z));
            assertThat(f.compressedAt()).isNotNull();
            assertThat(f.claimOwner()).isNull();
            assertThat(f.lastError()).isNull();
            // the raw copy stays, untouched
            assertThat(adler32(fx.inStorage(f.lfn()))).isEqualTo(f.adler32());
            // decompressing the stored copy (independently of the stage) gives back the raw bytes
            try (InputStream in = Codec.BZIP2.decompressing(Files.newInputStream(z))) {
                assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(fx.inStorage(f.lfn())));
            }
            FileEvent ev = last(fx.events(f.lfn()));
            assertThat(ev.action()).isEqualTo("compress");
            assertThat(ev.ok()).isTrue();
            assertThat(ev.message()).contains("decompressed: " + f.size() + " bytes, adler32 " + f.adler32() + " = raw")
                    .contains("storage confirms " + f.compressedSize() + " bytes and adler32 " + f.compressedAdler32());
            rawTotal += f.size();
            zTotal += f.compressedSize();
        }
        assertThat(r.rawBytes()).isEqualTo(rawTotal);
        assertThat(r.compressedBytes()).isEqualTo(zTotal);
        assertThat(progress.get()).isEqualTo(rawTotal);
        assertThat(filesUnder(fx.workDir)).as("scratch files are removed").isEmpty();
        assertThat(filesUnder(fx.storageRoot)).noneMatch(n -> org.migdal.dm.storage.StorageNames.isTemp(Path.of(n).getFileName().toString()));
    }

    /**
     * Defect 9: DAQ names of 220, 251 and 255 bytes (one path component's limit) are shipped, compressed and put on
     * tape over file://. {@code LFN.bz2} fits up to a 251-byte raw name; for 255 bytes it would be 259, so the
     * compressed copy takes a shortened name (recorded in the catalog and in the event) that fits.
     */
    @Test
    void namesUpTo255BytesGoAllTheWayToTape() throws Exception {
        Path run = Files.createDirectories(fx.daqRoot.resolve("MIG_Fe55_data_220803T145447"));
        List<Integer> lengths = List.of(220, 251, 255);
        for (int n : lengths) {
            String name = longName(n);
            assertThat(name.getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSize(n);
            Files.write(run.resolve(name), new byte[50_000 + n]);
        }
        Files.writeString(fx.daqRoot.resolve("ReadyToTransfer"), "");
        assertThat(new org.migdal.dm.daq.Scanner(fx.daq, fx.catalog, java.time.Clock.systemUTC()).scan().registered()).isEqualTo(3);
        assertThat(new org.migdal.dm.transfer.Shipper(fx.daq, 2, fx.catalog, fx.storage).ship(b -> { }).shipped()).isEqualTo(3);

        ArchiveReport r = fx.compression(Codec.BZIP2, 150).run(b -> { });
        assertThat(r.compressed()).as("compression of all three").isEqualTo(3);
        assertThat(fx.mover(150).move().onTape()).isEqualTo(3);

        for (int n : lengths) {
            CatalogFile f = fx.catalog.list(new org.migdal.dm.catalog.FileFilter(null, null, null, longName(n), 0, 10)).get(0);
            assertThat(f.state()).isEqualTo(FileState.ON_TAPE);
            String z = f.compressedName();
            assertThat(org.migdal.dm.storage.StorageNames.nameBytes(z)).isLessThanOrEqualTo(255);
            if (n <= 251) {
                assertThat(z).isEqualTo(f.lfn() + ".bz2");
            } else {
                assertThat(z).isNotEqualTo(f.lfn() + ".bz2").endsWith(".bz2").matches(".*~[0-9a-f]{8}\\.bz2");
                assertThat(org.migdal.dm.storage.StorageNames.nameBytes(z)).isEqualTo(255);
                assertThat(last(fx.events(f.lfn()).stream().filter(e -> e.action().equals("compress")).toList()).message())
                        .contains("259 bytes", "255-byte limit", org.migdal.dm.storage.StorageNames.lastComponent(z));
            }
            try (InputStream in = Codec.BZIP2.decompressing(Files.newInputStream(fx.onTape(z)))) {
                assertThat(in.readAllBytes()).hasSize(50_000 + n);
            }
        }
        assertThat(filesUnder(fx.workDir)).isEmpty();
        assertThat(filesUnder(fx.storageRoot)).noneMatch(n -> org.migdal.dm.storage.StorageNames.isTemp(Path.of(n).getFileName().toString()));
    }

    /** A DAQ file name of exactly {@code bytes} bytes (UTF-8) with its run stamp. */
    static String longName(int bytes) {
        String head = "MIG_Fe55_data_220803T145447.CAL.\u00fc.";
        String tail = ".0000.dat";
        return head + "x".repeat(bytes - head.getBytes(java.nio.charset.StandardCharsets.UTF_8).length - tail.length()) + tail;
    }

    @Test
    void gzipConfigurationGivesGzSuffix() throws Exception {
        CatalogFile f = fx.shipped(1, 2).get(0);

        ArchiveReport r = fx.compression(Codec.GZIP, 150).run(b -> { });

        assertThat(r.compressed()).isEqualTo(1);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(after.compressedName()).isEqualTo(f.lfn() + ".gz");
        Path z = fx.inStorage(after.compressedName());
        assertThat(after.compressedSize()).isEqualTo(Files.size(z));
        assertThat(after.compressedAdler32()).isEqualTo(adler32(z));
        assertThat(fx.inStorage(f.lfn() + ".bz2")).doesNotExist();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(z))) {
            assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(fx.inStorage(f.lfn())));
        }
        assertThat(last(fx.events(f.lfn())).message()).contains("GZIP").contains("gzip -9 in-process");
        assertThat(filesUnder(fx.workDir)).isEmpty();
    }

    @Test
    void aDamagedRawStorageCopyIsQuarantinedAndNothingIsUploaded() throws Exception {
        List<CatalogFile> files = fx.shipped(2, 2);
        CatalogFile bad = files.get(0);
        CatalogFile good = files.get(1);
        ArchiveFixture.flipByte(fx.inStorage(bad.lfn()), 12345);

        ArchiveReport r = fx.compression(Codec.BZIP2, 150).run(b -> { });

        assertThat(r.compressed()).isEqualTo(1);
        assertThat(r.quarantined()).isEqualTo(1);
        CatalogFile after = fx.row(bad.lfn());
        assertThat(after.state()).isEqualTo(FileState.QUARANTINED);
        assertThat(after.quarantinedFrom()).isEqualTo(FileState.COMPRESSING);
        assertThat(after.compressedName()).isNull();
        assertThat(after.lastError()).contains(fx.storage.urlOf(bad.lfn())).contains("damaged").contains(bad.adler32())
                .contains("Nothing was uploaded");
        assertThat(fx.inStorage(bad.lfn() + ".bz2")).doesNotExist();
        assertThat(filesUnder(fx.storageRoot)).noneMatch(n -> n.startsWith(bad.lfn().substring(1) + ".")
                || org.migdal.dm.storage.StorageNames.isTemp(Path.of(n).getFileName().toString()));
        FileEvent ev = last(fx.events(bad.lfn()));
        assertThat(ev.ok()).isFalse();
        assertThat(ev.message()).startsWith("QUARANTINED:");
        // the other file is not held up
        assertThat(fx.row(good.lfn()).state()).isEqualTo(FileState.COMPRESSED);
        assertThat(filesUnder(fx.workDir)).isEmpty();
        // a quarantined file is not claimed again by the next run
        assertThat(fx.compression(Codec.BZIP2, 150).run(b -> { }).compressed()).isZero();
        assertThat(fx.row(bad.lfn()).state()).isEqualTo(FileState.QUARANTINED);
    }

    @Test
    void aRawCopyOfTheWrongSizeIsQuarantined() throws Exception {
        CatalogFile f = fx.shipped(1, 1).get(0);
        Path raw = fx.inStorage(f.lfn());
        byte[] b = Files.readAllBytes(raw);
        Files.write(raw, java.util.Arrays.copyOf(b, b.length - 1));

        ArchiveReport r = fx.compression(Codec.BZIP2, 150).run(x -> { });

        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(fx.row(f.lfn()).state()).isEqualTo(FileState.QUARANTINED);
        assertThat(fx.row(f.lfn()).lastError()).contains((f.size() - 1) + " bytes");
        assertThat(fx.inStorage(f.lfn() + ".bz2")).doesNotExist();
    }

    @Test
    void aMissingRawStorageCopyIsAFailureWithAReasonAndIsRetried() throws Exception {
        CatalogFile f = fx.shipped(1, 1).get(0);
        Files.delete(fx.inStorage(f.lfn()));

        ArchiveReport r = fx.compression(Codec.BZIP2, 150).run(x -> { });

        assertThat(r.compressed()).isZero();
        assertThat(r.failed() + r.quarantined()).isEqualTo(1);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(after.attempts()).isEqualTo(1);
        assertThat(after.lastError()).contains("NOT_FOUND").contains(fx.storage.urlOf(f.lfn()));
        assertThat(filesUnder(fx.workDir)).isEmpty();
        // after maxAttempts (3) it is quarantined for an operator
        fx.compression(Codec.BZIP2, 150).run(x -> { });
        fx.compression(Codec.BZIP2, 150).run(x -> { });
        assertThat(fx.row(f.lfn()).state()).isEqualTo(FileState.QUARANTINED);
        assertThat(fx.row(f.lfn()).lastError()).contains("gave up after 3 attempts");
    }

    @Test
    void aFileFailedWithNoWaitIsNotTriedAgainInTheSameRunByAnotherSlot() throws Exception {
        // slot 2 asks for a file with the list of files tried so far; its claim waits (as on SQLite's write lock) until
        // slot 1 has claimed the file, failed it (retry at once: no backoff) and released it, so the file is claimable again
        CatalogFile f = fx.shipped(1, 1).get(0);
        Files.delete(fx.inStorage(f.lfn()));
        java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger claims = new java.util.concurrent.atomic.AtomicInteger();
        org.migdal.dm.catalog.Catalog racing = (org.migdal.dm.catalog.Catalog) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[]{org.migdal.dm.catalog.Catalog.class}, (proxy, m, args) -> {
                    if (m.getName().equals("claim") && args.length == 4 && claims.incrementAndGet() == 2) {
                        assertThat(failed.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("slot 1 failed the file").isTrue();
                    }
                    try {
                        return m.invoke(fx.catalog, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (m.getName().equals("fail")) {
                            failed.countDown();
                        }
                    }
                });
        ArchiveReport r = new Compression(racing, fx.storage, new org.migdal.dm.compress.Compressor(Codec.BZIP2, 9), fx.executor,
                fx.workDir, 150).run(x -> { });

        CatalogFile after = fx.row(f.lfn());
        assertThat(after.attempts()).as("one attempt in one run").isEqualTo(1);
        assertThat(after.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(r.failed()).isEqualTo(1);
        assertThat(claims.get()).as("both slots asked").isGreaterThanOrEqualTo(2);
    }

    @Test
    void aStaleCompressedCopyFromAnEarlierAttemptIsReplaced() throws Exception {
        CatalogFile f = fx.shipped(1, 2).get(0);
        Path z = fx.inStorage(f.lfn() + ".bz2");
        Files.writeString(z, "half-written leftover of a killed attempt");

        ArchiveReport r = fx.compression(Codec.BZIP2, 150).run(x -> { });

        assertThat(r.compressed()).isEqualTo(1);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.compressedSize()).isEqualTo(Files.size(z));
        assertThat(after.compressedAdler32()).isEqualTo(adler32(z));
        assertThat(new Compressor(Codec.BZIP2, 9).decompressedSum(z).adler32().value()).isEqualTo(f.adler32());
    }

    @Test
    void jobsPerCycleLimitsTheClaim() throws Exception {
        fx.shipped(3, 1);

        assertThat(fx.compression(Codec.BZIP2, 2).run(x -> { }).compressed()).isEqualTo(2);
        assertThat(fx.catalog.count(new org.migdal.dm.catalog.FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 10))).isEqualTo(1);
        assertThat(fx.compression(Codec.BZIP2, 2).run(x -> { }).compressed()).isEqualTo(1);
        assertThat(fx.compression(Codec.BZIP2, 2).run(x -> { }).compressed()).isZero();
    }

    static FileEvent last(List<FileEvent> events) {
        assertThat(events).isNotEmpty();
        return events.get(events.size() - 1);
    }
}
