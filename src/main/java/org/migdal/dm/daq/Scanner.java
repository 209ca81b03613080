package org.migdal.dm.daq;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.RegisterResult;
import org.migdal.dm.config.MigdalConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The DAQ-side registration. A disk is scanned when its root holds the {@code ReadyToTransfer} flag (or it is
 * still draining from an earlier scan): empty folders under {@code MIG_*} are removed, every regular readable
 * file under {@code MIG_*} is registered with its LFN, size and mtime, and the flag is removed once the listing
 * is committed. Symbolic links are never followed; unreadable files and odd names are reported and left alone.
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

    public ScanReport scan() {
        List<String> scanned = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int found = 0;
        int registered = 0;
        int known = 0;
        int removed = 0;
        for (MigdalConfig.Disk disk : daq.disks()) {
            Path root = Path.of(disk.path());
            if (!Files.isDirectory(root)) {
                problems.add(new Problem(disk.name(), "disk root " + root + " does not exist or is not a folder (not mounted?)"));
                continue;
            }
            Path flag = root.resolve(daq.readyToTransferFlag());
            boolean flagged = Files.exists(flag, LinkOption.NOFOLLOW_LINKS);
            boolean draining = catalog.disk(disk.name()).map(d -> d.state() == DiskRecord.DiskState.DRAINING).orElse(false);
            if (!flagged && !draining) {
                continue;
            }
            Listing listing = list(disk, root);
            problems.addAll(listing.problems);
            RegisterResult r = catalog.register(listing.files);
            found += listing.files.size();
            registered += r.added();
            known += r.alreadyKnown();
            removed += listing.foldersRemoved;
            scanned.add(disk.name());
            if (flagged || !draining) {
                catalog.putDisk(new DiskRecord(disk.name(), disk.path(), DiskRecord.DiskState.DRAINING, clock.instant(),
                        "listing of " + listing.files.size() + " files committed"));
            }
            if (flagged) {
                try {
                    Files.delete(flag);
                } catch (IOException e) {
                    problems.add(new Problem(flag.toString(), "listing committed but the flag could not be removed: " + e));
                }
            }
            log.info("scan {}: {} files listed, {} new, {} already known, {} empty folders removed, {} problems",
                    disk.name(), listing.files.size(), r.added(), r.alreadyKnown(), listing.foldersRemoved, listing.problems.size());
        }
        for (Problem p : problems) {
            log.warn("scan problem: {}", p);
        }
        return new ScanReport(scanned, found, registered, known, removed, problems);
    }

    private static final class Listing {
        final List<NewFile> files = new ArrayList<>();
        final List<Problem> problems = new ArrayList<>();
        int foldersRemoved;
    }

    private Listing list(MigdalConfig.Disk disk, Path root) {
        Listing listing = new Listing();
        try (DirectoryStream<Path> top = Files.newDirectoryStream(root, e -> e.getFileName().toString().startsWith(daq.runPrefix()))) {
            for (Path entry : top) {
                walk(disk, root, entry, listing);
            }
        } catch (IOException e) {
            listing.problems.add(new Problem(root.toString(), "cannot list the disk root: " + e));
        }
        return listing;
    }

    private void walk(MigdalConfig.Disk disk, Path root, Path start, Listing listing) throws IOException {
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = root.relativize(file).toString();
                if (attrs.isSymbolicLink()) {
                    listing.problems.add(new Problem(disk.name() + ":" + rel, "is a symbolic link; links are never followed, left alone"));
                    return FileVisitResult.CONTINUE;
                }
                if (!attrs.isRegularFile()) {
                    listing.problems.add(new Problem(disk.name() + ":" + rel, "is not a regular file; left alone"));
                    return FileVisitResult.CONTINUE;
                }
                Optional<String> nameProblem = Lfn.problemWithName(rel);
                if (nameProblem.isPresent()) {
                    listing.problems.add(new Problem(disk.name() + ":" + rel.replace("\n", "\\n"), nameProblem.get()));
                    return FileVisitResult.CONTINUE;
                }
                if (!Files.isReadable(file)) {
                    listing.problems.add(new Problem(disk.name() + ":" + rel, "is not readable by this account; fix its permissions"));
                    return FileVisitResult.CONTINUE;
                }
                Optional<String> lfn = Lfn.of(rel);
                if (lfn.isEmpty()) {
                    listing.problems.add(new Problem(disk.name() + ":" + rel,
                            "no run timestamp (YYMMDDTHHMMSS) in its name or folder; cannot make its LFN, left alone"));
                    return FileVisitResult.CONTINUE;
                }
                String run = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : rel;
                listing.files.add(new NewFile(lfn.get(), disk.name(), rel, run, attrs.size(), attrs.lastModifiedTime().toInstant()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                listing.problems.add(new Problem(disk.name() + ":" + root.relativize(file), "cannot be read: " + e.getMessage()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                if (e == null && !dir.equals(root)) {
                    try (var entries = Files.list(dir)) {
                        if (entries.findAny().isEmpty()) {
                            Files.delete(dir);
                            listing.foldersRemoved++;
                        }
                    } catch (IOException ignored) {
                        // something appeared, or it is not ours to remove: leave it
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
