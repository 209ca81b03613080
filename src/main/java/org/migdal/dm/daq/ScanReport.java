package org.migdal.dm.daq;

import java.util.List;

/** What one scan did: disks drained, files found and registered, folders removed, and problems to act on. */
public record ScanReport(List<String> disksScanned, int filesFound, int registered, int alreadyKnown, int foldersRemoved,
                         List<Problem> problems) {
}
