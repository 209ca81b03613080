package org.migdal.dm.catalog;

import java.time.Instant;

/**
 * One line of a file's history: who did what, when, with which result. {@code repeats}: how many more times the
 * same event happened right after it (recorded once per condition), the last time at {@code lastAt}.
 */
public record FileEvent(long fileId, Instant at, String actor, String action, boolean ok, String message, int repeats,
                        Instant lastAt) {
}
