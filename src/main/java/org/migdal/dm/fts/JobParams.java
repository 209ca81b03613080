package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * A submission's {@code params} (reference §2.2). Every field may be null: a null is not sent, and the server applies
 * its default. Build with {@link #builder()}. Checked as the server would: {@code verify_checksum} one of
 * both/source/target/none; {@code overwrite} and {@code overwrite_when_only_on_disk} never both; the latter only with
 * {@code archive_timeout > 0} (destinations are checked in {@link Submission}); {@code id_generator "deterministic"}
 * needs a {@code sid}; {@code job_metadata} at most 2048 bytes.
 */
public record JobParams(String verifyChecksum, Boolean overwrite, Boolean overwriteWhenOnlyOnDisk, Integer archiveTimeout,
                        Integer bringOnline, Integer copyPinLifetime, Boolean dstFileReport, Integer retry,
                        Integer retryDelay, Integer priority, Integer maxTimeInQueueHours, JsonNode jobMetadata,
                        String idGenerator, String sid) {
    /** {@code JobMetadataSizeLimit} of the shipped server config. */
    public static final int JOB_METADATA_LIMIT = 2048;
    public static final String DETERMINISTIC = "deterministic";
    private static final Set<String> VERIFY = Set.of("both", "source", "target", "none");

    public JobParams {
        if (verifyChecksum != null && !VERIFY.contains(verifyChecksum)) {
            throw new IllegalArgumentException("verify_checksum must be both, source, target or none: " + verifyChecksum);
        }
        if (Boolean.TRUE.equals(overwrite) && Boolean.TRUE.equals(overwriteWhenOnlyOnDisk)) {
            throw new IllegalArgumentException("overwrite and overwrite_when_only_on_disk exclude each other"
                    + " (the server answers 400 Incompatible overwrite flags used at the same time)");
        }
        if (Boolean.TRUE.equals(overwriteWhenOnlyOnDisk) && (archiveTimeout == null || archiveTimeout <= 0)) {
            throw new IllegalArgumentException("overwrite_when_only_on_disk needs archive_timeout > 0");
        }
        if (priority != null && (priority < 1 || priority > 5)) {
            throw new IllegalArgumentException("priority must be 1..5: " + priority);
        }
        if (idGenerator != null && !idGenerator.equals("standard") && !idGenerator.equals(DETERMINISTIC)) {
            throw new IllegalArgumentException("id_generator must be standard or deterministic: " + idGenerator);
        }
        if (DETERMINISTIC.equals(idGenerator) && (sid == null || sid.isBlank())) {
            throw new IllegalArgumentException("id_generator deterministic needs a sid");
        }
        if (jobMetadata != null && !jobMetadata.isNull()
                && jobMetadata.toString().getBytes(StandardCharsets.UTF_8).length > JOB_METADATA_LIMIT) {
            throw new IllegalArgumentException("job_metadata is over the server's " + JOB_METADATA_LIMIT + "-byte limit");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when the job involves tape: archive monitoring or staging (bring-online). */
    public boolean involvesTape() {
        return (archiveTimeout != null && archiveTimeout > 0) || (bringOnline != null && bringOnline > 0)
                || (copyPinLifetime != null && copyPinLifetime > 0);
    }

    public boolean isDeterministic() {
        return DETERMINISTIC.equals(idGenerator);
    }

    ObjectNode toJson() {
        ObjectNode o = FtsJson.MAPPER.createObjectNode();
        if (verifyChecksum != null) {
            o.put("verify_checksum", verifyChecksum);
        }
        if (overwrite != null) {
            o.put("overwrite", overwrite);
        }
        if (overwriteWhenOnlyOnDisk != null) {
            o.put("overwrite_when_only_on_disk", overwriteWhenOnlyOnDisk);
        }
        if (archiveTimeout != null) {
            o.put("archive_timeout", archiveTimeout);
        }
        if (bringOnline != null) {
            o.put("bring_online", bringOnline);
        }
        if (copyPinLifetime != null) {
            o.put("copy_pin_lifetime", copyPinLifetime);
        }
        if (dstFileReport != null) {
            o.put("dst_file_report", dstFileReport);
        }
        if (retry != null) {
            o.put("retry", retry);
        }
        if (retryDelay != null) {
            o.put("retry_delay", retryDelay);
        }
        if (priority != null) {
            o.put("priority", priority);
        }
        if (maxTimeInQueueHours != null) {
            o.put("max_time_in_queue", maxTimeInQueueHours);
        }
        if (jobMetadata != null && !jobMetadata.isNull()) {
            o.set("job_metadata", jobMetadata);
        }
        if (idGenerator != null) {
            o.put("id_generator", idGenerator);
        }
        if (sid != null) {
            o.put("sid", sid);
        }
        return o;
    }

    /** Builds {@link JobParams}; unset values are not sent. */
    public static final class Builder {
        private String verifyChecksum;
        private Boolean overwrite;
        private Boolean overwriteWhenOnlyOnDisk;
        private Integer archiveTimeout;
        private Integer bringOnline;
        private Integer copyPinLifetime;
        private Boolean dstFileReport;
        private Integer retry;
        private Integer retryDelay;
        private Integer priority;
        private Integer maxTimeInQueueHours;
        private JsonNode jobMetadata;
        private String idGenerator;
        private String sid;

        private Builder() {
        }

        public Builder verifyChecksum(String v) { this.verifyChecksum = v; return this; }
        public Builder overwrite(Boolean v) { this.overwrite = v; return this; }
        public Builder overwriteWhenOnlyOnDisk(Boolean v) { this.overwriteWhenOnlyOnDisk = v; return this; }
        /** Seconds the tape system has to confirm the copy; > 0 makes FINISHED mean "on tape". */
        public Builder archiveTimeout(Integer seconds) { this.archiveTimeout = seconds; return this; }
        public Builder bringOnline(Integer seconds) { this.bringOnline = seconds; return this; }
        public Builder copyPinLifetime(Integer seconds) { this.copyPinLifetime = seconds; return this; }
        public Builder dstFileReport(Boolean v) { this.dstFileReport = v; return this; }
        public Builder retry(Integer v) { this.retry = v; return this; }
        public Builder retryDelay(Integer seconds) { this.retryDelay = seconds; return this; }
        public Builder priority(Integer v) { this.priority = v; return this; }
        public Builder maxTimeInQueueHours(Integer v) { this.maxTimeInQueueHours = v; return this; }
        public Builder jobMetadata(JsonNode v) { this.jobMetadata = v; return this; }
        /** {@code id_generator: "deterministic"} with this sid: the job id is uuid5(uuid5(base_id, vo), sid). */
        public Builder deterministic(String sid) { this.idGenerator = DETERMINISTIC; this.sid = sid; return this; }

        public JobParams build() {
            return new JobParams(verifyChecksum, overwrite, overwriteWhenOnlyOnDisk, archiveTimeout, bringOnline,
                    copyPinLifetime, dstFileReport, retry, retryDelay, priority, maxTimeInQueueHours, jobMetadata,
                    idGenerator, sid);
        }
    }
}
