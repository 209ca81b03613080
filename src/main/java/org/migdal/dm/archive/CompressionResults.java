package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.Failure;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.compress.JobResult;
import org.migdal.dm.health.Failures;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.migdal.dm.storage.StorageNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * The one place where a compression job's result becomes catalog state, on the submit host and under the file's claim,
 * whichever executor ran the job. A result is believed only as far as the storage confirms it: the uploaded temporary
 * is renamed into place under the fence, then confirmed once there (size and adler32 as the storage reports them must be
 * the job's), the raw sums must be the ones shipped, and the file is COMPRESSED. A failed, missing or contradicted result is a failure
 * of the file (or of the storage, as {@link Failures} decides); its temporary is removed.
 */
public final class CompressionResults {
    private static final Logger log = LoggerFactory.getLogger(CompressionResults.class);

    private final Catalog catalog;
    private final StorageEndpoint disk;
    private final Failures failures;

    public CompressionResults(Catalog catalog, StorageEndpoint disk, Failures failures) {
        this.catalog = catalog;
        this.disk = disk;
        this.failures = failures;
    }

    /** The executor label of jobs run in this process: their storage failures are this host's own. */
    public static final String LOCAL = "local";

    /** Where a job's refused credential is charged: to no file. */
    public static final String WORKER_CREDENTIAL = "worker credential";

    /** What applying one result did to its file. */
    public enum Applied { COMPRESSED, FAILED, QUARANTINED, ENDPOINT_DOWN, LOST_CLAIM }

    /** The job for a claimed file: its compressed copy goes to {@code LFN + suffix} (or a shortened name), via a fresh temporary. */
    public static CompressionJob jobFor(CatalogFile f, String token, CompressionJob.Settings s) {
        String target = StorageNames.withSuffix(f.lfn(), s.codec().suffix());
        return new CompressionJob(CompressionJob.VERSION, CompressionJob.nameFor(f.id(), token), token, CompressionJob.STEP, f.id(),
                f.lfn(), f.size(), f.adler32(), s.storage(), s.storageAuth(), s.certDir(), s.systemTrust(), s.requiredFqan(), target,
                StorageNames.tempBeside(target), s.codec().name().toLowerCase(Locale.ROOT), s.level());
    }

    /** Applies {@code result} (null: the job left none) of {@code job} to the claimed file. */
    public Applied apply(CatalogFile claimed, CompressionJob job, JobResult result, String executor) {
        try {
            if (result == null) {
                return missing(claimed, job, executor + " job " + job.job() + " ended without a result");
            }
            if (!job.token().equals(result.token()) || !job.job().equals(result.job()) || job.fileId() != result.fileId()) {
                removeTemp(job);
                return fail(claimed, Failure.file("the result of " + executor + " job " + job.job() + " belongs to job " + result.job()
                        + " (token " + result.token() + ", file " + result.fileId() + "); not applied"));
            }
            if (!result.ok()) {
                removeTemp(job);
                return fail(claimed, classify(job, result, executor));
            }
            return place(claimed, job, result, executor);
        } catch (LostClaimException e) {
            log.warn("{}", e.getMessage());
            removeTemp(job);
            return Applied.LOST_CLAIM;
        }
    }

    /** The job left no result (killed, lost, removed, held for good): a failure of the file; its temporary is removed. */
    public Applied missing(CatalogFile claimed, CompressionJob job, String why) {
        try {
            removeTemp(job);
            return fail(claimed, Failure.file(why + "; nothing was put in place"));
        } catch (LostClaimException e) {
            log.warn("{}", e.getMessage());
            return Applied.LOST_CLAIM;
        }
    }

    private Applied place(CatalogFile f, CompressionJob job, JobResult r, String executor) {
        String tempUrl = disk.urlOf(job.temp());
        String url = disk.urlOf(job.target());
        if (r.rawBytes() == null || r.rawBytes() != f.size() || !Checksum.adler32(r.rawAdler32()).equals(Checksum.adler32(f.adler32()))
                || r.decompressedBytes() == null || r.decompressedBytes() != f.size()
                || !Checksum.adler32(r.decompressedAdler32()).equals(Checksum.adler32(f.adler32()))
                || r.compressedBytes() == null || r.compressedAdler32() == null || !job.temp().equals(r.uploaded())) {
            removeTemp(job);
            return fail(f, Failure.file(executor + " job " + job.job() + " reports success but its figures contradict the catalog"
                    + " (raw " + r.rawBytes() + " bytes adler32 " + r.rawAdler32() + ", decompressed " + r.decompressedBytes()
                    + " bytes adler32 " + r.decompressedAdler32() + ", uploaded to " + r.uploaded() + "; shipped " + f.size()
                    + " bytes adler32 " + f.adler32() + "); not applied"));
        }
        Checksum sum = Checksum.adler32(r.compressedAdler32());
        try {
            CopyCheck.Outcome copy;
            boolean inPlace = disk.stat(job.temp()).isEmpty();
            if (inPlace) {
                // the same result applied again (a batch job's result outlives its collector): when a collector was stopped after
                // renaming this job's copy into place and before recording it, the temporary is gone and the target holds exactly
                // the reported bytes; that is this result put in place, not a contradiction to charge the file with
                copy = CopyCheck.confirm(disk, job.target(), r.compressedBytes(), sum, CopyCheck.Residency.NOT_ASKED);
                if (copy instanceof CopyCheck.Mismatch m) {
                    return fail(f, Failure.file(executor + " job " + job.job() + " reports " + r.compressedBytes() + " bytes with adler32 "
                            + sum + " uploaded to " + tempUrl + ", but the storage has no such file, and " + url + " is not that copy: "
                            + m.message()));
                }
                log.info("{}: the copy of {} job {} was already renamed into place as {} (by a collector stopped before it could"
                        + " record it)", f.lfn(), executor, job.job(), url);
            } else {
                boolean existing = disk.stat(job.target()).isPresent();
                disk.moveIntoPlace(job.temp(), job.target(), existing, () -> catalog.fence(f)); // in place only under the claim
                // the one confirmation the invariant needs: the copy in place has the reported size and adler32, as the storage says
                copy = CopyCheck.confirm(disk, job.target(), r.compressedBytes(), sum, CopyCheck.Residency.NOT_ASKED);
                if (copy instanceof CopyCheck.Mismatch m) {
                    removeContradicted(f, job);
                    return fail(f, Failure.file(executor + " job " + job.job() + " reports " + r.compressedBytes() + " bytes with adler32 "
                            + sum + " uploaded to " + tempUrl + "; after renaming it into place as " + url
                            + " the storage contradicts it: " + m.message() + "; that copy was removed"));
                }
            }
            Checksum remote = copy.confirmed().orElseThrow().checksum();
            JobResult.Timings t = r.timings();
            catalog.advance(f, FileState.COMPRESSED, Changes.none().compressed(job.target(), r.compressedBytes(), r.compressedAdler32()),
                    "compress", String.format(Locale.ROOT,
                            "%s %d → %d bytes (%.2f×) by %s job %s on %s (%s); decompressed: %d bytes, adler32 %s = raw; uploaded to %s,"
                                    + " storage confirms %d bytes and adler32 %s%s",
                            Codec.named(job.codec()), f.size(), r.compressedBytes(), f.size() / (double) Math.max(1, r.compressedBytes()), executor,
                            job.job(), r.host(), r.method() == null ? "in-process" : r.method(), r.decompressedBytes(), r.decompressedAdler32(), url, r.compressedBytes(), remote,
                            t == null ? "" : String.format(Locale.ROOT, " (compress and verify %d ms, upload %d ms%s)",
                                    t.compressMs() + t.verifyMs(), t.uploadMs(), t.confirmMs() == 0 ? "" : ", confirm " + t.confirmMs() + " ms"))
                            + shortened(f, job) + (inPlace ? "; the copy was already in place: a collector stopped after"
                            + " renaming it and before recording it" : ""));
            log.info("compressed {} → {} ({} → {} bytes)", f.lfn(), job.target(), f.size(), r.compressedBytes());
            return Applied.COMPRESSED;
        } catch (StorageException e) {
            removeTemp(job);
            return fail(f, failures.of(e, disk, "putting the compressed copy " + tempUrl + " in place as " + url + " failed"));
        }
    }

    /** A failed job's own account: a storage failure classified like any other, the damaged raw copy permanent, the rest the file's. */
    private Failure classify(CompressionJob job, JobResult r, String executor) {
        JobResult.Problem p = r.problem();
        if (p == null) {
            return Failure.file("job " + job.job() + " failed without saying why");
        }
        String where = "job " + job.job() + (r.host() == null ? "" : " on " + r.host()) + ", step " + p.step();
        if (JobResult.Problem.RAW_DAMAGED.equals(p.kind())) {
            return Failure.permanent(where + ": " + p.message());
        }
        if (JobResult.Problem.CREDENTIAL.equals(p.kind())) {
            // the job's proxy or token, not the file: charging it would quarantine the whole backlog
            return Failure.endpoint(WORKER_CREDENTIAL, where + ": the job could not use its credential: " + p.message());
        }
        StorageException.Kind kind = storageKind(p.kind());
        if (kind != null) {
            String url = p.url() == null ? disk.base().toString() : p.url();
            String message = p.message().startsWith(url + ": ") ? p.message().substring(url.length() + 2) : p.message();
            StorageException e = new StorageException(kind, url, message);
            return LOCAL.equals(executor) ? failures.of(e, disk, where + " failed") : failures.reportedElsewhere(e, disk, where + " failed");
        }
        return Failure.file(where + " (" + p.kind() + "): " + p.message());
    }

    private static StorageException.Kind storageKind(String kind) {
        for (StorageException.Kind k : StorageException.Kind.values()) {
            if (k.name().equals(kind)) {
                return k;
            }
        }
        return null;
    }

    private Applied fail(CatalogFile f, Failure failure) {
        CatalogFile after = catalog.fail(f, "compress", failure);
        log.warn("compress {}: {}", f.lfn(), failure.message());
        if (failure.kind() == Failure.Kind.ENDPOINT) {
            return Applied.ENDPOINT_DOWN;
        }
        return after.state() == FileState.QUARANTINED ? Applied.QUARANTINED : Applied.FAILED;
    }

    /** Removes the copy this job just renamed into place and the storage contradicted, still under the claim (never recorded). */
    private void removeContradicted(CatalogFile f, CompressionJob job) {
        catalog.fence(f);
        try {
            disk.delete(job.target());
        } catch (StorageException e) {
            log.warn("cannot remove the contradicted copy {} (the next attempt replaces it): {}", disk.urlOf(job.target()), e.getMessage());
        }
    }

    /** Removes the job's temporary (only it: the target may hold another attempt's verified copy). */
    public void removeTemp(CompressionJob job) {
        try {
            disk.delete(job.temp());
        } catch (StorageException e) {
            log.warn("cannot remove {} (the janitor will): {}", disk.urlOf(job.temp()), e.getMessage());
        }
    }

    /** Says so when the compressed copy could not take the name LFN + suffix (over 255 bytes). */
    private static String shortened(CatalogFile f, CompressionJob job) {
        String plain = f.lfn() + Codec.named(job.codec()).suffix();
        if (job.target().equals(plain)) {
            return "";
        }
        return " (the name " + StorageNames.lastComponent(plain) + " would be " + StorageNames.nameBytes(plain)
                + " bytes, over the " + StorageNames.NAME_MAX + "-byte limit of one path component, so it is stored as "
                + StorageNames.lastComponent(job.target()) + ")";
    }
}
