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
}
