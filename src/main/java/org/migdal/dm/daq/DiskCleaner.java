package org.migdal.dm.daq;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.ScanProblem;
import org.migdal.dm.config.MigdalConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DAQ-side cleanup: deletes DAQ copies whose storage copy is confirmed but that a previous run did not get
 * to delete (a crash between confirmation and delete), then hands every fully drained disk back to the DAQ by
 * writing {@code ReadyForData} (owner and group from the configuration, mode 0664). A disk is handed back when no
 * file of it still has a DAQ copy to ship or delete (MISSING and FORGOTTEN files do not count), no run folder is
 * left, and no scan problem of it is open. A disk whose root cannot be believed (not mounted) is skipped.
 */
public final class DiskCleaner {
    private static final Logger log = LoggerFactory.getLogger(DiskCleaner.class);

    private final MigdalConfig.Daq daq;
    private final Catalog catalog;
    private final LocalCopies localCopies;
    private final Clock clock;

    public DiskCleaner(MigdalConfig.Daq daq, Catalog catalog, LocalCopies localCopies, Clock clock) {
        this.daq = daq;
        this.catalog = catalog;
        this.localCopies = localCopies;
        this.clock = clock;
    }

    /** What a clean pass did. */
    public record Report(int deleted, int refused, List<String> released, List<Problem> problems) {
    }

    /** Rows read from the catalog at a time; every row of a disk is visited once per pass (keyset paging by id). */
    static final int PAGE = 500;

    public Report clean() {
        int deleted = 0;
        int refused = 0;
        List<String> released = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (MigdalConfig.Disk disk : daq.disks()) {
            Optional<String> down = DiskPaths.rootUnavailable(catalog, disk.name(), Path.of(disk.path()));
            if (down.isPresent()) {
                // a disk-wide condition: the scan records and reports it once; nothing here is concluded from an absent file
                log.info("clean: disk {} skipped: {}", disk.name(), down.get());
                continue;
            }
            long after = 0;
            List<CatalogFile> page;
            do {
                page = catalog.awaitingLocalDelete(disk.name(), after, PAGE);
                for (CatalogFile f : page) {
                    switch (localCopies.delete(f)) {
                        case DELETED, ALREADY_GONE -> deleted++;
                        case REFUSED -> refused++;
                    }
                }
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).id();
                }
            } while (page.size() == PAGE);
            releaseIfDrained(disk, released, problems);
        }
        return new Report(deleted, refused, released, problems);
    }

    private void releaseIfDrained(MigdalConfig.Disk disk, List<String> released, List<Problem> problems) {
        DiskRecord rec = catalog.disk(disk.name()).orElse(null);
        if (rec == null || rec.state() != DiskRecord.DiskState.DRAINING) {
            return;
        }
        Path root = Path.of(disk.path());
        if (!Files.isDirectory(root)) {
            problems.add(new Problem(disk.name(), "disk root " + root + " is missing (not mounted?)"));
            return;
        }
        if (Files.exists(root.resolve(daq.readyToTransferFlag()), LinkOption.NOFOLLOW_LINKS)) {
            return; // a new listing is due first
        }
        long pending = catalog.countLocalCopies(disk.name());
        List<String> left = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root, e -> e.getFileName().toString().startsWith(daq.runPrefix()))) {
            for (Path p : s) {
                left.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            problems.add(new Problem(disk.name(), "cannot list " + root + ": " + e));
            return;
        }
        // not handed back while a scan problem is open either: the file behind it may be data that still needs shipping
        List<ScanProblem> open = catalog.openScanProblems(disk.name());
        if (pending > 0 || !left.isEmpty() || !open.isEmpty()) {
            String note = pending + " file(s) still to ship or delete; " + left.size() + " " + daq.runPrefix() + "* entr"
                    + (left.size() == 1 ? "y" : "ies") + " left" + (left.isEmpty() ? "" : " (" + String.join(", ", left.subList(0, Math.min(5, left.size()))) + ")")
                    + (open.isEmpty() ? "" : "; " + open.size() + " scan problem(s) open, e.g. " + open.get(0).kind() + " "
                    + open.get(0).where() + " (`migdal-dm ls --problems`)");
            if (!note.equals(rec.note())) {
                catalog.putDisk(new DiskRecord(rec.name(), rec.path(), rec.state(), rec.changedAt(), note));
            }
            return;
        }
        try {
            writeReadyForData(root);
        } catch (IOException | RuntimeException e) {
            problems.add(new Problem(disk.name(), "drained, but " + daq.readyForDataFlag() + " could not be written: " + e.getMessage()));
            catalog.putDisk(new DiskRecord(rec.name(), rec.path(), rec.state(), rec.changedAt(),
                    "drained; writing " + daq.readyForDataFlag() + " failed: " + e.getMessage()));
            return;
        }
        catalog.putDisk(new DiskRecord(disk.name(), disk.path(), DiskRecord.DiskState.RELEASED, clock.instant(),
                daq.readyForDataFlag() + " written; disk handed back to the DAQ"));
        released.add(disk.name());
        log.info("disk {} drained: wrote {}", disk.name(), root.resolve(daq.readyForDataFlag()));
    }

    private void writeReadyForData(Path root) throws IOException {
        Path flag = root.resolve(daq.readyForDataFlag());
        Path tmp = root.resolve("." + daq.readyForDataFlag() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.writeString(tmp, "written by migdal-dm at " + clock.instant() + "\n");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-rw-r--"));
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        try {
            if (daq.readyForDataOwner() != null) {
                view.setOwner(lookup.lookupPrincipalByName(daq.readyForDataOwner()));
            }
            if (daq.readyForDataGroup() != null) {
                GroupPrincipal g = lookup.lookupPrincipalByGroupName(daq.readyForDataGroup());
                view.setGroup(g);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot give it owner '" + daq.readyForDataOwner() + "' group '" + daq.readyForDataGroup()
                    + "' (" + e.getClass().getSimpleName() + " " + e.getMessage() + "); check daq.readyForDataOwner/Group", e);
        }
        Files.move(tmp, flag, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
