package org.migdal.dm.archive;

/**
 * Moves compressed copies from disk storage to tape and confirms them there. The built-in mover copies
 * directly; an FTS3 mover submits and polls transfer jobs.
 */
public interface TapeMover {

    /** Hands COMPRESSED files to tape and advances those confirmed on tape; returns what it did. */
    ArchiveReport move();
}
