package org.migdal.dm.fts;

/**
 * The reply to {@code DELETE /jobs/{id}}: the job with its state after the cancel, and whether it was already terminal
 * ({@code "http_status": "304 Not Modified"}, "The job is in a terminal state"), in which case nothing changed.
 */
public record CancelResult(Job job, boolean alreadyTerminal) {
}
