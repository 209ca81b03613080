package org.migdal.dm.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes planned legacy rows, a chunk at a time, on one connection in the import's transaction: one multi-row
 * {@code INSERT … ON CONFLICT (lfn) DO NOTHING RETURNING id, lfn} per chunk (files already present are skipped), and one
 * multi-row insert of the "import" history rows for the files it added. Statements are prepared once per chunk size.
 */
final class LegacyWriter implements AutoCloseable {
    private static final String FILE_TUPLE = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?)";
    private static final String EVENT_TUPLE = "(?,?,?,'import',?,?)";

    private final Connection c;
    private final String actor;
    private final long t;
    private final Map<Integer, PreparedStatement> inserts = new HashMap<>();
    private final Map<Integer, PreparedStatement> events = new HashMap<>();

    LegacyWriter(Connection c, String actor, Instant now) {
        this.c = c;
        this.actor = actor;
        this.t = now.toEpochMilli();
    }

    /** Writes {@code chunk}; returns the rows it added (the others were present already). */
    List<LegacyImport.Planned> write(List<LegacyImport.Planned> chunk) throws SQLException {
        PreparedStatement ins = statement(inserts, chunk.size(), "INSERT INTO files (lfn, disk, local_path, run, size, mtime,"
                + " adler32, state, compressed_name, compressed_size, compressed_adler32, tape_transfer_id, registered_at,"
                + " shipped_at, on_tape_at, raw_deleted_at, attempts, last_error, next_attempt_at, quarantined_from, updated_at)"
                + " VALUES ", FILE_TUPLE, " ON CONFLICT (lfn) DO NOTHING RETURNING id, lfn");
        int i = 1;
        for (LegacyImport.Planned p : chunk) {
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
            ins.setLong(i++, t);
        }
        Map<String, Long> ids = new HashMap<>(chunk.size() * 2);
        try (ResultSet rs = ins.executeQuery()) {
            while (rs.next()) {
                ids.put(rs.getString(2), rs.getLong(1));
            }
        }
        List<LegacyImport.Planned> added = new ArrayList<>(ids.size());
        if (ids.isEmpty()) {
            return added;
        }
        PreparedStatement ev = statement(events, ids.size(), "INSERT INTO file_events (file_id, at, actor, action, ok, message)"
                + " VALUES ", EVENT_TUPLE, "");
        i = 1;
        for (LegacyImport.Planned p : chunk) {
            Long id = ids.remove(p.lfn());
            if (id == null) {
                continue; // present already (or twice in the legacy catalog: the first row is the imported one)
            }
            added.add(p);
            ev.setLong(i++, id);
            ev.setLong(i++, t);
            ev.setString(i++, actor);
            ev.setInt(i++, p.state() != FileState.QUARANTINED ? 1 : 0); // integer column on both dialects
            ev.setString(i++, "imported from the legacy catalog as " + p.state()
                    + (p.reason() != null ? " — " + p.reason() : "")
                    + (p.notes().isEmpty() ? "" : "; " + String.join("; ", p.notes())) + " (" + p.legacySummary() + ")");
        }
        ev.executeUpdate();
        return added;
    }

    /** For a dry run: the rows of {@code chunk} whose LFN is not in the catalog yet. */
    static List<LegacyImport.Planned> absent(Connection c, List<LegacyImport.Planned> chunk) throws SQLException {
        Set<String> present = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT lfn FROM files WHERE lfn IN (" + "?,".repeat(chunk.size() - 1) + "?)")) {
            for (int i = 0; i < chunk.size(); i++) {
                ps.setString(i + 1, chunk.get(i).lfn());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    present.add(rs.getString(1));
                }
            }
        }
        return chunk.stream().filter(p -> !present.contains(p.lfn())).toList();
    }

    private PreparedStatement statement(Map<Integer, PreparedStatement> cache, int rows, String head, String tuple, String tail)
            throws SQLException {
        PreparedStatement ps = cache.get(rows);
        if (ps == null) {
            ps = c.prepareStatement(head + (tuple + ",").repeat(rows - 1) + tuple + tail);
            cache.put(rows, ps);
        }
        return ps;
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

    @Override
    public void close() throws SQLException {
        for (PreparedStatement ps : inserts.values()) {
            ps.close();
        }
        for (PreparedStatement ps : events.values()) {
            ps.close();
        }
    }
}
