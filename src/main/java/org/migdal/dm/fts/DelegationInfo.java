package org.migdal.dm.fts;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A delegated proxy as {@code GET /delegation/{id}} describes it: when it ends and its VOMS attributes. */
public record DelegationInfo(String delegationId, Instant terminationTime, List<String> vomsAttrs) {
    public DelegationInfo {
        vomsAttrs = List.copyOf(vomsAttrs);
    }

    public Duration remaining(Instant now) {
        return Duration.between(now, terminationTime);
    }

    /** Whether this delegated proxy is to be delegated again: less than {@code renewBelow} left at {@code now} (reference §5). */
    public boolean needsRenewal(Instant now, Duration renewBelow) {
        return remaining(now).compareTo(renewBelow) < 0;
    }
}
