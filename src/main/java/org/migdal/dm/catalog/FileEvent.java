package org.migdal.dm.catalog;

import java.time.Instant;

/** One line of a file's history: who did what, when, with which result. */
public record FileEvent(long fileId, Instant at, String actor, String action, boolean ok, String message) {
}
