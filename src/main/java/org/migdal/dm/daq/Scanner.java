package org.migdal.dm.daq;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.ScanProblem;
import org.migdal.dm.config.MigdalConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DAQ-side registration. A disk is scanned when its root holds the {@code ReadyToTransfer} flag (or it is
 * still draining from an earlier scan): empty folders under {@code MIG_*} are removed, every regular readable
 * file under {@code MIG_*} is registered with its LFN, size and mtime, and the flag is removed once the listing
 * is committed. Symbolic links are never followed; unreadable files and odd names are left alone and recorded in the
 * catalog as scan problems, once per condition (cleared when a later scan no longer finds them). A disk whose root
 * cannot be believed (missing, unlistable, or empty while files are expected: not mounted) is a disk-wide problem.
 */
public final class Scanner {
    private static final Logger log = LoggerFactory.getLogger(Scanner.class);

    private final MigdalConfig.Daq daq;
    private final Catalog catalog;
    private final Clock clock;

    public Scanner(MigdalConfig.Daq daq, Catalog catalog, Clock clock) {
        this.daq = daq;
        this.catalog = catalog;
        this.clock = clock;
    }

    /** A flagged disk is the disk the DAQ filled: its root's identity is what later stages check before concluding anything. */
    private void rememberRoot(MigdalConfig.Disk disk, Path root) {
        try {
            catalog.rememberDiskRoot(disk.name(), disk.path(), DiskPaths.inode(root));
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("disk {}: cannot read the inode of {} ({}); an unmounted disk is then told only by an empty root",
                    disk.name(), root, e.getMessage());
        }
    }

    public ScanReport scan() {
        List<String> scanned = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<Problem> fresh = new ArrayList<>();
        int found = 0;
        int registered = 0;
        int known = 0;
        int removed = 0;
        for (MigdalConfig.Disk disk : daq.disks()) {
            Path root = Path.of(disk.path());
            boolean draining = catalog.disk(disk.name()).map(d -> d.state() == DiskRecord.DiskState.DRAINING).orElse(false);
            Optional<String> down = draining ? DiskPaths.rootUnavailable(catalog, disk.name(), root)
                    : DiskPaths.rootUnavailable(root, java.util.OptionalLong.empty(), 0);
            if (down.isPresent()) {
                record(disk, List.of(new ScanProblem.Finding(disk.name(), "", ScanProblem.Kind.DISK_UNAVAILABLE,
                        down.get())), false, problems, fresh);
                continue;
            }
            Path flag = root.resolve(daq.readyToTransferFlag());
            boolean flagged = Files.exists(flag, LinkOption.NOFOLLOW_LINKS);
            if (!flagged && !draining) {
                record(disk, List.of(), false, problems, fresh);
                continue;
            }
            Listing listing;
            Registrar.Tally t;
            try (Registrar registrar = new Registrar(catalog, disk.name())) {
                listing = list(disk, root, registrar);
                t = registrar.finish();
            }
            found += t.listed();
            registered += t.registered();
            known += t.known();
            removed += listing.foldersRemoved;
            scanned.add(disk.name());
            if (flagged || !draining) {
                catalog.putDisk(new DiskRecord(disk.name(), disk.path(), DiskRecord.DiskState.DRAINING, clock.instant(),
                        "listing of " + t.listed() + " files committed"));
                rememberRoot(disk, root);
            }
            if (flagged) {
                try {
                    Files.delete(flag);
                } catch (IOException e) {
                    listing.problems.add(new ScanProblem.Finding(disk.name(), daq.readyToTransferFlag(), ScanProblem.Kind.FLAG_NOT_REMOVED,
                            "listing committed but the flag " + flag + " could not be removed: " + e));
                }
            }
            record(disk, listing.problems, listing.complete, problems, fresh);
            log.info("scan {}: {} files listed, {} new, {} back from MISSING, {} already known, {} empty folders removed, {} problems",
                    disk.name(), t.listed(), t.added(), t.back(), t.known(), listing.foldersRemoved,
                    listing.problems.size());
        }
        return new ScanReport(scanned, found, registered, known, removed, problems, fresh);
    }

    /**
     * Records one disk's findings in the catalog (once per condition; what is gone is cleared) and reports them: a new
     * problem as a warning to act on, one already reported at most as a reminder in the log.
     */
    private void record(MigdalConfig.Disk disk, List<ScanProblem.Finding> findings, boolean listed, List<Problem> problems,
                        List<Problem> fresh) {
        List<ScanProblem.Finding> isNew = catalog.recordScanProblems(disk.name(), findings, listed);
        for (ScanProblem.Finding f : findings) {
            Problem p = new Problem(f.where(), f.message() + "; to do: " + f.kind().action());
            problems.add(p);
            if (isNew.contains(f)) {
                fresh.add(p);
                log.warn("scan problem (new): {}", p);
            } else {
                log.info("scan problem (still open, reported before): {}", p);
            }
        }
    }

    /** What a walk found besides the files (which go to the {@link Registrar} as they are found). */
    private static final class Listing {
        final List<ScanProblem.Finding> problems = new ArrayList<>();
        boolean complete = true;
        int foldersRemoved;

        void problem(MigdalConfig.Disk disk, String rel, ScanProblem.Kind kind, String message) {
            problems.add(new ScanProblem.Finding(disk.name(), rel.replace("\n", "\\n"), kind, message)); // one line per problem
        }
    }

    private Listing list(MigdalConfig.Disk disk, Path root, Registrar registrar) {
        Listing listing = new Listing();
        try {
            listing.foldersRemoved = DaqListing.walk(disk.name(), root, daq.runPrefix(), true, new DaqListing.Visitor() {
                @Override
                public void dataFile(NewFile file) {
                    registrar.add(file);
                }

                @Override
                public void problem(String relative, ScanProblem.Kind kind, String message) {
                    listing.problem(disk, relative, kind, message);
                }
            });
        } catch (IOException e) {
            listing.problems.add(new ScanProblem.Finding(disk.name(), "", ScanProblem.Kind.DISK_UNAVAILABLE, "cannot list the disk root "
                    + root + ": " + e));
            listing.complete = false;
        }
        return listing;
    }
}
