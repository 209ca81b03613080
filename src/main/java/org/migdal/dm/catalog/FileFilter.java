package org.migdal.dm.catalog;

/**
 * A catalog query for {@code ls} and the dashboard's {@code /files}: every non-null field narrows it. {@code lfnLike}
 * matches a substring. Rows come in id order ({@code descending}: newest first); a page starts after row {@code offset}
 * of the filtered rows, or (keyset paging, as fast on the last page as on the first) after id {@code afterId} in that
 * order when it is positive.
 */
public record FileFilter(FileState state, String disk, String run, String lfnLike, int offset, int limit, long afterId,
                         boolean descending) {
    public FileFilter {
        if (offset > 0 && afterId > 0) {
            throw new IllegalArgumentException("a page starts either at an offset or after an id, not both");
        }
    }

    public FileFilter(FileState state, String disk, String run, String lfnLike, int offset, int limit, long afterId) {
        this(state, disk, run, lfnLike, offset, limit, afterId, false);
    }

    public FileFilter(FileState state, String disk, String run, String lfnLike, int offset, int limit) {
        this(state, disk, run, lfnLike, offset, limit, 0);
    }

    public static FileFilter all(int limit) {
        return new FileFilter(null, null, null, null, 0, limit);
    }

    /** The same filter, its page starting after id {@code id}. */
    public FileFilter after(long id) {
        return new FileFilter(state, disk, run, lfnLike, 0, limit, id, descending);
    }
}
