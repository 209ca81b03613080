package org.migdal.dm.transfer;

/** What one ship pass did; {@code missing}: files found vanished from their DAQ disk (now MISSING). */
public record ShipReport(int shipped, int failed, int quarantined, long bytes, long millis, int missing) {
    public double mibPerSecond() {
        return millis == 0 ? 0 : bytes / 1048576.0 / (millis / 1000.0);
    }
}
