package org.migdal.dm.catalog;

/** A catalog query for {@code ls}: every non-null field narrows it. {@code lfnLike} matches a substring. */
public record FileFilter(FileState state, String disk, String run, String lfnLike, int offset, int limit) {
    public static FileFilter all(int limit) {
        return new FileFilter(null, null, null, null, 0, limit);
    }
}
