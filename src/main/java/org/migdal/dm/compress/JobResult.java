package org.migdal.dm.compress;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * What a compression job reports, as JSON on its output: the sizes and adler32s it measured, where it uploaded the
 * compressed copy and what the storage confirmed, how long each step took, and, when it failed, why. A job never writes
 * the catalog: the submit host applies this under the claim ({@code token}). {@code storageBytes} and {@code storageAdler32}
 * are what the storage confirmed for the temporary when the job was asked to confirm it (a worker node's job), else
 * null: the submit host confirms the copy once it is in place. {@code method} says how the copy was made and verified.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobResult(int version, String job, String token, long fileId, String lfn, boolean ok, String host,
                        Long rawBytes, String rawAdler32, Long compressedBytes, String compressedAdler32,
                        Long decompressedBytes, String decompressedAdler32, String uploaded, Long storageBytes,
                        String storageAdler32, Timings timings, Problem problem, String method) {

    /** Immutable and thread-safe: the one JSON form of a result, printed by the worker and read by the submit host. */
    private static final ObjectReader READER = new ObjectMapper().readerFor(JobResult.class);
    private static final ObjectWriter WRITER = new ObjectMapper().writerWithDefaultPrettyPrinter();

    /** The result as the job prints it. */
    public String json() {
        try {
            return WRITER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the result of job " + job + " as JSON: " + e.getMessage(), e);
        }
    }

    /** Reads a job's output. */
    public static JobResult fromJson(String text) throws JsonProcessingException {
        return READER.readValue(text);
    }

    /** Milliseconds spent reading and compressing, decompressing to verify, uploading, and confirming at the storage. */
    public record Timings(long compressMs, long verifyMs, long uploadMs, long confirmMs, long totalMs) {
    }

    /**
     * Why a job failed. {@code kind} is a storage failure's kind (NOT_FOUND, DENIED, NO_SPACE, …: the submit host classifies
     * it like any other storage failure), or {@link #RAW_DAMAGED} (the storage's raw copy is not what was shipped:
     * permanent), {@link #VERIFY} (decompressing did not reproduce the raw bytes), {@link #CREDENTIAL} (no usable proxy or
     * token on the worker), {@link #ERROR} (anything else). {@code url} names the storage URL concerned, when one is.
     */
    public record Problem(String step, String kind, String url, String message) {
        public static final String RAW_DAMAGED = "RAW_DAMAGED";
        public static final String VERIFY = "VERIFY";
        public static final String CREDENTIAL = "CREDENTIAL";
        public static final String ERROR = "ERROR";
    }
}
