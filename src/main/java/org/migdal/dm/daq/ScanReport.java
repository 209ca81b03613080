package org.migdal.dm.daq;

import java.util.List;

/**
 * What one scan did: disks drained, files found and registered, folders removed, and problems to act on:
 * {@code problems} all those open now, {@code newProblems} those first seen by this scan (reported as failures once;
 * afterwards they stay open in the catalog and are shown by status, doctor and {@code ls --problems}).
 */
public record ScanReport(List<String> disksScanned, int filesFound, int registered, int alreadyKnown, int foldersRemoved,
                         List<Problem> problems, List<Problem> newProblems) {
}
