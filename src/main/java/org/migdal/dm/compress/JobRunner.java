package org.migdal.dm.compress;

import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.migdal.dm.storage.StorageNames;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs one {@link CompressionJob} wherever it is: on this host for the local executor, on a worker node for HTCondor
 * ({@code migdal-dm job run}). Streams the raw copy from the storage through the {@link Compressor} to a scratch file,
 * the compressed bytes decompressed again as they are made ({@link Compressor}: the verification reads nothing twice),
 * checks the raw bytes still have the size and adler32 recorded at shipping, uploads the copy to the job's temporary name
 * beside the target and, on a worker node, confirms size and adler32 from the storage. It never touches the catalog and never puts anything under the target name; it removes its scratch file.
 */
public final class JobRunner {
    private final String host;
    private final Toolbox toolbox;
    private final boolean confirmUpload;

    /** A worker node's runner: programs from PATH when found, and the upload confirmed at the storage before reporting. */
    public JobRunner(String host) {
        this(host, Toolbox.system(Engine.AUTO), true);
    }

    /**
     * @param toolbox       makes each job's {@link Compressor}
     * @param confirmUpload whether to confirm the uploaded temporary at the storage; the local executor does not, because
     *                      {@code CompressionResults} confirms the copy once it is in place, on the same host
     */
    public JobRunner(String host, Toolbox toolbox, boolean confirmUpload) {
        this.host = host;
        this.toolbox = toolbox;
        this.confirmUpload = confirmUpload;
    }

    /** This host's name, as results name the host a job ran on. */
    public static String thisHost() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    public JobResult run(CompressionJob job, StorageEndpoint disk, Path scratchDir) {
        long start = System.nanoTime();
        Steps t = new Steps(start);
        String rawUrl = disk.urlOf(job.lfn());
        String tempUrl = disk.urlOf(job.temp());
        Path scratch = scratchDir.resolve(StorageNames.newTempName());
        Compressor.Result r = null;
        Compressor compressor = null;
        try {
            compressor = toolbox.compressor(Codec.named(job.codec()), job.level());
            Files.createDirectories(scratchDir);
            try (InputStream raw = disk.open(job.lfn())) {
                r = compressor.compress(raw, scratch);
            } catch (Compressor.VerificationFailed e) {
                t.compressed();
                return failed(job, null, t, new JobResult.Problem("verify", JobResult.Problem.VERIFY, null,
                        "verifying the compressed copy of " + rawUrl + " failed: " + e.getMessage() + "; not uploaded"), compressor);
            }
            t.compressed();
            if (r.rawBytes() != job.rawBytes() || !Checksum.adler32(r.rawAdler32()).equals(Checksum.adler32(job.rawAdler32()))) {
                return failed(job, r, t, new JobResult.Problem("read", JobResult.Problem.RAW_DAMAGED, rawUrl,
                        "the storage copy " + rawUrl + " read back as " + r.rawBytes() + " bytes with adler32 " + r.rawAdler32()
                                + ", but " + job.rawBytes() + " bytes with adler32 " + job.rawAdler32() + " were shipped;"
                                + " the storage copy is damaged. Nothing was uploaded"), compressor);
            }
            t.verified();
            Checksum compressedSum = Checksum.adler32(r.compressedAdler32());
            StorageEndpoint.Sent sent;
            try (InputStream in = Files.newInputStream(scratch)) {
                sent = disk.put(in, r.compressedBytes(), job.temp(), false);
            }
            t.uploaded();
            if (sent.bytes() != r.compressedBytes() || !sent.adler32().equals(compressedSum)) {
                removeQuietly(disk, job.temp());
                return failed(job, r, t, new JobResult.Problem("upload", JobResult.Problem.ERROR, tempUrl,
                        "the scratch file " + scratch + " changed between compression and upload"), compressor);
            }
            Long storageBytes = null;
            String storageAdler32 = null;
            if (confirmUpload) {
                CopyCheck.Outcome copy = CopyCheck.confirm(disk, job.temp(), r.compressedBytes(), compressedSum, CopyCheck.Residency.NOT_ASKED);
                t.confirmed();
                if (copy instanceof CopyCheck.Mismatch m) {
                    removeQuietly(disk, job.temp());
                    return failed(job, r, t, new JobResult.Problem("confirm", StorageException.Kind.CORRUPT.name(), tempUrl,
                            "after uploading " + r.compressedBytes() + " bytes with adler32 " + compressedSum + " the storage copy differs: "
                                    + m.message()), compressor);
                }
                CopyCheck.Evidence at = copy.confirmed().orElseThrow();
                storageBytes = at.size();
                storageAdler32 = at.checksum().value();
            }
            return new JobResult(CompressionJob.VERSION, job.job(), job.token(), job.fileId(), job.lfn(), true, host,
                    r.rawBytes(), r.rawAdler32(), r.compressedBytes(), r.compressedAdler32(), r.decompressed().bytes(),
                    r.decompressed().adler32().value(), job.temp(), storageBytes, storageAdler32, t.done(), null, compressor.describe());
        } catch (StorageException e) {
            return failed(job, r, t, new JobResult.Problem(t.step(), e.kind().name(), e.url(), e.getMessage()), compressor);
        } catch (IOException e) {
            return failed(job, r, t, new JobResult.Problem(t.step(), JobResult.Problem.ERROR, rawUrl,
                    "compressing " + rawUrl + " failed: " + e.getMessage()), compressor);
        } catch (RuntimeException e) {
            return failed(job, r, t, new JobResult.Problem(t.step(), JobResult.Problem.ERROR, rawUrl,
                    "compressing " + rawUrl + " failed unexpectedly: " + e), compressor);
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                System.err.println("cannot remove scratch file " + scratch + ": " + e.getMessage());
            }
        }
    }

    /** A result for a job that could not even start (no storage, no credential): nothing was read or written. */
    public JobResult refused(CompressionJob job, String kind, String url, String message) {
        Steps t = new Steps(System.nanoTime());
        return failed(job, null, t, new JobResult.Problem("start", kind, url, message), null);
    }

    private JobResult failed(CompressionJob job, Compressor.Result r, Steps t, JobResult.Problem problem, Compressor compressor) {
        return new JobResult(CompressionJob.VERSION, job.job(), job.token(), job.fileId(), job.lfn(), false, host,
                r == null ? null : r.rawBytes(), r == null ? null : r.rawAdler32(), r == null ? null : r.compressedBytes(),
                r == null ? null : r.compressedAdler32(), r == null ? null : r.decompressed().bytes(),
                r == null ? null : r.decompressed().adler32().value(), null, null, null, t.done(), problem,
                compressor == null ? null : compressor.describe());
    }

    private static void removeQuietly(StorageEndpoint disk, String temp) {
        try {
            disk.delete(temp);
        } catch (StorageException e) {
            System.err.println("cannot remove " + disk.urlOf(temp) + " (the janitor will): " + e.getMessage());
        }
    }

    /** The clock of one job's steps. */
    private static final class Steps {
        private final long start;
        private long last;
        private long compress;
        private long verify;
        private long upload;
        private long confirm;
        private String step = "read";

        Steps(long start) {
            this.start = start;
            this.last = start;
        }

        private long lap() {
            long now = System.nanoTime();
            long ms = (now - last) / 1_000_000;
            last = now;
            return ms;
        }

        void compressed() {
            compress = lap();
            step = "verify";
        }

        void verified() {
            verify = lap();
            step = "upload";
        }

        void uploaded() {
            upload = lap();
            step = "confirm";
        }

        void confirmed() {
            confirm = lap();
            step = "done";
        }

        String step() {
            return step;
        }

        JobResult.Timings done() {
            return new JobResult.Timings(compress, verify, upload, confirm, (System.nanoTime() - start) / 1_000_000);
        }
    }
}
