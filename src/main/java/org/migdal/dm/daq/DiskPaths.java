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
     * Why a DAQ disk root cannot be believed right now, or empty if it can: it must exist, be a folder, be listable, and be
     * the very folder that was scanned ({@code scannedInode}, remembered at the scan of the flagged disk): another folder
     * in its place is the mount point of an unmounted disk. The one rule that tells "this file vanished" from "this disk
     * is not there": only on a believable root can a file be MISSING or its DAQ copy be "already gone". For a root not
     * remembered yet, an empty folder while the catalog expects {@code filesExpected > 0} files is taken as unmounted.
     */
    public static java.util.Optional<String> rootUnavailable(Path root, java.util.OptionalLong scannedInode, long filesExpected) {
        if (!Files.isDirectory(root)) {
            return java.util.Optional.of("disk root " + root + " does not exist or is not a folder (not mounted?)");
        }
        try (var entries = Files.list(root)) {
            if (scannedInode.isPresent()) {
                long now = inode(root);
                if (now != scannedInode.getAsLong()) {
                    return java.util.Optional.of("disk root " + root + " is not the folder that was scanned (inode " + now
                            + ", was " + scannedInode.getAsLong() + "): it looks like the mount point of an unmounted disk"
                            + " (not mounted?)");
                }
            } else if (filesExpected > 0 && entries.findAny().isEmpty()) {
                return java.util.Optional.of("disk root " + root + " is empty but the catalog still expects " + filesExpected
                        + " file(s) on it: it looks like the mount point of an unmounted disk (not mounted?)");
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return java.util.Optional.of("disk root " + root + " cannot be listed (" + e.getMessage() + "); check the mount and"
                    + " the permissions of the migdal-dm account");
        }
        return java.util.Optional.empty();
    }

    /** {@link #rootUnavailable(Path, java.util.OptionalLong, long)} for a configured disk, with what the catalog remembers. */
    public static java.util.Optional<String> rootUnavailable(org.migdal.dm.catalog.Catalog catalog, String disk, Path root) {
        java.util.OptionalLong inode = catalog.diskRootInode(disk);
        return rootUnavailable(root, inode, inode.isPresent() ? 0 : catalog.countLocalCopies(disk));
    }

    /** The inode of a folder (its identity on its file system). */
    public static long inode(Path dir) throws IOException {
        Object ino = Files.getAttribute(dir, "unix:ino");
        return ((Number) ino).longValue();
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
