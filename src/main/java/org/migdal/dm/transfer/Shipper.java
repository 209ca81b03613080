package org.migdal.dm.transfer;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.Failure;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.health.EndpointHealth;
import org.migdal.dm.health.Failures;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DiskPaths;
import org.migdal.dm.daq.LocalCopies;
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
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Copies registered DAQ files to disk storage with N threads. Each file is read once, its adler32 computed
 * while sending; the copy is then confirmed <em>from the destination</em> (size and adler32 the storage
 * reports) before the file becomes ON_DISK_STORAGE, and only then is the DAQ copy deleted.
 */
public final class Shipper {
    private static final Logger log = LoggerFactory.getLogger(Shipper.class);

    private final MigdalConfig.Daq daq;
    private final int threads;
    private final Catalog catalog;
    private final StorageEndpoint storage;
    private final LocalCopies localCopies;
    private final Failures failures;

    public Shipper(MigdalConfig.Daq daq, int threads, Catalog catalog, StorageEndpoint storage) {
        this.daq = daq;
        this.threads = threads;
        this.catalog = catalog;
        this.storage = storage;
        this.localCopies = new LocalCopies(daq, catalog, storage);
        this.failures = new Failures(new EndpointHealth(catalog, java.time.Clock.systemUTC()));
    }

    /** Ships until nothing claimable is left. {@code progress} receives bytes as files complete. */
    public ShipReport ship(LongConsumer progress) {
        catalog.releaseClaimsOfDeadProcesses();
        Set<String> down = ConcurrentHashMap.newKeySet();
        for (MigdalConfig.Disk d : daq.disks()) {
            long expected = catalog.countLocalCopies(d.name());
            Optional<String> why = DiskPaths.rootUnavailable(catalog, d.name(), Path.of(d.path()));
            if (why.isPresent()) {
                down.add(d.name());
                // the scan records and reports the disk problem once; here it is only said what waits
                log.info("ship: disk {} skipped, {} of its file(s) wait: {}", d.name(), expected, why.get());
            }
        }
        AtomicInteger shipped = new AtomicInteger();
        AtomicInteger missing = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger quarantined = new AtomicInteger();
        AtomicLong bytes = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "ship"));
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(pool.submit(() -> {
                    while (!stop.get()) {
                        List<String> disks = daq.disks().stream().map(MigdalConfig.Disk::name).filter(d -> !down.contains(d)).toList();
                        List<CatalogFile> claimed = catalog.claim(Stage.SHIP, 1, disks);
                        if (claimed.isEmpty()) {
                            return;
                        }
                        CatalogFile f = claimed.get(0);
                        Result r = shipOne(f, down);
                        switch (r) {
                            case SHIPPED -> {
                                shipped.incrementAndGet();
                                bytes.addAndGet(f.size());
                                progress.accept(f.size());
                            }
                            case FAILED -> failed.incrementAndGet();
                            case QUARANTINED -> quarantined.incrementAndGet();
                            case MISSING -> missing.incrementAndGet();
                            case DISK_DOWN -> { } // put back uncharged; the disk is skipped from now on
                            case STOP -> {
                                failed.incrementAndGet();
                                stop.set(true);
                            }
                        }
                    }
                }));
            }
            for (Future<?> w : workers) {
                try {
                    w.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    log.error("a ship worker died", e.getCause());
                    failed.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
        return new ShipReport(shipped.get(), failed.get(), quarantined.get(), bytes.get(), (System.nanoTime() - start) / 1_000_000,
                missing.get());
    }

    enum Result { SHIPPED, FAILED, QUARANTINED, STOP, MISSING, DISK_DOWN }

    private Result shipOne(CatalogFile f, Set<String> down) {
        try {
            return doShip(f, down);
        } catch (LostClaimException e) {
            log.warn("{}", e.getMessage());
            return Result.FAILED;
        } catch (RuntimeException e) {
            log.error("shipping {} failed unexpectedly", f.lfn(), e);
            return failure(f, "unexpected error: " + e, false);
        }
    }

    private Result doShip(CatalogFile f, Set<String> down) {
        Path root = Path.of(daq.disk(f.disk()).path());
        Path local;
        BasicFileAttributes attrs;
        try {
            local = DiskPaths.resolveInside(root, f.localPath());
            attrs = Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return vanished(f, root, down);
        } catch (IOException e) {
            Optional<Result> diskDown = diskDown(f, root, down);
            return diskDown.isPresent() ? diskDown.get() : failure(f, "cannot reach the DAQ file: " + e.getMessage(), false);
        }
        if (!attrs.isRegularFile()) {
            return failure(f, local + " is no longer a regular file", true);
        }
        if (f.size() < 0) {
            // size unknown (an imported legacy row): take it from the disk now
            catalog.updateSourceAttributes(f, attrs.size(), attrs.lastModifiedTime().toInstant(),
                    "size was unknown; " + local + " has " + attrs.size() + " bytes");
            f = catalog.get(f.id()).orElseThrow();
        }
        if (!DiskPaths.asRegistered(attrs, f)) {
            catalog.updateSourceAttributes(f, attrs.size(), attrs.lastModifiedTime().toInstant(), local + " changed since it was listed: "
                    + f.size() + " → " + attrs.size() + " bytes; the DAQ may still be writing it");
            return failure(f, local + " changed since it was listed (" + f.size() + " → " + attrs.size()
                    + " bytes); it will be shipped once it stops changing", false);
        }
        String url = storage.urlOf(f.lfn());
        try {
            boolean overwrite = false;
            if (storage.stat(f.lfn()).isPresent()) {
                Checksum localSum = localAdler32(local);
                CopyCheck.Outcome existing = CopyCheck.confirm(storage, f.lfn(), f.size(), localSum, CopyCheck.Residency.NOT_ASKED);
                if (existing instanceof CopyCheck.Confirmed c) {
                    catalog.recordEvent(f.id(), "ship", true, url + " already holds this file (size " + f.size()
                            + ", adler32 " + localSum + ") from an earlier attempt; not copied again");
                    return confirmed(f, local, c.evidence());
                }
                CopyCheck.Mismatch m = (CopyCheck.Mismatch) existing;
                if (m.problem() != CopyCheck.Problem.MISSING) {
                    if (f.attempts() == 0) {
                        return failure(f, url + " already exists with different content (" + m.message() + ") and no earlier"
                                + " attempt of ours wrote it; not overwritten. Check who wrote it", true);
                    }
                    overwrite = true;
                }
            }
            CatalogFile held = f;
            // read once, adler32 summed while sending; in place only under the claim
            StorageEndpoint.Sent sent = storage.putFile(local, f.size(), f.lfn(), overwrite, () -> catalog.fence(held));
            BasicFileAttributes after = Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!DiskPaths.asRegistered(after, f)) {
                return failure(f, local + " changed while it was being copied; the DAQ copy is kept and the copy will be redone", false);
            }
            // expected: the bytes read from the DAQ disk while sending, and their adler32
            CopyCheck.Outcome copy = CopyCheck.confirm(storage, f.lfn(), sent.bytes(), sent.adler32(), CopyCheck.Residency.NOT_ASKED);
            if (copy instanceof CopyCheck.Mismatch m) {
                return failure(f, "after the upload the storage copy is not what was read from the DAQ disk: " + m.message()
                        + "; DAQ copy kept", false);
            }
            return confirmed(f, local, copy.confirmed().orElseThrow());
        } catch (StorageException e) {
            Failure failure = failures.of(e, storage, "copy of " + local + " to " + url + " failed; DAQ copy kept");
            Result r = failure(f, failure);
            return failure.kind() == Failure.Kind.ENDPOINT ? Result.STOP : r;
        } catch (IOException e) {
            Optional<Result> diskDown = diskDown(f, root, down);
            return diskDown.isPresent() ? diskDown.get() : failure(f, "reading " + local + " failed: " + e + "; nothing deleted", false);
        }
    }

    private Result confirmed(CatalogFile f, Path local, CopyCheck.Evidence evidence) {
        CatalogFile done = catalog.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32(evidence.checksum().value()), "ship",
                "copied " + local + " to " + evidence.url() + "; storage confirms " + evidence.size() + " bytes and adler32 "
                        + evidence.checksum());
        localCopies.delete(done, evidence); // the storage's word just given; not asked again
        log.info("shipped {} ({} bytes, adler32 {})", f.lfn(), f.size(), evidence.checksum());
        return Result.SHIPPED;
    }

    /**
     * The DAQ file is not there. On a disk root that can be believed, the file vanished: MISSING (not a failure, not
     * quarantined; it does not hold the disk back). On a root that cannot (not mounted), nothing is concluded: the file
     * is put back uncharged and the disk's work waits.
     */
    private Result vanished(CatalogFile f, Path root, Set<String> down) {
        Optional<Result> diskDown = diskDown(f, root, down);
        if (diskDown.isPresent()) {
            return diskDown.get();
        }
        Path path = root.resolve(f.localPath());
        catalog.markMissing(f, "DAQ file " + path + " vanished before it was shipped (its disk " + root + " is mounted and"
                + " readable); nothing was copied. If it comes back, the next scan registers it again (or `migdal-dm retry "
                + f.lfn() + "`); if it never will, `migdal-dm forget " + f.lfn() + "`");
        DiskPaths.pruneEmptyParents(root, path.getParent());
        log.warn("ship {}: {} vanished from the DAQ disk; MISSING", f.lfn(), path);
        return Result.MISSING;
    }

    /**
     * A DAQ file that cannot be read on a disk whose root cannot be believed (not mounted) is not the file's failure:
     * it is put back uncharged and the disk is skipped for the rest of the pass. Empty if the disk root is fine.
     */
    private Optional<Result> diskDown(CatalogFile f, Path root, Set<String> down) {
        Optional<String> why = DiskPaths.rootUnavailable(catalog, f.disk(), root);
        if (why.isEmpty()) {
            return Optional.empty();
        }
        down.add(f.disk());
        catalog.putBack(f, "ship", "not shipped and not charged: " + why.get() + "; the files of " + f.disk()
                + " wait until the disk is back");
        log.warn("ship {}: disk {} unavailable: {}", f.lfn(), f.disk(), why.get());
        return Optional.of(Result.DISK_DOWN);
    }

    private static Checksum localAdler32(Path local) throws IOException {
        try (InputStream in = Files.newInputStream(local, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            return Adler32s.of(in).adler32();
        }
    }

    private Result failure(CatalogFile f, String error, boolean permanent) {
        return failure(f, permanent ? Failure.permanent(error) : Failure.file(error));
    }

    private Result failure(CatalogFile f, Failure failure) {
        CatalogFile after = catalog.fail(f, "ship", failure);
        log.warn("ship {}: {}", f.lfn(), failure.message());
        return after.state() == FileState.QUARANTINED ? Result.QUARANTINED : Result.FAILED;
    }
}
