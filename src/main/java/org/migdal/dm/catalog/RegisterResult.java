package org.migdal.dm.catalog;

/** How many files a registration added, and how many it found already known. */
public record RegisterResult(int added, int alreadyKnown) {
}
