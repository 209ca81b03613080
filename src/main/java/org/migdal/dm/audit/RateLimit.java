package org.migdal.dm.audit;

/**
 * At most {@code perSecond} requests per second, evenly spaced (0: no limit): the audit's checksum requests, the expensive
 * part of asking a storage about a copy. A request that comes late is not made up for by a burst.
 */
final class RateLimit {
    /** How the limiter waits (a test counts instead of sleeping). */
    interface Sleeper {
        void sleepNanos(long nanos) throws InterruptedException;
    }

    private final long intervalNanos;
    private final Sleeper sleeper;
    private final java.util.function.LongSupplier nanoTime;
    private long next;
    private boolean started;

    RateLimit(double perSecond, Sleeper sleeper, java.util.function.LongSupplier nanoTime) {
        if (perSecond < 0 || Double.isNaN(perSecond)) {
            throw new IllegalArgumentException("--rate must be 0 (no limit) or a positive number of requests per second, not " + perSecond);
        }
        this.intervalNanos = perSecond == 0 ? 0 : (long) (1e9 / perSecond);
        this.sleeper = sleeper;
        this.nanoTime = nanoTime;
    }

    static RateLimit of(double perSecond) {
        return new RateLimit(perSecond, n -> java.util.concurrent.TimeUnit.NANOSECONDS.sleep(n), System::nanoTime);
    }

    /** Waits until the next request may go. */
    void acquire() {
        if (intervalNanos == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (!started || now - next >= 0) {
            started = true;
            next = now + intervalNanos;
            return;
        }
        long wait = next - now;
        next += intervalNanos;
        try {
            sleeper.sleepNanos(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pacing the audit's checksum requests", e);
        }
    }
}
