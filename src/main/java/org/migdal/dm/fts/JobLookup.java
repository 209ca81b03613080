package org.migdal.dm.fts;

import java.util.Optional;

/**
 * The outcome for one id of a bulk status query: {@link Status#FOUND} with the job, {@link Status#NOT_FOUND} (FTS does
 * not know the job: never submitted, or purged after {@code CleanInterval} days, reference §8), or {@link Status#ERROR}
 * (e.g. {@code "403 Forbidden"}, or the id was missing from the reply: ask again later, do not resubmit).
 */
public record JobLookup(String jobId, Status status, Job job, String httpStatus, String message) {
    public enum Status { FOUND, NOT_FOUND, ERROR }

    public Optional<Job> found() {
        return Optional.ofNullable(job);
    }

    public boolean isFound() {
        return status == Status.FOUND;
    }

    public boolean isNotFound() {
        return status == Status.NOT_FOUND;
    }

    static JobLookup found(Job job) {
        return new JobLookup(job.jobId(), Status.FOUND, job, job.httpStatus(), job.httpMessage());
    }

    static JobLookup notFound(String id, String httpStatus, String message) {
        return new JobLookup(id, Status.NOT_FOUND, null, httpStatus, message);
    }

    static JobLookup error(String id, String httpStatus, String message) {
        return new JobLookup(id, Status.ERROR, null, httpStatus, message);
    }
}
