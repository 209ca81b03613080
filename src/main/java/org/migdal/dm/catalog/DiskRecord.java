package org.migdal.dm.catalog;

import java.time.Instant;

/**
 * What the catalog knows of one DAQ disk: {@code DRAINING} from the moment its {@code ReadyToTransfer}
 * listing is committed until every file is shipped and {@code ReadyForData} is written, then {@code RELEASED}.
 */
public record DiskRecord(String name, String path, DiskState state, Instant changedAt, String note) {
    public enum DiskState { DRAINING, RELEASED }
}
