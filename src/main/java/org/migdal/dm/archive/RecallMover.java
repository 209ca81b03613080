package org.migdal.dm.archive;

/**
 * Works the outstanding recalls: the built-in {@link Recaller} copies from the tape endpoint itself, {@link FtsRecaller}
 * hands them to FTS3 with {@code bring_online} and follows the jobs. Both verify what arrives against the recorded
 * size and adler32 of the compressed copy.
 */
public interface RecallMover {
    /** One pass over at most {@code limit} recalls: those finished and verified, and those that failed an attempt. */
    Recaller.Report run(int limit);

    /** {@link #run(int)}, telling {@code progress} the bytes as they are copied where this mover copies them itself. */
    default Recaller.Report run(int limit, java.util.function.LongConsumer progress) {
        return run(limit);
    }
}
