package org.migdal.dm.catalog;

import org.migdal.dm.storage.Adler32s;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Brings the Python system's SQLite catalog (table {@code migdal_db}) into the migdal-dm catalog without losing a
 * row: each legacy row becomes exactly one file in the state the old columns mean, and anything that does not fit
 * is imported QUARANTINED with the reason. The legacy file is opened read-only; the import is one transaction and
 * idempotent (files already present are skipped).
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

    /** Reads every row of the legacy catalog, read-only; a corrupt, foreign or table-less file is refused clearly. */
    public List<LegacyRow> read(Path legacy) {
        if (!Files.isRegularFile(legacy)) {
            throw new CatalogException("legacy catalog " + legacy + " does not exist or is not a file");
        }
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.setOpenMode(SQLiteOpenMode.READONLY);
        String url = "jdbc:sqlite:file:" + legacy.toAbsolutePath() + "?mode=ro";
        try (Connection c = DriverManager.getConnection(url, cfg.toProperties())) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
                String first = rs.next() ? rs.getString(1) : "no answer";
                if (!"ok".equalsIgnoreCase(first)) {
                    throw new CatalogException("legacy catalog " + legacy + " is damaged (SQLite integrity check: " + first + ")");
                }
            }
            Set<String> tables = new TreeSet<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            if (!tables.contains("migdal_db")) {
                throw new CatalogException(legacy + " is an SQLite file but not a legacy MIGDAL catalog: it has no table"
                        + " migdal_db (tables: " + (tables.isEmpty() ? "none" : String.join(", ", tables)) + ")");
            }
            Set<String> have = new TreeSet<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(migdal_db)")) {
                while (rs.next()) {
                    have.add(rs.getString("name"));
                }
            }
            List<String> missing = COLUMNS.stream().filter(col -> !have.contains(col)).toList();
            if (!missing.isEmpty()) {
                throw new CatalogException(legacy + ": table migdal_db lacks the legacy columns " + missing
                        + "; is this the Python system's catalog?");
            }
            StringBuilder sql = new StringBuilder("SELECT ");
            for (int i = 0; i < COLUMNS.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("CAST(\"").append(COLUMNS.get(i)).append("\" AS TEXT)");
            }
            sql.append(" FROM migdal_db ORDER BY rowid");
            List<LegacyRow> rows = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql.toString())) {
                while (rs.next()) {
                    Map<String, String> v = new LinkedHashMap<>();
                    for (int i = 0; i < COLUMNS.size(); i++) {
                        v.put(COLUMNS.get(i), rs.getString(i + 1));
                    }
                    rows.add(new LegacyRow(v));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new CatalogException("cannot read legacy catalog " + legacy + " (not an SQLite database, or damaged)", e);
        }
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

    /** Plans every row; with {@code dryRun} nothing is written, otherwise all is written in one transaction. */
    public Report run(List<LegacyRow> rows, JdbcCatalog catalog, boolean dryRun, Instant now) {
        long start = System.nanoTime();
        List<Planned> plans = rows.stream().map(this::plan).toList();
        Map<FileState, Integer> perState = new EnumMap<>(FileState.class);
        Map<String, Integer> reasons = new LinkedHashMap<>();
        int[] skipped = {0};
        List<Planned> counted = plans;
        if (!dryRun) {
            counted = catalog.inTransaction(c -> write(c, plans, catalog.owner(), now, skipped), "importing " + plans.size() + " legacy rows");
        } else {
            List<Planned> fresh = new ArrayList<>();
            for (Planned p : plans) {
                if (catalog.find(p.lfn()).isPresent()) {
                    skipped[0]++;
                } else {
                    fresh.add(p);
                }
            }
            counted = fresh;
        }
        int quarantined = 0;
        for (Planned p : counted) {
            perState.merge(p.state(), 1, Integer::sum);
            if (p.state() == FileState.QUARANTINED) {
                quarantined++;
                reasons.merge(p.reason(), 1, Integer::sum);
            }
        }
        return new Report(rows.size(), perState, quarantined, skipped[0], reasons, dryRun, (System.nanoTime() - start) / 1_000_000);
    }

    private static List<Planned> write(Connection c, List<Planned> plans, String actor, Instant now, int[] skipped) throws SQLException {
        List<Planned> inserted = new ArrayList<>();
        long t = now.toEpochMilli();
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO files (lfn, disk, local_path, run, size, mtime, adler32, state,"
                + " compressed_name, compressed_size, compressed_adler32, tape_transfer_id, registered_at, shipped_at,"
                + " on_tape_at, raw_deleted_at, attempts, last_error, next_attempt_at, quarantined_from, updated_at)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?) ON CONFLICT (lfn) DO NOTHING");
             PreparedStatement ev = c.prepareStatement("INSERT INTO file_events (file_id, at, actor, action, ok, message)"
                     + " SELECT id, ?, ?, 'import', ?, ? FROM files WHERE lfn = ?")) {
            for (int from = 0; from < plans.size(); from += 1000) {
                List<Planned> batch = plans.subList(from, Math.min(plans.size(), from + 1000));
                for (Planned p : batch) {
                    int i = 1;
                    ins.setString(i++, p.lfn());
                    ins.setString(i++, p.disk());
                    ins.setString(i++, p.localPath());
                    ins.setString(i++, p.run());
                    ins.setLong(i++, p.size());
                    ins.setLong(i++, p.mtime().toEpochMilli());
                    setText(ins, i++, p.adler32());
                    ins.setString(i++, p.state().name());
                    setText(ins, i++, p.compressedName());
                    setLong(ins, i++, p.compressedSize());
                    setText(ins, i++, p.compressedAdler32());
                    setText(ins, i++, p.tapeTransferId());
                    ins.setLong(i++, t);
                    boolean inStorage = p.state() != FileState.REGISTERED && p.state() != FileState.QUARANTINED;
                    setLong(ins, i++, p.shippedAt() != null ? Long.valueOf(p.shippedAt().toEpochMilli()) : inStorage ? Long.valueOf(t) : null);
                    setLong(ins, i++, p.state() == FileState.ON_TAPE
                            ? Long.valueOf(p.onTapeAt() != null ? p.onTapeAt().toEpochMilli() : t) : null);
                    setLong(ins, i++, p.rawDeleted() ? t : null);
                    ins.setInt(i++, p.attempts());
                    setText(ins, i++, p.reason());
                    setText(ins, i++, p.quarantinedFrom() == null ? null : p.quarantinedFrom().name());
                    ins.setLong(i, t);
                    ins.addBatch();
                }
                int[] counts = ins.executeBatch();
                List<Planned> fresh = new ArrayList<>();
                for (int k = 0; k < counts.length; k++) {
                    if (counts[k] > 0 || counts[k] == Statement.SUCCESS_NO_INFO) {
                        fresh.add(batch.get(k));
                    } else {
                        skipped[0]++;
                    }
                }
                for (Planned p : fresh) {
                    ev.setLong(1, t);
                    ev.setString(2, actor);
                    ev.setInt(3, p.state() != FileState.QUARANTINED ? 1 : 0); // integer column on both dialects
                    ev.setString(4, "imported from the legacy catalog as " + p.state()
                            + (p.reason() != null ? " — " + p.reason() : "")
                            + (p.notes().isEmpty() ? "" : "; " + String.join("; ", p.notes())) + " (" + p.legacySummary() + ")");
                    ev.setString(5, p.lfn());
                    ev.addBatch();
                }
                ev.executeBatch();
                inserted.addAll(fresh);
            }
        }
        return inserted;
    }

    private static void setText(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    private static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
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
