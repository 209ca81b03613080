package org.migdal.dm.catalog;

import java.time.Instant;

/** A file found on a DAQ disk, about to be registered. {@code localPath} is relative to the disk root. */
public record NewFile(String lfn, String disk, String localPath, String run, long size, Instant mtime) {
}
