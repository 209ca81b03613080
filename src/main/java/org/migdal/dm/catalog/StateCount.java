package org.migdal.dm.catalog;

/** How many files and bytes one disk has in one state. */
public record StateCount(String disk, FileState state, long files, long bytes) {
}
