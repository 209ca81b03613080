package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A job as {@code GET /jobs/{id}} returns it (reference §3.2). {@code reason} is never null ({@code null} and
 * {@code ""} both read as ""). {@code files} holds the file rows only when they were asked for with {@code ?files=}
 * (else it is empty). {@code httpStatus}/{@code httpMessage} are the per-job status ({@code "200 Ok"}, or
 * {@code "304 Not Modified"} for a cancel of a job already terminal).
 */
public record Job(String jobId, String jobState, String jobType, String sourceSe, String destSe, String userDn,
                  String credId, String voName, String reason, Instant submitTime, Instant jobFinished, Integer priority,
                  String verifyChecksum, String overwriteFlag, Boolean dstFileReport, Integer archiveTimeout,
                  Integer bringOnline, Integer retry, Integer retryDelay, Boolean cancelJob, JsonNode jobMetadata,
                  String httpStatus, String httpMessage, List<JobFile> files) {
    public Job {
        files = List.copyOf(files);
    }

    /** FINISHED, FAILED, FINISHEDDIRTY or CANCELED (reference §3.1). */
    public boolean isTerminal() {
        return FtsStates.isJobTerminal(jobState);
    }

    public boolean hasReason() {
        return !reason.isEmpty();
    }

    static Job from(JsonNode n) {
        List<JobFile> files = new ArrayList<>();
        JsonNode f = n.get("files");
        if (f != null && f.isArray()) {
            for (JsonNode x : f) {
                files.add(JobFile.from(x));
            }
        }
        return new Job(FtsJson.text(n, "job_id"), FtsJson.text(n, "job_state"), FtsJson.text(n, "job_type"),
                FtsJson.text(n, "source_se"), FtsJson.text(n, "dest_se"), FtsJson.text(n, "user_dn"),
                FtsJson.text(n, "cred_id"), FtsJson.text(n, "vo_name"), FtsJson.reason(n, "reason"),
                FtsJson.time(n, "submit_time"), FtsJson.time(n, "job_finished"), FtsJson.intOrNull(n, "priority"),
                FtsJson.text(n, "verify_checksum"), FtsJson.text(n, "overwrite_flag"), FtsJson.boolOrNull(n, "dst_file_report"),
                FtsJson.intOrNull(n, "archive_timeout"), FtsJson.intOrNull(n, "bring_online"), FtsJson.intOrNull(n, "retry"),
                FtsJson.intOrNull(n, "retry_delay"), FtsJson.boolOrNull(n, "cancel_job"), FtsJson.node(n, "job_metadata"),
                FtsJson.text(n, "http_status"), FtsJson.text(n, "http_message"), files);
    }
}
