package org.migdal.dm.catalog;

import java.time.Instant;

/**
 * A condition a DAQ scan found and could not handle by itself (a refused name, a symbolic link, an unreadable file,
 * a disk that is not mounted), kept in the catalog once per condition: {@code firstSeen}, {@code lastSeen} and how
 * many scans saw it; {@code clearedAt} once a later scan no longer finds it. {@code path} is relative to the disk
 * root ({@code ""} for the disk itself).
 */
public record ScanProblem(long id, String disk, String path, Kind kind, String message, Instant firstSeen, Instant lastSeen,
                          long seenCount, Instant clearedAt) {

    /** What went wrong, and what the operator can do about it. */
    public enum Kind {
        DISK_UNAVAILABLE("mount the disk (or correct its path in daq.disks); its files wait meanwhile and none is marked MISSING"),
        UNREADABLE("fix its permissions so the migdal-dm account can read it; the next scan takes it"),
        SYMLINK("remove the symbolic link or replace it by the real file; links are never followed"),
        NOT_REGULAR("remove it or move it out of the run folder; only regular files are shipped"),
        BAD_NAME("rename the file on the DAQ disk (no control characters, valid UTF-8); the next scan takes it"),
        NO_RUN_STAMP("rename the file or its run folder to carry a run stamp (YYMMDDTHHMMSS); the next scan takes it"),
        FLAG_NOT_REMOVED("remove the ReadyToTransfer flag by hand, or let the migdal-dm account write the disk root");

        private final String action;

        Kind(String action) {
            this.action = action;
        }

        /** What the operator can do about this kind of problem. */
        public String action() {
            return action;
        }
    }

    /** Where: {@code disk:path}, or the disk name for a disk-wide problem. */
    public String where() {
        return path.isEmpty() ? disk : disk + ":" + path;
    }

    public String action() {
        return kind.action();
    }

    /** One condition as a scan sees it, before it is recorded. */
    public record Finding(String disk, String path, Kind kind, String message) {
        public String where() {
            return path.isEmpty() ? disk : disk + ":" + path;
        }
    }
}
