package org.migdal.dm.health;

/**
 * One DAQ disk at a glance: its phase, free space, and when it will be full at the recent rates. {@code freeBytes} and
 * {@code totalBytes} are -1 when the disk cannot be read; the rates (bytes per second) and {@code secondsToFull} are null
 * when there are too few samples to say ({@code forecastNote} says why), {@code secondsToFull} also when the disk is not
 * filling.
 */
public record DiskOutlook(String disk, String path, Phase phase, long freeBytes, long totalBytes, Double fillBytesPerSecond,
                          Double drainBytesPerSecond, Long secondsToFull, String forecastNote) {

    /** Where a disk is in the DAQ's cycle. */
    public enum Phase {
        /** The DAQ writes to it (no flag). */
        FILLING,
        /** The DAQ flagged it full ({@code ReadyToTransfer}); its listing is not yet taken. */
        FULL,
        /** Its files are being shipped. */
        DRAINING,
        /** Every file shipped and {@code ReadyForData} written: the DAQ may use it again. */
        READY_FOR_DATA,
        /** Not mounted or not readable. */
        UNAVAILABLE
    }

    /** Used space as a fraction of the disk (0 to 1), or NaN when unknown. */
    public double usedFraction() {
        return totalBytes <= 0 || freeBytes < 0 ? Double.NaN : 1.0 - (double) freeBytes / totalBytes;
    }
}
