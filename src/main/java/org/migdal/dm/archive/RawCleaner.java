package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.storage.RemoteFile;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Optional ({@code archive.cleanupRaw}, off by default): deletes the uncompressed disk-storage copy of an
 * ON_TAPE file, only after the tape endpoint confirms, at that moment, the compressed copy with the recorded
 * size and adler32. The only place in the code that deletes a raw storage copy.
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
            String tapeUrl = tape.urlOf(f.compressedName());
            try {
                Optional<RemoteFile> onTape = tape.stat(f.compressedName());
                if (onTape.isEmpty() || onTape.get().size() != f.compressedSize()) {
                    catalog.recordError(f.id(), "delete-raw", "raw copy kept: tape shows "
                            + onTape.map(r -> r.size() + " bytes").orElse("no file") + " for " + tapeUrl);
                    continue;
                }
                if (Boolean.FALSE.equals(onTape.get().onTape())) {
                    catalog.recordError(f.id(), "delete-raw", "raw copy kept: " + tapeUrl + " is not yet on tape (no tape copy flag)");
                    continue;
                }
                String sum = tape.checksum(f.compressedName());
                if (!sum.equals(f.compressedAdler32())) {
                    catalog.recordError(f.id(), "delete-raw", "raw copy kept: tape reports adler32 " + sum + " for " + tapeUrl
                            + ", expected " + f.compressedAdler32());
                    continue;
                }
                catalog.recordEvent(f.id(), "raw-cleanup-check", true, "fact 1: the catalog has the compressed copy ON_TAPE since "
                        + f.onTapeAt() + " (transfer " + f.tapeTransferId() + ", recorded adler32 " + f.compressedAdler32() + ")");
                catalog.recordEvent(f.id(), "raw-cleanup-check", true, "fact 2: the tape endpoint reports " + tapeUrl + " with "
                        + onTape.get().size() + " bytes and adler32 " + sum
                        + (Boolean.TRUE.equals(onTape.get().onTape()) ? " and its tape copy flag" : ""));
                disk.delete(f.lfn());
                catalog.markRawDeleted(f, "deleted raw copy " + disk.urlOf(f.lfn()) + ": the file is ON_TAPE and the tape endpoint"
                        + " confirms " + tapeUrl + " with " + f.compressedSize() + " bytes and adler32 " + sum
                        + " (the compressed copy was proven to decompress to the raw adler32 " + f.adler32() + ")");
                deleted++;
            } catch (StorageException e) {
                catalog.recordError(f.id(), "delete-raw", "raw copy kept: " + e.getMessage());
                log.warn("raw cleanup of {}: {}", f.lfn(), e.getMessage());
            }
        }
        return deleted;
    }
}
