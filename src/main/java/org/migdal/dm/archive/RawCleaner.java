package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * Optional ({@code archive.cleanupRaw}, off by default): deletes the uncompressed disk-storage copy of an
 * ON_TAPE file, only after the tape endpoint confirms, at that moment, the compressed copy with the recorded
 * size and adler32 and, wherever the endpoint can tell, on tape ({@link CopyCheck.Residency#REQUIRED}, whatever
 * {@code archive.requireTapeResidency} says: without residency evidence the raw copy is kept). The only place in the
 * code that deletes a raw storage copy.
 */
public final class RawCleaner {
    private static final Logger log = LoggerFactory.getLogger(RawCleaner.class);

    private final Catalog catalog;
    private final StorageEndpoint disk;
    private final StorageEndpoint tape;

    public RawCleaner(Catalog catalog, StorageEndpoint disk, StorageEndpoint tape) {
        this.catalog = catalog;
        this.disk = disk;
        this.tape = tape;
    }

    /** Returns how many raw copies were deleted. */
    public int clean(int limit) {
        int deleted = 0;
        for (CatalogFile f : catalog.awaitingRawDelete(limit)) {
            if (f.state() != FileState.ON_TAPE || f.compressedName() == null || f.compressedAdler32() == null) {
                continue;
            }
            try {
                CopyCheck.Outcome copy = CopyCheck.confirm(tape, f.compressedName(), f.compressedSize(),
                        Checksum.adler32(f.compressedAdler32()), CopyCheck.Residency.REQUIRED);
                if (copy instanceof CopyCheck.Mismatch m) {
                    catalog.recordError(f.id(), "delete-raw", "raw copy kept: " + m.message());
                    continue;
                }
                CopyCheck.Evidence e = copy.confirmed().orElseThrow();
                catalog.recordEvent(f.id(), "raw-cleanup-check", true, "fact 1: the catalog has the compressed copy ON_TAPE since "
                        + f.onTapeAt() + " (transfer " + f.tapeTransferId() + ", recorded adler32 " + f.compressedAdler32()
                        + (f.tapeEvidence() == null ? "" : ", tape evidence then: " + f.tapeEvidence()) + ")");
                catalog.recordEvent(f.id(), "raw-cleanup-check", true, "fact 2: the tape endpoint reports " + e.describe());
                disk.delete(f.lfn());
                catalog.markRawDeleted(f, "deleted raw copy " + disk.urlOf(f.lfn()) + ": the file is ON_TAPE and the tape endpoint"
                        + " confirms " + e.describe() + " (the compressed copy was proven to decompress to the raw adler32 "
                        + f.adler32() + ")");
                deleted++;
            } catch (StorageException e) {
                catalog.recordError(f.id(), "delete-raw", "raw copy kept: " + e.getMessage());
                log.warn("raw cleanup of {}: {}", f.lfn(), e.getMessage());
            }
        }
        return deleted;
    }
}
