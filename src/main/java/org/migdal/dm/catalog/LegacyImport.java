package org.migdal.dm.catalog;

import org.migdal.dm.storage.Adler32s;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Brings the Python system's SQLite catalog (table {@code migdal_db}) into the migdal-dm catalog without losing a
 * row: each legacy row becomes exactly one file in the state the old columns mean, and anything that does not fit
 * is imported QUARANTINED with the reason. The legacy file is opened read-only and read through a cursor
 * ({@link LegacyRows}); the import is one transaction, written in chunks ({@link LegacyWriter}), and idempotent (files
 * already present are skipped).
 *
 * <p>Legacy timestamps carry no zone; they are read as UTC.
 */
public final class LegacyImport {

    /** The columns of {@code migdal_db}, exactly as SQLAlchemy created them. */
    static final List<String> COLUMNS = List.of("File name", "File size", "Checksum", "Zip File name", "Zip File size",
            "Zip Checksum", "DAQ disk", "Time Stamp", "In PPD dCache?", "PPD dCache timestamp", "In Antares tape?",
            "Antares timestamp", "FTS ID", "Tape status");

    private static final Pattern STAMP = Pattern.compile("^/([0-9]{4})/([0-9]{6})/(.+)$");
    private static final DateTimeFormatter LEGACY_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd[ ]['T']HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();

    /** One legacy row, as text (SQLite lets any column hold text, and the old code wrote {@code ''} into integers). */
    public record LegacyRow(Map<String, String> values) {
        String get(String column) {
            String v = values.get(column);
            return v == null ? "" : v;
        }
    }

    /** What one legacy row becomes. {@code reason} is set for QUARANTINED rows; {@code notes} go into the import event. */
    public record Planned(String lfn, String disk, String localPath, String run, long size, Instant mtime, FileState state,
                          String adler32, String compressedName, Long compressedSize, String compressedAdler32,
                          String tapeTransferId, Instant shippedAt, Instant onTapeAt, boolean rawDeleted, int attempts,
                          FileState quarantinedFrom, String reason, List<String> notes, String legacySummary) {
    }

    /** The outcome of an import (or of a dry run). */
    public record Report(int read, Map<FileState, Integer> perState, int quarantined, int skippedPresent,
                         Map<String, Integer> quarantineReasons, boolean dryRun, long millis) {
    }

    private final Map<String, Path> diskPaths;

    /** {@code diskPaths}: legacy disk name ({@code data1}…) → configured mount point. */
    public LegacyImport(Map<String, Path> diskPaths) {
        this.diskPaths = Map.copyOf(diskPaths);
    }

    /** Decides what a legacy row becomes. Never throws for bad data: such rows are QUARANTINED with the reason. */
    public Planned plan(LegacyRow row) {
        String lfn = row.get("File name");
        String dcache = row.get("In PPD dCache?").trim();
        String tape = row.get("In Antares tape?").trim();
        String fts = row.get("FTS ID").trim();
        String tapeStatus = row.get("Tape status").trim();
        String disk = row.get("DAQ disk").trim();
        List<String> notes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String summary = "legacy row: dCache='" + dcache + "' tape='" + tape + "' FTS ID='" + fts + "' Tape status='"
                + tapeStatus + "' size='" + row.get("File size") + "' checksum='" + row.get("Checksum") + "' zip='"
                + row.get("Zip File name") + "' zip size='" + row.get("Zip File size") + "' zip checksum='" + row.get("Zip Checksum") + "'";

        Long size = integer(row.get("File size"), "File size", problems);
        Long zipSize = integer(row.get("Zip File size"), "Zip File size", problems);
        if (zipSize != null && zipSize < 0) {
            zipSize = null;
        }
        String adler = checksum(row.get("Checksum"), "Checksum", problems);
        String zipAdler = checksum(row.get("Zip Checksum"), "Zip Checksum", problems);
        String zipName = row.get("Zip File name").isBlank() ? null : row.get("Zip File name");
        Instant mtime = time(row.get("Time Stamp"), "Time Stamp", problems);
        Instant shipped = time(row.get("PPD dCache timestamp"), "PPD dCache timestamp", problems);
        Instant onTape = time(row.get("Antares timestamp"), "Antares timestamp", problems);

        String rel = lfn;
        String run = "";
        var m = STAMP.matcher(lfn);
        if (m.matches()) {
            rel = m.group(3);
            run = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : rel;
        } else {
            problems.add("File name '" + lfn + "' does not start with /YYMM/YYMMDD/");
            rel = lfn.startsWith("/") ? lfn.substring(1) : lfn;
        }
        if (lfn.isBlank()) {
            problems.add("empty File name");
        }

        FileState state;
        int attempts = 0;
        boolean rawDeleted = false;
        String transferId = null;
        boolean staleFts = !fts.isEmpty();
        switch (dcache + "|" + tape) {
            case "No|No" -> state = FileState.REGISTERED;
            case "Ongoing|No" -> {
                state = FileState.REGISTERED;
                attempts = 1; // the old copy may have died: the shipper re-verifies the destination before re-copying
                notes.add("a legacy copy was running or died: the destination is re-verified before any re-copy");
            }
            case "Yes|No", "Zipping|No", "Uploading Zip|No" -> {
                state = FileState.ON_DISK_STORAGE;
                if (!dcache.equals("Yes")) {
                    notes.add("a legacy compression job (" + dcache + ") died: waiting to compress again");
                }
                require(adler, "Checksum", dcache + " row", problems);
            }
            case "Yes|Submitted" -> {
                state = FileState.TAPE_SUBMITTED;
                staleFts = false;
                transferId = fts;
                if (fts.isEmpty()) {
                    problems.add("tape 'Submitted' without an FTS ID");
                }
                require(adler, "Checksum", "Submitted row", problems);
                require(zipName, "Zip File name", "Submitted row", problems);
                require(zipAdler, "Zip Checksum", "Submitted row", problems);
                require(zipSize, "Zip File size", "Submitted row", problems);
            }
            case "Yes|Yes" -> {
                state = FileState.ON_TAPE;
                staleFts = false;
                transferId = fts.isEmpty() ? null : fts;
                require(adler, "Checksum", "on-tape row", problems);
                require(zipName, "Zip File name", "on-tape row", problems);
                require(zipAdler, "Zip Checksum", "on-tape row", problems);
                require(zipSize, "Zip File size", "on-tape row", problems);
                if (onTape == null) {
                    notes.add("no FTS finish time recorded");
                }
                if (tapeStatus.equals("On Tape")) {
                    rawDeleted = true;
                    notes.add("the legacy system saw the tape copy NEARLINE and deleted the uncompressed dCache copy");
                } else if (!tapeStatus.isEmpty() && !tapeStatus.equals("No")) {
                    problems.add("unknown Tape status '" + tapeStatus + "'");
                }
            }
            default -> {
                state = FileState.QUARANTINED;
                problems.add("status combination dCache='" + dcache + "' tape='" + tape + "' is not one the legacy system used");
            }
        }
        if (tapeStatus.equals("On Tape") && state != FileState.ON_TAPE) {
            problems.add("Tape status 'On Tape' but tape transfer '" + tape + "'");
        }
        if (staleFts) {
            notes.add("stale FTS ID " + fts + " from a reset row ignored");
        }
        if (size != null && size < 0) {
            problems.add("negative File size " + size);
        }
        if (size == null && state.compareTo(FileState.ON_DISK_STORAGE) >= 0 && state != FileState.QUARANTINED) {
            problems.add("File size unknown for a file already in storage");
        }
        if (size == null) {
            notes.add("File size unknown: taken from the DAQ disk when shipped");
        }
        String localPath = rel;
        if (state == FileState.REGISTERED) {
            Path root = diskPaths.get(disk);
            if (root == null) {
                problems.add("DAQ disk '" + disk + "' is not configured (daq.disks); cannot ship from it");
            } else if (m.matches() && !Files.exists(root.resolve(rel), LinkOption.NOFOLLOW_LINKS)
                    && Files.exists(root.resolve(lfn.substring(1)), LinkOption.NOFOLLOW_LINKS)) {
                localPath = lfn.substring(1); // the date stamp was already on the disk path
            }
        }
        FileState from = null;
        String reason = null;
        if (!problems.isEmpty()) {
            from = state == FileState.QUARANTINED ? null : state;
            state = FileState.QUARANTINED;
            reason = "legacy import: " + String.join("; ", problems);
        }
        return new Planned(lfn, disk.isEmpty() ? "unknown" : disk, localPath, run, size == null ? -1 : size,
                mtime == null ? Instant.EPOCH : mtime, state, adler, zipName, zipSize, zipAdler, transferId,
                state == FileState.REGISTERED || from == FileState.REGISTERED ? null : shipped,
                onTape, rawDeleted, attempts, from, reason, notes, summary);
    }

    /** Imports {@code legacy} (see {@link #run(Iterator, JdbcCatalog, boolean, Instant)}), read through a cursor. */
    public Report run(Path legacy, JdbcCatalog catalog, boolean dryRun, Instant now) {
        try (LegacyRows rows = LegacyRows.open(legacy)) {
            return run(rows, catalog, dryRun, now);
        }
    }

    /**
     * Plans the rows as they come (on a reader thread: {@link PlannedChunks}) and writes them {@value #CHUNK} at a time, all in one transaction (an import that fails
     * leaves nothing behind; a re-run skips the files already present); with {@code dryRun} nothing is written and the
     * report says what would be. Memory stays bounded whatever the number of rows.
     */
    public Report run(Iterator<LegacyRow> rows, JdbcCatalog catalog, boolean dryRun, Instant now) {
        long start = System.nanoTime();
        Tally tally = new Tally();
        if (dryRun) {
            catalog.reading(c -> {
                chunks(rows, tally, chunk -> LegacyWriter.absent(c, chunk));
                return null;
            }, "dry run of a legacy import");
        } else {
            catalog.inTransaction(c -> {
                try (LegacyWriter writer = new LegacyWriter(c, catalog.owner(), now)) {
                    chunks(rows, tally, writer::write);
                }
                return null;
            }, "importing legacy rows");
        }
        return new Report(tally.read, tally.perState, tally.quarantined, tally.skipped, tally.reasons, dryRun,
                (System.nanoTime() - start) / 1_000_000);
    }

    static final int CHUNK = 500;
    /** Distinct quarantine reasons a report lists one by one; the rest are counted together. */
    static final int REASONS_LISTED = 100;
    static final String OTHER_REASONS = "other reasons (each is in its file's last error and history)";

    @FunctionalInterface
    private interface ChunkWork {
        /** Returns the rows of the chunk that are (or, in a dry run, would be) imported. */
        List<Planned> apply(List<Planned> chunk) throws SQLException;
    }

    private void chunks(Iterator<LegacyRow> rows, Tally tally, ChunkWork work) throws SQLException {
        try (PlannedChunks chunks = new PlannedChunks(rows, this::plan, CHUNK)) {
            while (chunks.hasNext()) {
                List<Planned> chunk = chunks.next();
                tally.add(chunk.size(), work.apply(chunk));
            }
        }
    }

    /** The running counts of an import. */
    private static final class Tally {
        int read;
        int quarantined;
        int skipped;
        final Map<FileState, Integer> perState = new EnumMap<>(FileState.class);
        final Map<String, Integer> reasons = new LinkedHashMap<>();

        void add(int chunkSize, List<Planned> imported) {
            read += chunkSize;
            skipped += chunkSize - imported.size();
            for (Planned p : imported) {
                perState.merge(p.state(), 1, Integer::sum);
                if (p.state() == FileState.QUARANTINED) {
                    quarantined++;
                    String reason = reasons.containsKey(p.reason()) || reasons.size() < REASONS_LISTED ? p.reason() : OTHER_REASONS;
                    reasons.merge(reason, 1, Integer::sum);
                }
            }
        }
    }

    private static Long integer(String text, String column, List<String> problems) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            return null; // '' in an integer column means unknown
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            problems.add(column + " '" + text + "' is not an integer");
            return null;
        }
    }

    private static String checksum(String text, String column, List<String> problems) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Adler32s.normalise(text);
        } catch (IllegalArgumentException e) {
            problems.add(column + " " + e.getMessage());
            return null;
        }
    }

    private static Instant time(String text, String column, List<String> problems) {
        if (text == null || text.isBlank() || text.startsWith("0001-01-01")) {
            return null; // "never"
        }
        try {
            return LocalDateTime.parse(text.trim(), LEGACY_TIME).toInstant(ZoneOffset.UTC);
        } catch (RuntimeException e) {
            problems.add(column + " '" + text + "' is not a timestamp");
            return null;
        }
    }

    private static void require(Object value, String column, String what, List<String> problems) {
        if (value == null) {
            problems.add(column + " missing for a " + what);
        }
    }

}
