package org.migdal.dm.daq;

import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.ScanProblem;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * What counts as a data file on a DAQ disk, in one place: every regular, readable file under a {@code MIG_*} entry of the
 * disk root whose name is clean and carries a run timestamp (its {@link Lfn}). Symbolic links are never followed;
 * anything else found is a {@link ScanProblem.Kind} for the visitor. The scan registers what this walk finds; the audit
 * compares it with the catalog. Only the scan removes empty folders ({@code pruneEmptyFolders}): the audit is read-only.
 */
public final class DaqListing {

    /** What the walk hands over, as it goes. */
    public interface Visitor {
        /** A data file, as the scan registers it. */
        void dataFile(NewFile file);

        /** Something under a run folder that is not a data file (left alone), relative to the disk root. */
        void problem(String relative, ScanProblem.Kind kind, String message);
    }

    private DaqListing() {
    }

    /**
     * Walks the {@code runPrefix*} entries of {@code root} (disk {@code disk}); returns how many empty folders it removed
     * (only with {@code pruneEmptyFolders}). Throws when the root itself cannot be listed.
     */
    public static int walk(String disk, Path root, String runPrefix, boolean pruneEmptyFolders, Visitor visitor) throws IOException {
        int[] removed = {0};
        try (DirectoryStream<Path> top = Files.newDirectoryStream(root, e -> e.getFileName().toString().startsWith(runPrefix))) {
            for (Path entry : top) {
                walkEntry(disk, root, entry, pruneEmptyFolders, visitor, removed);
            }
        }
        return removed[0];
    }

    private static void walkEntry(String disk, Path root, Path start, boolean prune, Visitor v, int[] removed) throws IOException {
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String rel = root.relativize(file).toString();
                if (attrs.isSymbolicLink()) {
                    v.problem(rel, ScanProblem.Kind.SYMLINK, "is a symbolic link; links are never followed, left alone");
                    return FileVisitResult.CONTINUE;
                }
                if (!attrs.isRegularFile()) {
                    v.problem(rel, ScanProblem.Kind.NOT_REGULAR, "is not a regular file; left alone");
                    return FileVisitResult.CONTINUE;
                }
                Optional<String> nameProblem = Lfn.problemWithName(rel);
                if (nameProblem.isPresent()) {
                    v.problem(rel, ScanProblem.Kind.BAD_NAME, nameProblem.get());
                    return FileVisitResult.CONTINUE;
                }
                if (!Files.isReadable(file)) {
                    v.problem(rel, ScanProblem.Kind.UNREADABLE, "is not readable by this account; fix its permissions");
                    return FileVisitResult.CONTINUE;
                }
                Optional<String> lfn = Lfn.of(rel);
                if (lfn.isEmpty()) {
                    v.problem(rel, ScanProblem.Kind.NO_RUN_STAMP,
                            "no run timestamp (YYMMDDTHHMMSS) in its name or folder; cannot make its LFN, left alone");
                    return FileVisitResult.CONTINUE;
                }
                String run = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : rel;
                v.dataFile(new NewFile(lfn.get(), disk, rel, run, attrs.size(), attrs.lastModifiedTime().toInstant()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                v.problem(root.relativize(file).toString(), ScanProblem.Kind.UNREADABLE, "cannot be read: " + e.getMessage());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                if (prune && e == null && !dir.equals(root)) {
                    try (var entries = Files.list(dir)) {
                        if (entries.findAny().isEmpty()) {
                            Files.delete(dir);
                            removed[0]++;
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
