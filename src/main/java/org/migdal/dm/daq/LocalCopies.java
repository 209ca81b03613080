package org.migdal.dm.daq;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Deletes DAQ copies, and only after the storage itself confirms, at that moment, a copy with the size and
 * adler32 that were read from the DAQ disk (for the shipper: the confirmation it has just obtained, see
 * {@link #delete(CatalogFile, CopyCheck.Evidence)}). The one place in the code that deletes a DAQ file.
 */
public final class LocalCopies {

    private final MigdalConfig.Daq daq;
    private final Catalog catalog;
    private final StorageEndpoint storage;

    public LocalCopies(MigdalConfig.Daq daq, Catalog catalog, StorageEndpoint storage) {
        this.daq = daq;
        this.catalog = catalog;
        this.storage = storage;
    }

    /** The outcome of one delete attempt. */
    public enum Outcome { DELETED, ALREADY_GONE, REFUSED }

    /**
     * Deletes the DAQ copy of a shipped file. Refuses (recording why in the catalog) unless the catalog holds
     * the adler32 read from the DAQ disk, the storage reports that same size and adler32 now, and the local file
     * is the one that was registered (same size and mtime, a regular file reached without symbolic links).
     */
    public Outcome delete(CatalogFile f) {
        return delete(f, null);
    }

    /**
     * As {@link #delete(CatalogFile)}, for the shipper that has just confirmed the copy: {@code justConfirmed} is the
     * {@link CopyCheck} evidence it got from the storage for this file, moments ago, in the same pass. When it names this
     * file's URL with the size and adler32 the catalog holds, the storage is not asked a second time; otherwise (null,
     * or other values) it is asked now, as for any other delete.
     */
    public Outcome delete(CatalogFile f, CopyCheck.Evidence justConfirmed) {
        if (f.adler32() == null || f.shippedAt() == null) {
            return refuse(f, "no confirmed storage copy is recorded");
        }
        MigdalConfig.Disk disk;
        try {
            disk = daq.disk(f.disk());
        } catch (RuntimeException e) {
            return refuse(f, e.getMessage());
        }
        Path root = Path.of(disk.path());
        Path local;
        BasicFileAttributes attrs;
        try {
            local = DiskPaths.resolveInside(root, f.localPath());
            attrs = Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            Optional<String> down = DiskPaths.rootUnavailable(catalog, f.disk(), root);
            if (down.isPresent()) {
                return refuse(f, down.get() + "; whether the DAQ copy is gone cannot be told, nothing recorded");
            }
            catalog.markLocalDeleted(f, "DAQ copy " + root.resolve(f.localPath()) + " is already gone; the storage copy was confirmed at shipping");
            return Outcome.ALREADY_GONE;
        } catch (IOException e) {
            return refuse(f, "cannot check the DAQ copy: " + e.getMessage());
        }
        if (!attrs.isRegularFile()) {
            return refuse(f, local + " is no longer a regular file");
        }
        if (!DiskPaths.asRegistered(attrs, f)) {
            return refuse(f, local + " changed after it was shipped (now " + attrs.size() + " bytes, mtime "
                    + attrs.lastModifiedTime() + "; shipped " + f.size() + " bytes, mtime " + f.mtime()
                    + "); kept. Check the file and ship it again under a new name if it is new data");
        }
        String url = storage.urlOf(f.lfn());
        boolean confirmed = justConfirmed != null && justConfirmed.url().equals(url) && justConfirmed.size() == f.size()
                && justConfirmed.checksum().equals(Checksum.adler32(f.adler32()));
        try {
            CopyCheck.Outcome copy = confirmed ? new CopyCheck.Confirmed(justConfirmed)
                    : CopyCheck.confirm(storage, f.lfn(), f.size(), Checksum.adler32(f.adler32()), CopyCheck.Residency.NOT_ASKED);
            if (copy instanceof CopyCheck.Mismatch m) {
                return refuse(f, "the storage copy is not what was read from the DAQ disk: " + m.message() + "; DAQ copy kept");
            }
        } catch (StorageException e) {
            return refuse(f, "cannot confirm the storage copy: " + e.getMessage() + "; DAQ copy kept");
        }
        try {
            Files.delete(local);
        } catch (NoSuchFileException e) {
            catalog.markLocalDeleted(f, "DAQ copy " + local + " was already gone");
            return Outcome.ALREADY_GONE;
        } catch (IOException e) {
            return refuse(f, "cannot delete " + local + ": " + e);
        }
        int pruned = DiskPaths.pruneEmptyParents(root, local.getParent());
        catalog.markLocalDeleted(f, "deleted DAQ copy " + local + " after the storage confirmed " + url + " with "
                + f.size() + " bytes and adler32 " + f.adler32() + (pruned > 0 ? "; removed " + pruned + " empty folder(s)" : ""));
        return Outcome.DELETED;
    }

    private Outcome refuse(CatalogFile f, String why) {
        catalog.recordError(f.id(), "delete-local", "DAQ copy not deleted: " + why);
        return Outcome.REFUSED;
    }
}
