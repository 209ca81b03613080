package org.migdal.dm.catalog;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Fills SQLite's trigram index of LFNs (migration 14) with the files registered since it was last filled, in batches of
 * id order, and records up to which id it is filled; searches read the newer ids from the files themselves meanwhile
 * ({@link FileQuery}). Kept off the registration path (a trigger cost registration a third of its speed); the daemon
 * calls it after each cycle and the dashboard while it runs. Nothing to do on PostgreSQL, whose index is kept by itself.
 */
public final class LfnIndex {
    private final JdbcCatalog catalog;

    public LfnIndex(JdbcCatalog catalog) {
        this.catalog = catalog;
    }

    /** Indexes up to {@code max} files beyond the indexed ones; returns how many (0 when none wait, or on PostgreSQL). */
    public int catchUp(int max) {
        if (catalog.dialect() != JdbcCatalog.Dialect.SQLITE) {
            return 0;
        }
        long to = catalog.reading(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT (SELECT MAX(id) FROM files) > (SELECT indexed_to FROM files_lfn_trigram_to)");
                 ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) == 1 ? 1L : 0L;
            }
        }, "checking the LFN index");
        if (to == 0) {
            return 0;
        }
        return catalog.inTransaction(c -> {
            long from;
            try (PreparedStatement ps = c.prepareStatement("SELECT indexed_to FROM files_lfn_trigram_to"); ResultSet rs = ps.executeQuery()) {
                from = rs.next() ? rs.getLong(1) : 0;
            }
            long upTo;
            int n;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MAX(id) FROM (SELECT id FROM files WHERE id > ? ORDER BY id LIMIT ?)")) {
                ps.setLong(1, from);
                ps.setInt(2, max);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n = rs.getInt(1);
                    upTo = rs.getLong(2);
                }
            }
            if (n == 0) {
                return 0;
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO files_lfn_trigram (rowid, lfn) SELECT id, lfn FROM files"
                    + " WHERE id > ? AND id <= ?");
                 PreparedStatement mark = c.prepareStatement("UPDATE files_lfn_trigram_to SET indexed_to = ?")) {
                ins.setLong(1, from);
                ins.setLong(2, upTo);
                ins.executeUpdate();
                mark.setLong(1, upTo);
                mark.executeUpdate();
            }
            return n;
        }, "filling the LFN index");
    }
}
