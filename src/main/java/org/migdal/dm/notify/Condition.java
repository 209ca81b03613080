package org.migdal.dm.notify;

/**
 * Something an operator must look at, as the notifications announce it: a stable {@code key} (one per thing: {@code
 * disk-full:data1}, {@code endpoint-down:root://host//base}) and a text saying what, since when, and what to do.
 */
public record Condition(String key, String text) {
}
