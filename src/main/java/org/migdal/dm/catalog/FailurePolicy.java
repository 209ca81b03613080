package org.migdal.dm.catalog;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place that decides what happens after a failure or a crash: retry when, charge an attempt or not,
 * quarantine. {@link JdbcCatalog} applies the decision; callers only classify ({@link Failure}).
 */
public final class FailurePolicy {

    /** Where the file goes, its new attempt and crash counts, when it may be tried again, and the recorded reason. */
    public record Decision(FileState to, int attempts, int crashes, long nextAttemptAt, String reason, String event) {
        public boolean quarantined() {
            return to == FileState.QUARANTINED;
        }
    }

    private final ClaimPolicy claims;

    public FailurePolicy(ClaimPolicy claims) {
        this.claims = claims;
    }

    /** After a failed attempt on a claimed file. */
    public Decision afterFailure(CatalogFile f, Failure failure, long now) {
        FileState resting = f.state().restingState();
        switch (failure.kind()) {
            case ENDPOINT -> {
                String reason = "endpoint " + failure.endpoint() + " is DOWN: " + failure.message()
                        + "; no attempt charged, the file waits until the endpoint is back";
                return new Decision(resting, f.attempts(), f.crashes(), now, reason, "paused: " + reason);
            }
            case PERMANENT -> {
                return new Decision(FileState.QUARANTINED, f.attempts() + 1, f.crashes(), 0, failure.message(),
                        "QUARANTINED: " + failure.message());
            }
            default -> {
                int attempts = f.attempts() + 1;
                if (attempts >= claims.maxAttempts()) {
                    String reason = failure.message() + " (gave up after " + attempts + " attempts)";
                    return new Decision(FileState.QUARANTINED, attempts, f.crashes(), 0, reason, "QUARANTINED: " + reason);
                }
                long backoff = claims.retryBackoff().toMillis() << Math.min(attempts - 1, 16);
                long jitter = backoff > 0 ? ThreadLocalRandom.current().nextLong(backoff / 4 + 1) : 0;
                return new Decision(resting, attempts, f.crashes(), now + backoff + jitter, failure.message(),
                        "will retry: " + failure.message());
            }
        }
    }

    /**
     * After the worker holding {@code f} died (its lease ran out, or its process is gone): a crash, counted apart from
     * attempts. The file is taken over until the workers holding it died {@link ClaimPolicy#maxCrashes()} times.
     */
    public Decision afterCrash(CatalogFile f, long now) {
        int crashes = f.crashes() + 1;
        String who = "the worker holding it (" + f.claimOwner() + ") stopped without finishing";
        if (crashes >= claims.maxCrashes()) {
            String reason = who + "; workers died " + crashes + " times while holding this file. Check the logs of the"
                    + " processes that handled it (out of memory? killed?) before `migdal-dm retry`";
            return new Decision(FileState.QUARANTINED, f.attempts(), crashes, 0, reason, "QUARANTINED: " + reason);
        }
        String reason = who + " (crash " + crashes + " of at most " + claims.maxCrashes() + "; no attempt charged)";
        return new Decision(f.state(), f.attempts(), crashes, now, reason, reason);
    }
}
