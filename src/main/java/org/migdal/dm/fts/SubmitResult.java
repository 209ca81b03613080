package org.migdal.dm.fts;

/**
 * A submission the server holds, with its job id and how we know: {@link Outcome#SUBMITTED} (200 now),
 * {@link Outcome#ALREADY_SUBMITTED} (409 "The sid provided by the user is duplicated": an earlier submission with this
 * sid exists, and its id is the deterministic one), or {@link Outcome#RECOVERED} (the reply was lost, and the job was
 * found under its deterministic id).
 */
public record SubmitResult(String jobId, Outcome outcome, String sid) {
    public enum Outcome { SUBMITTED, ALREADY_SUBMITTED, RECOVERED }
}
