package org.migdal.dm.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The write path of {@link Catalog#register}: new files and their "register" history rows, in multi-row statements
 * (one {@code INSERT … ON CONFLICT (lfn) DO NOTHING RETURNING id, lfn} per {@value #ROWS_PER_STATEMENT} files, the ids
 * it returns feeding the history rows without a lookup), {@value #FILES_PER_TRANSACTION} files per transaction.
 *
 * <p>Durability: the catalog commits every transaction durably (SQLite {@code synchronous=FULL}, see {@link JdbcCatalog};
 * PostgreSQL as configured on the server, {@code synchronous_commit} on by default), so when {@code register} returns
 * the registrations are on disk; the scanner removes the {@code ReadyToTransfer} flag only after that.
 */
final class Registration {
    static final int ROWS_PER_STATEMENT = 500;
    static final int FILES_PER_TRANSACTION = 5000;

    private final JdbcCatalog catalog;

    Registration(JdbcCatalog catalog) {
        this.catalog = catalog;
    }

    RegisterResult register(List<NewFile> files) {
        int added = 0;
        for (int from = 0; from < files.size(); from += FILES_PER_TRANSACTION) {
            List<NewFile> batch = files.subList(from, Math.min(files.size(), from + FILES_PER_TRANSACTION));
            added += catalog.inTransaction(conn -> {
                int n = 0;
                try (Statements st = new Statements(conn)) {
                    for (int i = 0; i < batch.size(); i += ROWS_PER_STATEMENT) {
                        n += insert(st, batch.subList(i, Math.min(batch.size(), i + ROWS_PER_STATEMENT)));
                    }
                }
                return n;
            }, "registering " + batch.size() + " files (first: " + batch.get(0).lfn() + ")");
        }
        return new RegisterResult(added, files.size() - added);
    }

    /** The multi-row statements of one transaction, prepared once per row count (SQLite's prepare is not cheap). */
    private static final class Statements implements AutoCloseable {
        private final Connection c;
        private final Map<Integer, PreparedStatement> files = new HashMap<>();
        private final Map<Integer, PreparedStatement> events = new HashMap<>();

        Statements(Connection c) {
            this.c = c;
        }

        PreparedStatement files(int rows) throws SQLException {
            PreparedStatement ps = files.get(rows);
            if (ps == null) {
                ps = c.prepareStatement("INSERT INTO files (lfn, disk, local_path, run, size, mtime, state, registered_at,"
                        + " updated_at, next_attempt_at) VALUES " + values("(?,?,?,?,?,?,?,?,?,0)", rows)
                        + " ON CONFLICT (lfn) DO NOTHING RETURNING id, lfn");
                files.put(rows, ps);
            }
            return ps;
        }

        PreparedStatement events(int rows) throws SQLException {
            PreparedStatement ps = events.get(rows);
            if (ps == null) {
                ps = c.prepareStatement("INSERT INTO file_events (file_id, at, actor, action, ok, message) VALUES "
                        + values("(?,?,?,'register',1,?)", rows)); // ok is an integer column on both dialects
                events.put(rows, ps);
            }
            return ps;
        }

        private static String values(String tuple, int rows) {
            return (tuple + ",").repeat(rows - 1) + tuple;
        }

        @Override
        public void close() throws SQLException {
            for (PreparedStatement ps : files.values()) {
                ps.close();
            }
            for (PreparedStatement ps : events.values()) {
                ps.close();
            }
        }
    }

    /** Inserts one chunk; returns how many were new. */
    private int insert(Statements st, List<NewFile> chunk) throws SQLException {
        long now = catalog.now();
        Map<String, Long> ids = new HashMap<>(chunk.size() * 2);
        PreparedStatement ins = st.files(chunk.size());
        int p = 1;
        for (NewFile f : chunk) {
            ins.setString(p++, f.lfn());
            ins.setString(p++, f.disk());
            ins.setString(p++, f.localPath());
            ins.setString(p++, f.run());
            ins.setLong(p++, f.size());
            ins.setLong(p++, f.mtime().toEpochMilli());
            ins.setString(p++, FileState.REGISTERED.name());
            ins.setLong(p++, now);
            ins.setLong(p++, now);
        }
        try (ResultSet rs = ins.executeQuery()) {
            while (rs.next()) {
                ids.put(rs.getString(2), rs.getLong(1));
            }
        }
        int added = ids.size();
        if (added == 0) {
            return 0;
        }
        PreparedStatement ev = st.events(added);
        p = 1;
        for (NewFile f : chunk) {
            Long id = ids.remove(f.lfn());
            if (id == null) {
                continue; // already known (or listed twice in this chunk: the first one is the registered one)
            }
            ev.setLong(p++, id);
            ev.setLong(p++, now);
            ev.setString(p++, catalog.owner());
            ev.setString(p++, "registered from " + f.disk() + ":" + f.localPath() + " (" + f.size() + " bytes)");
        }
        ev.executeUpdate();
        return added;
    }
}
