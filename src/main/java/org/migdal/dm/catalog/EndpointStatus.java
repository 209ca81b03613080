package org.migdal.dm.catalog;

import java.time.Instant;

/** What the catalog knows of an endpoint's health: UP or DOWN, why, since when, and when it is probed again. */
public record EndpointStatus(String url, State state, String reason, Instant since, Instant checkedAt, Instant nextProbeAt,
                             int failures) {
    public enum State { UP, DOWN }

    public boolean down() {
        return state == State.DOWN;
    }
}
