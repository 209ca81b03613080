package org.migdal.dm.compress;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One compression job as data: everything a process anywhere needs to compress one file, and nothing it could use to
 * change the catalog. The submit host writes it (a job file on HTCondor, a value for the local executor); the worker
 * ({@link JobRunner}) reads the raw copy from {@code storage}, compresses, verifies by decompressing, uploads to
 * {@code temp} beside {@code target} and confirms it. Only the holder of the claim ({@code token}) puts it in place.
 *
 * @param job      the job's name, {@code j<fileId>-<token prefix>}: safe in a submit description and a file name
 * @param token    the claim token under which the job was made; a result carrying another token is not applied
 * @param storage  the disk storage's base URL; {@code storageAuth} how to authenticate there (auto, x509, token, none)
 * @param certDir  the CA directory, or null for the worker's default ({@code X509_CERT_DIR}, then /etc/grid-security/certificates)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompressionJob(int version, String job, String token, String step, long fileId, String lfn, long rawBytes,
                             String rawAdler32, String storage, String storageAuth, String certDir, boolean systemTrust,
                             String requiredFqan, String target, String temp, String codec, int level) {

    public static final int VERSION = 1;
    /** Immutable and thread-safe: the one JSON form of a job, written by the submit host and read by the worker. */
    private static final ObjectReader READER = new ObjectMapper().readerFor(CompressionJob.class);
    private static final ObjectWriter WRITER = new ObjectMapper().writerWithDefaultPrettyPrinter();
    public static final String STEP = "compress";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public CompressionJob {
        Objects.requireNonNull(job, "job");
        if (!NAME.matcher(job).matches()) {
            throw new IllegalArgumentException("job name '" + job + "' must match " + NAME);
        }
        if (version != VERSION) {
            throw new IllegalArgumentException("job " + job + " is of version " + version + "; this program runs version " + VERSION);
        }
        if (!STEP.equals(step)) {
            throw new IllegalArgumentException("job " + job + " asks for step '" + step + "'; only '" + STEP + "' exists");
        }
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(lfn, "lfn");
        Objects.requireNonNull(rawAdler32, "rawAdler32");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(temp, "temp");
        Objects.requireNonNull(codec, "codec");
        storageAuth = storageAuth == null ? "auto" : storageAuth;
        requiredFqan = requiredFqan == null ? "" : requiredFqan;
    }

    /** What every job of one configuration shares: where the storage is, how to authenticate there, the codec. */
    public record Settings(String storage, String storageAuth, String certDir, boolean systemTrust, String requiredFqan,
                           Codec codec, int level) {
    }

    /** The job as its job file holds it. */
    public String json() {
        try {
            return WRITER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write job " + job + " as JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a job file's text; a malformed or incomplete job is refused with the reason. */
    public static CompressionJob fromJson(String text) throws JsonProcessingException {
        return READER.readValue(text);
    }

    /** The name of the job for a file claimed with {@code token}. */
    public static String nameFor(long fileId, String token) {
        String t = token.replaceAll("[^A-Za-z0-9]", "");
        return "j" + fileId + "-" + t.substring(0, Math.min(12, t.length()));
    }
}
