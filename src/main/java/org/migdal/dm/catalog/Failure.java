package org.migdal.dm.catalog;

/**
 * What went wrong with one piece of work, classified once (see {@code health.Failures}): the file's own problem
 * (retried with backoff, an attempt charged), data that contradicts itself (quarantined at once), or a failure of a
 * whole endpoint (the endpoint is marked DOWN, the file waits and is charged nothing).
 */
public record Failure(Kind kind, String message, String endpoint) {

    public enum Kind {
        /** The file's own problem; another attempt may help. Charged. */
        FILE,
        /** Data that contradicts itself, or a condition no retry can change. Quarantined at once. */
        PERMANENT,
        /** The endpoint as a whole failed (unreachable, full, read-only, credential refused, marker missing). Not charged. */
        ENDPOINT
    }

    public Failure {
        if (kind == Kind.ENDPOINT && endpoint == null) {
            throw new IllegalArgumentException("an endpoint failure must name its endpoint");
        }
    }

    public static Failure file(String message) {
        return new Failure(Kind.FILE, message, null);
    }

    public static Failure permanent(String message) {
        return new Failure(Kind.PERMANENT, message, null);
    }

    public static Failure endpoint(String endpoint, String message) {
        return new Failure(Kind.ENDPOINT, message, endpoint);
    }

    public boolean charged() {
        return kind != Kind.ENDPOINT;
    }
}
