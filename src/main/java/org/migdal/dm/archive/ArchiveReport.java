package org.migdal.dm.archive;

/** What one archive pass did: files compressed and put on tape, failures, and bytes before/after compression. */
public record ArchiveReport(int compressed, int onTape, int failed, int quarantined, long rawBytes, long compressedBytes) {
    public ArchiveReport plus(ArchiveReport o) {
        return new ArchiveReport(compressed + o.compressed, onTape + o.onTape, failed + o.failed, quarantined + o.quarantined,
                rawBytes + o.rawBytes, compressedBytes + o.compressedBytes);
    }
}
