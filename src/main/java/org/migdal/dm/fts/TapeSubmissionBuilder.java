package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Builds FTS3 submissions that archive files to tape (reference §2, §3.3, §7, §10.4): many files per job (at most
 * {@link #maxFilesPerJob}, 200 by default), and per job:
 * <ul>
 *   <li>per file: {@code sources}, {@code destinations}, {@code checksum "ADLER32:xxxxxxxx"}, {@code filesize} and
 *       {@code metadata} {@code {"issuer": "migdal-dm", "lfn", "catalog_id", "attempt", "submission", "run",
 *       "dst_type": "TAPE"}};</li>
 *   <li>{@code verify_checksum "both"}, {@code archive_timeout} &gt; 0 (so FINISHED means on tape),
 *       {@code dst_file_report true}, {@code overwrite false}, {@code retry};</li>
 *   <li>{@code overwrite_when_only_on_disk true} only when asked for and every destination of the job is
 *       {@code https://}/{@code davs://} (the server refuses it otherwise); else false, so a destination that already
 *       exists fails with a {@code dst_file} report the mover can judge;</li>
 *   <li>{@code job_metadata {"issuer": "migdal-dm", "run": <run id>}};</li>
 *   <li>{@code id_generator "deterministic"} and a {@code sid} derived from each file's LFN, tape destination URL and
 *       per-file submission number ({@link #sidFor}): unique to those files, never to a catalog's row ids, so another
 *       catalog (a test instance, a rebuilt catalog) never gets this job's id for other files; the same files at the
 *       same submission give the same sid, hence the same job id ({@link FtsClient#expectedJobId}), which the caller
 *       records before the POST. A file sent again on purpose (after FAILED or a purge) carries a higher submission
 *       number. {@link #submission(List, String)} rebuilds a job with a recorded sid.</li>
 * </ul>
 * Files are grouped by destination endpoint ({@code scheme://host:port}); within a group they keep the order added.
 */
public final class TapeSubmissionBuilder {
    public static final String ISSUER = "migdal-dm";
    public static final int DEFAULT_MAX_FILES_PER_JOB = 200;

    /**
     * A file to archive: its logical name and catalog id (both informational, in the file's metadata), the attempt
     * number (1 for the first), the per-file submission number (1 for the first FTS job of the file; part of the sid),
     * the source and tape destination URLs, the adler32 of the bytes at the source (hex, up to 8 digits) and the size.
     */
    public record TapeFile(String lfn, String catalogId, int attempt, int submission, String source, String destination,
                           String adler32, long size) {
        /** A file whose submission number is its attempt number. */
        public TapeFile(String lfn, String catalogId, int attempt, String source, String destination, String adler32, long size) {
            this(lfn, catalogId, attempt, attempt, source, destination, adler32, size);
        }

        public TapeFile {
            if (submission < 1) {
                throw new IllegalArgumentException("submission starts at 1: " + submission);
            }
            Objects.requireNonNull(lfn, "lfn");
            Objects.requireNonNull(catalogId, "catalogId");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(adler32, "adler32");
            if (!adler32.matches("[0-9A-Fa-f]{1,8}")) {
                throw new IllegalArgumentException("adler32 must be 1-8 hex digits: " + adler32);
            }
            if (attempt < 1) {
                throw new IllegalArgumentException("attempt starts at 1: " + attempt);
            }
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative: " + size);
            }
        }
    }

    private final String runId;
    private final int archiveTimeoutSeconds;
    private int maxFilesPerJob = DEFAULT_MAX_FILES_PER_JOB;
    private int retry = 3;
    private boolean overwriteWhenOnlyOnDisk = true;
    private Integer priority;
    private Integer maxTimeInQueueHours;
    private String activity;
    private final List<TapeFile> files = new ArrayList<>();

    /**
     * @param runId          the migdal-dm run (cycle) id, recorded in {@code job_metadata}
     * @param archiveTimeout how long the tape system has to confirm each file (&gt; 0; e.g. 24 h)
     */
    public TapeSubmissionBuilder(String runId, Duration archiveTimeout) {
        this.runId = Objects.requireNonNull(runId, "runId");
        long s = archiveTimeout.toSeconds();
        if (s <= 0 || s > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("archive_timeout must be > 0 seconds so that FINISHED means on tape: " + archiveTimeout);
        }
        this.archiveTimeoutSeconds = (int) s;
    }

    /** Files per job, 1..1000 (default 200). */
    public TapeSubmissionBuilder maxFilesPerJob(int n) {
        if (n < 1 || n > 1000) {
            throw new IllegalArgumentException("files per job must be 1..1000: " + n);
        }
        this.maxFilesPerJob = n;
        return this;
    }

    /** FTS retries per file ({@code retry}; &lt; 0 none, 0 the server default). Default 3. */
    public TapeSubmissionBuilder retry(int n) {
        this.retry = n;
        return this;
    }

    /** Ask for {@code overwrite_when_only_on_disk} where the server allows it (https/davs destinations). Default on. */
    public TapeSubmissionBuilder overwriteWhenOnlyOnDisk(boolean on) {
        this.overwriteWhenOnlyOnDisk = on;
        return this;
    }

    public TapeSubmissionBuilder priority(Integer p) {
        this.priority = p;
        return this;
    }

    public TapeSubmissionBuilder maxTimeInQueueHours(Integer h) {
        this.maxTimeInQueueHours = h;
        return this;
    }

    public TapeSubmissionBuilder activity(String a) {
        this.activity = a;
        return this;
    }

    public TapeSubmissionBuilder add(TapeFile f) {
        files.add(Objects.requireNonNull(f));
        return this;
    }

    public TapeSubmissionBuilder addAll(List<TapeFile> fs) {
        fs.forEach(this::add);
        return this;
    }

    /** The submissions: one per ≤ maxFilesPerJob files of the same destination endpoint. */
    public List<Submission> build() {
        Map<String, List<TapeFile>> groups = new LinkedHashMap<>();
        for (TapeFile f : files) {
            groups.computeIfAbsent(endpointOf(f.destination()), k -> new ArrayList<>()).add(f);
        }
        List<Submission> out = new ArrayList<>();
        for (List<TapeFile> group : groups.values()) {
            for (int i = 0; i < group.size(); i += maxFilesPerJob) {
                List<TapeFile> chunk = group.subList(i, Math.min(group.size(), i + maxFilesPerJob));
                out.add(submission(chunk, sidFor(chunk)));
            }
        }
        return out;
    }

    /** One job of these files (one destination endpoint, at most 1000) with the given sid, e.g. one recorded earlier. */
    public Submission submission(List<TapeFile> chunk, String sid) {
        Objects.requireNonNull(sid, "sid");
        List<TransferFile> tfs = new ArrayList<>();
        boolean allHttp = true;
        for (TapeFile f : chunk) {
            ObjectNode md = FtsJson.MAPPER.createObjectNode();
            md.put("issuer", ISSUER);
            md.put("lfn", f.lfn());
            md.put("catalog_id", f.catalogId());
            md.put("attempt", f.attempt());
            md.put("submission", f.submission());
            md.put("run", runId);
            md.put("dst_type", "TAPE");
            tfs.add(new TransferFile(List.of(f.source()), List.of(f.destination()), "ADLER32:" + f.adler32(), f.size(), md,
                    activity));
            allHttp &= Submission.isHttpLike(f.destination());
        }
        ObjectNode jm = FtsJson.MAPPER.createObjectNode();
        jm.put("issuer", ISSUER);
        jm.put("run", runId);
        JobParams params = JobParams.builder()
                .verifyChecksum("both")
                .archiveTimeout(archiveTimeoutSeconds)
                .dstFileReport(true)
                .overwrite(false)
                .overwriteWhenOnlyOnDisk(overwriteWhenOnlyOnDisk && allHttp)
                .retry(retry)
                .priority(priority)
                .maxTimeInQueueHours(maxTimeInQueueHours)
                .jobMetadata(jm)
                .deterministic(sid)
                .build();
        return new Submission(tfs, params);
    }

    /**
     * The sid of a job holding these files: {@code migdal-dm-} + the first 32 hex digits of SHA-256 over each file's
     * LFN, tape destination URL and submission number, in order. Catalog ids and the run id play no part: another
     * catalog's rows with the same ids are other files, and a crashed run's rerun must find the same job.
     */
    public static String sidFor(List<TapeFile> chunk) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (TapeFile f : chunk) {
            sha.update((f.lfn() + "\u0000" + f.destination() + "\u0000" + f.submission() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return "migdal-dm-" + HexFormat.of().formatHex(sha.digest()).substring(0, 32);
    }

    private static String endpointOf(String url) {
        try {
            URI u = new URI(url);
            return (u.getScheme() + "://" + u.getHost() + ":" + u.getPort()).toLowerCase(Locale.ROOT);
        } catch (Exception e) {
            return url; // TransferFile refuses it with a clear message
        }
    }
}
