package org.migdal.dm.storage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes orphaned temporary files: uploads ({@link StorageNames#isTemp}) left at a storage endpoint, and scratch files
 * left in {@code archive.workDir}, by a process that was killed. It removes a file only when all of these hold: its
 * name is a temporary name, it is a plain file (never a link, never a folder), the storage reports its modification
 * time, and that time is older than {@code maxAge}. A live upload or compression writes its temporary continuously
 * and renames or removes it within minutes, so a temporary untouched for {@code maxAge} (default 24 h, far beyond any
 * lease) belongs to no live claim. The walk is {@link StorageWalk}: from the endpoint base down through the listing only
 * (symbolic links never followed), ignoring any entry the storage reports outside the folder it was asked about.
 */
public final class Janitor {
    private static final Logger log = LoggerFactory.getLogger(Janitor.class);

    /** What one sweep did; {@code removed} lists the paths removed (or, on a dry run, that would be). */
    public record Report(String where, boolean dryRun, List<String> removed, int keptYoung, int keptUnknownAge,
                         int folders, List<String> problems) {
        public Report {
            removed = List.copyOf(removed);
            problems = List.copyOf(problems);
        }

        public String summary() {
            return where + ": " + (dryRun ? "would remove " : "removed ") + removed.size() + " orphaned temporary file(s)"
                    + (keptYoung > 0 ? ", kept " + keptYoung + " younger than the age limit" : "")
                    + (keptUnknownAge > 0 ? ", kept " + keptUnknownAge + " whose age the storage does not report" : "")
                    + " (" + folders + " folder(s) looked at)"
                    + (problems.isEmpty() ? "" : "; " + problems.size() + " problem(s): " + String.join("; ", problems));
        }
    }

    private final Duration maxAge;
    private final Clock clock;

    public Janitor(Duration maxAge, Clock clock) {
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("the janitor's age limit must be positive, not " + maxAge);
        }
        this.maxAge = maxAge;
        this.clock = clock;
    }

    /** Sweeps a storage endpoint from its base down. */
    public Report sweep(StorageEndpoint endpoint, boolean dryRun) {
        Sweep s = new Sweep(endpoint, dryRun, clock.instant().minus(maxAge));
        s.walk();
        Report r = new Report(endpoint.base().toString(), dryRun, s.removed, s.young, s.unknownAge, s.folders, s.problems);
        if (!r.removed().isEmpty() || !r.problems().isEmpty()) {
            log.info("janitor {}", r.summary());
        } else {
            log.debug("janitor {}", r.summary());
        }
        return r;
    }

    /** Sweeps the scratch folder ({@code archive.workDir}); a missing folder has nothing to sweep and is not made. */
    public Report sweepWorkDir(Path workDir, boolean dryRun) {
        if (!Files.isDirectory(workDir, LinkOption.NOFOLLOW_LINKS)) {
            return new Report(workDir.toUri().toString(), dryRun, List.of(), 0, 0, 0, List.of());
        }
        return sweep(new FileEndpoint(workDir.toUri()), dryRun);
    }

    private static final class Sweep {
        final StorageEndpoint endpoint;
        final boolean dryRun;
        final Instant cutoff;
        final List<String> removed = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        int young;
        int unknownAge;
        int folders;

        Sweep(StorageEndpoint endpoint, boolean dryRun, Instant cutoff) {
            this.endpoint = endpoint;
            this.dryRun = dryRun;
            this.cutoff = cutoff;
        }

        void walk() {
            try {
                StorageWalk.walk(endpoint, "/", new StorageWalk.Visitor() {
                    @Override
                    public void folder(String dir, List<StorageEntry> entries) {
                        folders++;
                        for (StorageEntry e : entries) {
                            if (e.file() && StorageNames.isTemp(e.name())) {
                                consider(e.path(), e);
                            }
                        }
                    }

                    @Override
                    public void problem(String message) {
                        problems.add(message);
                    }
                });
            } catch (StorageException e) {
                problems.add("listing failed: " + e.getMessage());
            }
        }

        void consider(String path, StorageEntry e) {
            if (e.modified() == null) {
                unknownAge++;
                return;
            }
            if (!e.modified().isBefore(cutoff)) {
                young++;
                return;
            }
            if (dryRun) {
                removed.add(path);
                return;
            }
            try {
                endpoint.delete(path);
                removed.add(path);
                log.info("janitor removed the orphaned temporary {} (last written {})", endpoint.urlOf(path), e.modified());
            } catch (StorageException x) {
                problems.add("cannot remove " + x.getMessage());
            }
        }
    }
}
