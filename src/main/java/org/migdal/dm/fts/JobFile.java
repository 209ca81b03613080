package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Optional;

/**
 * One file row of a job (reference §3.4), or the subset of it asked for with {@code ?files=} (§3.5): fields not sent
 * are null. {@code reason} is never null: FTS sends {@code null} or {@code ""} for "no reason" and both read as "".
 * {@code fileMetadata} is the JSON sent at submission (plus {@code dst_file} when the destination existed), or JSON null.
 */
public record JobFile(Long fileId, Integer fileIndex, String jobId, String fileState, String sourceSurl, String destSurl,
                      String reason, Long filesize, Long userFilesize, String checksum, Instant startTime,
                      Instant finishTime, Instant archiveStartTime, Instant archiveFinishTime, Instant stagingStart,
                      Instant stagingFinished, Integer retry, Boolean recoverable, Double throughput, Double txDuration,
                      JsonNode fileMetadata) {

    /** The destination as url-copy saw it when it already existed ({@code dst_file_report}, reference §3.3). */
    public record DstFile(Long fileSize, String checksumType, String checksumValue, boolean fileOnTape, boolean fileOnDisk) {
    }

    /** True when the server sent a non-empty reason. */
    public boolean hasReason() {
        return !reason.isEmpty();
    }

    public boolean isTerminal() {
        return FtsStates.isFileTerminal(fileState);
    }

    /** The {@code dst_file} report in {@code file_metadata}, if any. */
    public Optional<DstFile> dstFile() {
        if (fileMetadata == null || !fileMetadata.isObject()) {
            return Optional.empty();
        }
        JsonNode d = fileMetadata.get("dst_file");
        if (d == null || !d.isObject()) {
            return Optional.empty();
        }
        Boolean tape = FtsJson.boolOrNull(d, "file_on_tape");
        Boolean disk = FtsJson.boolOrNull(d, "file_on_disk");
        return Optional.of(new DstFile(FtsJson.longOrNull(d, "file_size"), FtsJson.text(d, "checksum_type"),
                FtsJson.text(d, "checksum_value"), tape != null && tape, disk != null && disk));
    }

    /** A text field of {@code file_metadata} (e.g. {@code lfn}, {@code catalog_id}), if present. */
    public Optional<String> metadata(String key) {
        if (fileMetadata == null || !fileMetadata.isObject()) {
            return Optional.empty();
        }
        return Optional.ofNullable(FtsJson.text(fileMetadata, key));
    }

    static JobFile from(JsonNode n) {
        return new JobFile(FtsJson.longOrNull(n, "file_id"), FtsJson.intOrNull(n, "file_index"), FtsJson.text(n, "job_id"),
                FtsJson.text(n, "file_state"), FtsJson.text(n, "source_surl"), FtsJson.text(n, "dest_surl"),
                FtsJson.reason(n, "reason"), FtsJson.longOrNull(n, "filesize"), FtsJson.longOrNull(n, "user_filesize"),
                FtsJson.text(n, "checksum"), FtsJson.time(n, "start_time"), FtsJson.time(n, "finish_time"),
                FtsJson.time(n, "archive_start_time"), FtsJson.time(n, "archive_finish_time"),
                FtsJson.time(n, "staging_start"), FtsJson.time(n, "staging_finished"), FtsJson.intOrNull(n, "retry"),
                FtsJson.boolOrNull(n, "recoverable"), FtsJson.doubleOrNull(n, "throughput"),
                FtsJson.doubleOrNull(n, "tx_duration"), FtsJson.node(n, "file_metadata"));
    }
}
