package org.migdal.dm.daq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Path safety on a DAQ disk: a catalog path is resolved under the disk root only if it stays inside it
 * and no component on the way is a symbolic link. Nothing outside a disk root is ever touched.
 */
public final class DiskPaths {
    private DiskPaths() {
    }

    /**
     * The file for {@code relative} under {@code root}; throws if it would leave the root or pass through a
     * symbolic link (the file itself may not exist).
     */
    public static Path resolveInside(Path root, String relative) throws IOException {
        Path normRoot = root.toAbsolutePath().normalize();
        Path p = normRoot.resolve(relative.startsWith("/") ? relative.substring(1) : relative).normalize();
        if (!p.startsWith(normRoot) || p.equals(normRoot)) {
            throw new IOException(relative + " leaves the disk root " + normRoot + "; refused");
        }
        Path cur = normRoot;
        for (Path part : normRoot.relativize(p)) {
            cur = cur.resolve(part);
            if (Files.isSymbolicLink(cur)) {
                throw new IOException(cur + " is a symbolic link; links are never followed out of a disk");
            }
        }
        return p;
    }

    /**
     * Why a DAQ disk root cannot be believed right now, or empty if it can: it must exist, be a folder, be listable,
     * and, while the catalog still expects {@code filesExpected > 0} files on it, not be empty (an empty folder is
     * what the mount point of an unmounted disk looks like). The one rule that tells "this file vanished" from
     * "this disk is not there": only on a believable root can a file be MISSING or its DAQ copy be "already gone".
     */
    public static java.util.Optional<String> rootUnavailable(Path root, long filesExpected) {
        if (!Files.isDirectory(root)) {
            return java.util.Optional.of("disk root " + root + " does not exist or is not a folder (not mounted?)");
        }
        try (var entries = Files.list(root)) {
            if (filesExpected > 0 && entries.findAny().isEmpty()) {
                return java.util.Optional.of("disk root " + root + " is empty but the catalog still expects " + filesExpected
                        + " file(s) on it: it looks like the mount point of an unmounted disk (not mounted?)");
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return java.util.Optional.of("disk root " + root + " cannot be listed (" + e.getMessage() + "); check the mount and"
                    + " the permissions of the migdal-dm account");
        }
        return java.util.Optional.empty();
    }

    /** Is the file on the disk still the one the catalog registered (same size and mtime)? */
    public static boolean asRegistered(java.nio.file.attribute.BasicFileAttributes attrs, org.migdal.dm.catalog.CatalogFile f) {
        return attrs.size() == f.size() && attrs.lastModifiedTime().toMillis() == f.mtime().toEpochMilli();
    }

    /** Removes empty folders from {@code dir} upwards, stopping below {@code root}. Returns how many were removed. */
    public static int pruneEmptyParents(Path root, Path dir) {
        Path normRoot = root.toAbsolutePath().normalize();
        Path cur = dir.toAbsolutePath().normalize();
        int removed = 0;
        while (cur != null && cur.startsWith(normRoot) && !cur.equals(normRoot)) {
            try {
                if (!Files.isDirectory(cur, LinkOption.NOFOLLOW_LINKS)) {
                    break;
                }
                try (var entries = Files.list(cur)) {
                    if (entries.findAny().isPresent()) {
                        break;
                    }
                }
                Files.delete(cur);
                removed++;
            } catch (IOException e) {
                break; // not empty any more, or not ours to remove: leave it
            }
            cur = cur.getParent();
        }
        return removed;
    }
}
