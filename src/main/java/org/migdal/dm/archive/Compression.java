package org.migdal.dm.archive;

import org.migdal.dm.batch.BatchExecutor;
import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.Failure;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.health.EndpointHealth;
import org.migdal.dm.health.Failures;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.compress.Compressor;
import org.migdal.dm.storage.Adler32s;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.migdal.dm.storage.StorageNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    private final Failures failures;
    /** Set when the storage fails as a whole during a run: no slot claims another file. */
    private final java.util.concurrent.atomic.AtomicBoolean halted = new java.util.concurrent.atomic.AtomicBoolean();

    public Compression(Catalog catalog, StorageEndpoint disk, Compressor compressor, BatchExecutor executor, Path workDir,
                       int jobsPerCycle) {
        this.catalog = catalog;
        this.disk = disk;
        this.compressor = compressor;
        this.executor = executor;
        this.workDir = workDir;
        this.jobsPerCycle = jobsPerCycle;
        this.failures = new Failures(new EndpointHealth(catalog, java.time.Clock.systemUTC()));
    }

    /**
     * Compresses up to {@code jobsPerCycle} files on the executor. Each of the executor's slots claims one file at a time,
     * when it can start it: a file is never held under a claim while it waits in a queue, so a crash costs at most one
     * claim per slot.
     */
    public ArchiveReport run(LongConsumer progress) {
        java.util.concurrent.atomic.AtomicInteger budget = new java.util.concurrent.atomic.AtomicInteger(jobsPerCycle);
        halted.set(false);
        java.util.Set<Long> passed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<CompletableFuture<ArchiveReport>> slots = new ArrayList<>();
        for (int i = 0; i < Math.max(1, Math.min(executor.slots(), jobsPerCycle)); i++) {
            slots.add(executor.submit("compress", () -> {
                ArchiveReport done = new ArchiveReport(0, 0, 0, 0, 0, 0);
                while (!halted.get() && budget.getAndDecrement() > 0) {
                    List<CatalogFile> claimed = catalog.claim(Stage.COMPRESS, 1, null, List.copyOf(passed));
                    if (claimed.isEmpty()) {
                        break;
                    }
                    CatalogFile f = claimed.get(0);
                    passed.add(f.id());
                    done = done.plus(compressOne(f));
                    progress.accept(f.size());
                }
                return done;
            }));
        }
        ArchiveReport total = new ArchiveReport(0, 0, 0, 0, 0, 0);
        for (CompletableFuture<ArchiveReport> slot : slots) {
            try {
                total = total.plus(slot.join());
            } catch (RuntimeException e) {
                log.error("a compression worker died", e);
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
        // LFN + suffix, or a shortened name where that would exceed 255 bytes (the catalog records which)
        String name = StorageNames.withSuffix(f.lfn(), compressor.codec().suffix());
        String rawUrl = disk.urlOf(f.lfn());
        String url = disk.urlOf(name);
        // a temporary name the janitor recognises, should this process be killed before it removes the file
        Path scratch = workDir.resolve(StorageNames.newTempName());
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
                sent = disk.put(in, r.compressedBytes(), name, existing, () -> catalog.fence(f)); // in place only under the claim
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
                            check.bytes(), check.adler32(), url, r.compressedBytes(), remoteSum) + shortened(f, name));
            log.info("compressed {} → {} ({} → {} bytes)", f.lfn(), name, f.size(), r.compressedBytes());
            return new ArchiveReport(1, 0, 0, 0, f.size(), r.compressedBytes());
        } catch (StorageException e) {
            Failure failure = failures.of(e, disk, "compressing " + rawUrl + " into " + url + " failed");
            if (failure.kind() == Failure.Kind.ENDPOINT) {
                halted.set(true);
            }
            return failure(f, failure);
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

    /** Says so when the compressed copy could not take the name LFN + suffix (over 255 bytes). */
    private String shortened(CatalogFile f, String name) {
        String plain = f.lfn() + compressor.codec().suffix();
        if (name.equals(plain)) {
            return "";
        }
        return " (the name " + StorageNames.lastComponent(plain) + " would be " + StorageNames.nameBytes(plain)
                + " bytes, over the " + StorageNames.NAME_MAX + "-byte limit of one path component, so it is stored as "
                + StorageNames.lastComponent(name) + ")";
    }

    private ArchiveReport failure(CatalogFile f, String error, boolean permanent) {
        return failure(f, permanent ? Failure.permanent(error) : Failure.file(error));
    }

    private ArchiveReport failure(CatalogFile f, Failure failure) {
        CatalogFile after = catalog.fail(f, "compress", failure);
        log.warn("compress {}: {}", f.lfn(), failure.message());
        return after.state() == FileState.QUARANTINED ? new ArchiveReport(0, 0, 0, 1, 0, 0) : new ArchiveReport(0, 0, 1, 0, 0, 0);
    }
}
