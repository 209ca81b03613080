package org.migdal.dm.archive;

import java.util.function.LongConsumer;

/**
 * The compression stage, whichever executor runs its jobs: {@link Compression} on this host, {@link GridCompression} on
 * HTCondor (submits and returns; later passes collect).
 */
public interface CompressionStage {

    /** One pass: compress (or submit, and collect what finished) up to a cycle's worth of files. */
    ArchiveReport run(LongConsumer progress);
}
