package org.migdal.dm.archive;

import org.migdal.dm.batch.BatchExecutor;
import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.compress.Compressor;
import org.migdal.dm.storage.Adler32s;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * The compression stage. For each file on disk storage: stream the raw copy from storage, compress it to a
 * scratch file (checking that the raw bytes still have the adler32 recorded at shipping), decompress the
 * result in-process and check it reproduces that adler32, then upload it beside the raw copy
 * ({@code LFN + suffix}) and confirm size and adler32 from the storage. Only then is the file COMPRESSED.
 */
public final class Compression {
    private static final Logger log = LoggerFactory.getLogger(Compression.class);

    private final Catalog catalog;
    private final StorageEndpoint disk;
    private final Compressor compressor;
    private final BatchExecutor executor;
    private final Path workDir;
    private final int jobsPerCycle;

    public Compression(Catalog catalog, StorageEndpoint disk, Compressor compressor, BatchExecutor executor, Path workDir,
                       int jobsPerCycle) {
        this.catalog = catalog;
        this.disk = disk;
        this.compressor = compressor;
        this.executor = executor;
        this.workDir = workDir;
        this.jobsPerCycle = jobsPerCycle;
    }

    /** Claims up to {@code jobsPerCycle} files and compresses them on the executor. */
    public ArchiveReport run(LongConsumer progress) {
        List<CatalogFile> claimed = catalog.claim(Stage.COMPRESS, jobsPerCycle);
        List<CompletableFuture<ArchiveReport>> jobs = new ArrayList<>();
        for (CatalogFile f : claimed) {
            jobs.add(executor.submit("compress " + f.lfn(), () -> {
                ArchiveReport r = compressOne(f);
                progress.accept(f.size());
                return r;
            }));
        }
        ArchiveReport total = new ArchiveReport(0, 0, 0, 0, 0, 0);
        for (int i = 0; i < jobs.size(); i++) {
            try {
                total = total.plus(jobs.get(i).join());
            } catch (RuntimeException e) {
                log.error("compression job for {} died", claimed.get(i).lfn(), e);
                total = total.plus(new ArchiveReport(0, 0, 1, 0, 0, 0));
            }
        }
        return total;
    }

    ArchiveReport compressOne(CatalogFile f) {
        try {
            return doCompress(f);
        } catch (LostClaimException e) {
            log.warn("{}", e.getMessage());
            return new ArchiveReport(0, 0, 1, 0, 0, 0);
        } catch (RuntimeException e) {
            log.error("compressing {} failed unexpectedly", f.lfn(), e);
            return failure(f, "unexpected error: " + e, false);
        }
    }

    private ArchiveReport doCompress(CatalogFile f) {
        String name = f.lfn() + compressor.codec().suffix();
        String rawUrl = disk.urlOf(f.lfn());
        String url = disk.urlOf(name);
        Path scratch = workDir.resolve(f.id() + "-" + UUID.randomUUID() + compressor.codec().suffix());
        try {
            Files.createDirectories(workDir);
            Compressor.Result r;
            try (InputStream raw = disk.open(f.lfn())) {
                r = compressor.compress(raw, scratch);
            }
            if (r.rawBytes() != f.size() || !r.rawAdler32().equals(f.adler32())) {
                return failure(f, "the storage copy " + rawUrl + " read back as " + r.rawBytes() + " bytes with adler32 "
                        + r.rawAdler32() + ", but " + f.size() + " bytes with adler32 " + f.adler32() + " were shipped;"
                        + " the storage copy is damaged. Nothing was uploaded", true);
            }
            Adler32s.Sum check = compressor.decompressedSum(scratch);
            if (check.bytes() != f.size() || !check.adler32().equals(Checksum.adler32(f.adler32()))) {
                return failure(f, "decompressing the " + compressor.codec() + " copy gave " + check.bytes() + " bytes with adler32 "
                        + check.adler32() + " instead of " + f.size() + " bytes with " + f.adler32() + "; not uploaded", false);
            }
            boolean existing = disk.stat(name).isPresent();
            Checksum compressedSum = Checksum.adler32(r.compressedAdler32());
            StorageEndpoint.Sent sent;
            try (InputStream in = Files.newInputStream(scratch)) {
                sent = disk.put(in, r.compressedBytes(), name, existing);
            }
            if (!sent.adler32().equals(compressedSum)) {
                return failure(f, "the scratch file " + scratch + " changed between compression and upload", false);
            }
            CopyCheck.Outcome copy = CopyCheck.confirm(disk, name, r.compressedBytes(), compressedSum, CopyCheck.Residency.NOT_ASKED);
            if (copy instanceof CopyCheck.Mismatch m) {
                return failure(f, "after uploading " + r.compressedBytes() + " bytes with adler32 " + compressedSum
                        + " the storage copy differs: " + m.message(), false);
            }
            Checksum remoteSum = copy.confirmed().orElseThrow().checksum();
            catalog.advance(f, FileState.COMPRESSED, Changes.none().compressed(name, r.compressedBytes(), r.compressedAdler32()),
                    "compress", String.format(java.util.Locale.ROOT,
                            "%s %d → %d bytes (%.2f×); decompressed in-process: %d bytes, adler32 %s = raw; uploaded to %s,"
                                    + " storage confirms %d bytes and adler32 %s",
                            compressor.codec(), f.size(), r.compressedBytes(), f.size() / (double) Math.max(1, r.compressedBytes()),
                            check.bytes(), check.adler32(), url, r.compressedBytes(), remoteSum));
            log.info("compressed {} → {} ({} → {} bytes)", f.lfn(), name, f.size(), r.compressedBytes());
            return new ArchiveReport(1, 0, 0, 0, f.size(), r.compressedBytes());
        } catch (StorageException e) {
            return failure(f, "storage error (" + e.kind() + "): " + e.getMessage(), false);
        } catch (IOException e) {
            return failure(f, "compressing " + rawUrl + " failed: " + e, false);
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                log.warn("cannot remove scratch file {}: {}", scratch, e.getMessage());
            }
        }
    }

    private ArchiveReport failure(CatalogFile f, String error, boolean permanent) {
        CatalogFile after = catalog.fail(f, "compress", error, permanent);
        log.warn("compress {}: {}", f.lfn(), error);
        return after.state() == FileState.QUARANTINED ? new ArchiveReport(0, 0, 0, 1, 0, 0) : new ArchiveReport(0, 0, 1, 0, 0, 0);
    }
}
