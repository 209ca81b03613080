package org.migdal.dm.fts;

import java.time.Instant;

/**
 * The result of {@link FtsClient#ensureDelegated}: the delegation id, the server's termination time of the delegated
 * proxy (null when nothing is delegated, e.g. in token mode), and whether a new proxy was delegated in this call.
 * {@code cappedByChain} says the requested lifetime was cut to the client chain's earliest notAfter.
 */
public record DelegationStatus(String delegationId, Instant terminationTime, boolean delegated, boolean cappedByChain,
                               String note) {
}
