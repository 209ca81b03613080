package org.migdal.dm.audit;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DiskPaths;
import org.migdal.dm.storage.Adler32s;
import org.migdal.dm.storage.Checksum;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/** Whether a catalog file's DAQ copy is still on its disk, as the audit needs to know it (read-only). */
final class DaqCopies {
    private final MigdalConfig.Daq daq;
    private final Catalog catalog;

    DaqCopies(MigdalConfig.Daq daq, Catalog catalog) {
        this.daq = daq;
        this.catalog = catalog;
    }

    /** The DAQ copy as it is now: verified (true) with the words saying so, or why it cannot serve. */
    record Local(boolean intact, String words) {
    }

    /** What is on the disk, by a stat only (the audit's report): {@code intact} means the recorded size, not yet the adler32. */
    Local stat(CatalogFile f) {
        return look(f, false);
    }

    /** The DAQ copy checked against the recorded size and adler32 (it is read once); only an intact copy may be shipped again. */
    Local verify(CatalogFile f) {
        return look(f, true);
    }

    private Local look(CatalogFile f, boolean sum) {
        MigdalConfig.Disk disk;
        try {
            disk = daq.disk(f.disk());
        } catch (RuntimeException e) {
            return new Local(false, "DAQ disk " + f.disk() + " is not configured here");
        }
        Path root = Path.of(disk.path());
        Optional<String> down = DiskPaths.rootUnavailable(catalog, f.disk(), root);
        if (down.isPresent()) {
            return new Local(false, "DAQ copy unknown: " + down.get());
        }
        Path local;
        BasicFileAttributes a;
        try {
            local = DiskPaths.resolveInside(root, f.localPath());
            if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS)) {
                return new Local(false, "DAQ copy " + local + " is gone" + (f.localDeletedAt() == null ? ""
                        : " (deleted at " + f.localDeletedAt() + ")"));
            }
            a = Files.readAttributes(local, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return new Local(false, "DAQ copy cannot be looked at: " + e.getMessage());
        }
        if (!a.isRegularFile() || a.size() != f.size()) {
            return new Local(false, "DAQ copy " + local + " is not the registered file (" + (a.isRegularFile() ? a.size()
                    + " bytes" : "not a regular file") + ", registered " + f.size() + " bytes)");
        }
        if (!sum) {
            return new Local(true, "DAQ copy present at " + local + " with the recorded " + f.size() + " bytes");
        }
        try (InputStream in = Files.newInputStream(local, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            Checksum found = Adler32s.of(in).adler32();
            if (f.adler32() == null || !found.equals(Checksum.adler32(f.adler32()))) {
                return new Local(false, "DAQ copy " + local + " has adler32 " + found + ", recorded " + f.adler32());
            }
            return new Local(true, "the DAQ copy " + local + " has the recorded " + f.size() + " bytes and adler32 " + f.adler32());
        } catch (IOException e) {
            return new Local(false, "DAQ copy " + local + " cannot be read: " + e.getMessage());
        }
    }
}
