package org.migdal.dm.catalog;

import java.time.Duration;

/**
 * How this process claims work: its owner name, how long a claim lasts without renewal, how many
 * attempts a file gets before quarantine, the first retry delay (doubled per attempt, with jitter), and how
 * many times the workers holding a file may die (crashes, counted apart from attempts) before it is quarantined.
 */
public record ClaimPolicy(String owner, Duration lease, int maxAttempts, Duration retryBackoff, int maxCrashes) {
    public static final int DEFAULT_MAX_CRASHES = 5;

    public ClaimPolicy(String owner, Duration lease, int maxAttempts, Duration retryBackoff) {
        this(owner, lease, maxAttempts, retryBackoff, DEFAULT_MAX_CRASHES);
    }

    public ClaimPolicy {
        if (maxCrashes < 1) {
            throw new IllegalArgumentException("maxCrashes must be at least 1, got " + maxCrashes);
        }
        if (lease.isNegative() || lease.isZero()) {
            throw new IllegalArgumentException("claim lease must be positive, got " + lease);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
    }

    /** {@code host:pid:startMillis}: enough to tell whether the owner still runs on this host. */
    public static String thisProcessOwner() {
        ProcessHandle self = ProcessHandle.current();
        long start = self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        return hostName() + ":" + self.pid() + ":" + start;
    }

    public static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
    }
}
