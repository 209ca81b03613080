package org.migdal.dm.notify;

import java.time.Instant;

/** A condition announced ({@link Kind#RAISED}) or cleared, queued for one channel ({@code id} 0 while only previewed). */
public record Event(long id, String channel, String key, Kind kind, String text, Instant at) {
    public enum Kind { RAISED, CLEARED }
}
