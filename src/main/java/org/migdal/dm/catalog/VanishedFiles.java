package org.migdal.dm.catalog;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * DAQ files that vanished before they were shipped: MISSING (with the reason), back to REGISTERED when a scan lists
 * them again, FORGOTTEN when an operator gives them up. Every move is checked by {@link FileState}; the row and its
 * history are always kept. Used through {@link Catalog#markMissing}, {@link Catalog#reappeared} and {@link Catalog#forget}.
 */
final class VanishedFiles {
    private static final int KEYS = 500;
    private final JdbcCatalog catalog;
    private final Clock clock;

    VanishedFiles(JdbcCatalog catalog, Clock clock) {
        this.catalog = catalog;
        this.clock = clock;
    }

    CatalogFile markMissing(CatalogFile claimed, String reason) {
        claimed.state().checkMoveTo(FileState.MISSING, claimed.lfn());
        return catalog.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, last_error = ?, attempts = 0,"
                    + " next_attempt_at = 0, claim_owner = NULL, claim_expires = NULL, updated_at = ?"
                    + " WHERE id = ? AND state = ? AND claim_owner = ?")) {
                ps.setString(1, FileState.MISSING.name());
                ps.setString(2, reason);
                ps.setLong(3, clock.millis());
                ps.setLong(4, claimed.id());
                ps.setString(5, claimed.state().name());
                ps.setString(6, catalog.owner());
                if (ps.executeUpdate() != 1) {
                    throw new LostClaimException(claimed.lfn(), catalog.owner(), claimed.state());
                }
            }
            catalog.event(c, claimed.id(), "missing", false, "MISSING: " + reason);
            return JdbcCatalog.readRow(c, claimed.id()).orElseThrow();
        }, "marking " + claimed.lfn() + " MISSING");
    }

    /**
     * Keyed on the listed files (a scan hands them over in bounded batches): one index-only look at whether the disk has
     * any vanished file at all, then only the listed LFNs among them, {@value #KEYS} per query.
     */
    int reappeared(String disk, List<NewFile> listed) {
        if (listed.isEmpty() || !catalog.reading(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM files WHERE disk = ? AND state IN "
                    + JdbcCatalog.GONE_FROM_DAQ_STATES + " LIMIT 1")) {
                ps.setString(1, disk);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        }, "looking for vanished files of " + disk)) {
            return 0;
        }
        List<CatalogFile> gone = new ArrayList<>();
        for (int from = 0; from < listed.size(); from += KEYS) {
            List<NewFile> keys = listed.subList(from, Math.min(listed.size(), from + KEYS));
            gone.addAll(catalog.reading(c -> {
                List<CatalogFile> out = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT " + JdbcCatalog.COLUMNS + " FROM files WHERE disk = ? AND state IN "
                        + JdbcCatalog.GONE_FROM_DAQ_STATES + " AND lfn IN (" + "?,".repeat(keys.size() - 1) + "?)")) {
                    ps.setString(1, disk);
                    for (int i = 0; i < keys.size(); i++) {
                        ps.setString(i + 2, keys.get(i).lfn());
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(JdbcCatalog.row(rs));
                        }
                    }
                }
                return out;
            }, "listing vanished files of " + disk));
        }
        if (gone.isEmpty()) {
            return 0;
        }
        Map<String, NewFile> byLfn = new HashMap<>();
        for (NewFile f : listed) {
            byLfn.put(f.lfn(), f);
        }
        int n = 0;
        for (CatalogFile f : gone) {
            NewFile back = byLfn.get(f.lfn());
            if (back == null) {
                continue;
            }
            f.state().checkMoveTo(FileState.REGISTERED, f.lfn());
            n += catalog.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, local_path = ?, size = ?, mtime = ?,"
                        + " attempts = 0, next_attempt_at = 0, last_error = NULL, updated_at = ? WHERE id = ? AND state = ?")) {
                    ps.setString(1, FileState.REGISTERED.name());
                    ps.setString(2, back.localPath());
                    ps.setLong(3, back.size());
                    ps.setLong(4, back.mtime().toEpochMilli());
                    ps.setLong(5, clock.millis());
                    ps.setLong(6, f.id());
                    ps.setString(7, f.state().name());
                    if (ps.executeUpdate() != 1) {
                        return 0;
                    }
                }
                catalog.event(c, f.id(), "reappeared", true, f.state() + " → REGISTERED: " + disk + ":" + back.localPath()
                        + " is on the disk again (" + back.size() + " bytes); it will be shipped");
                return 1;
            }, "registering " + f.lfn() + " again");
        }
        return n;
    }

    ForgetResult forget(Collection<String> lfns) {
        List<String> forgotten = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (String lfn : lfns) {
            String refusal = catalog.inTransaction(c -> {
                Optional<CatalogFile> f = JdbcCatalog.readRow(c, lfn);
                if (f.isEmpty()) {
                    return lfn + ": no such file in the catalog";
                }
                if (f.get().state() != FileState.MISSING) {
                    return lfn + ": is " + f.get().state() + ", not MISSING; only a file that vanished from its DAQ disk can be"
                            + " forgotten" + (f.get().state() == FileState.FORGOTTEN ? " (it already is)" : "");
                }
                FileState.MISSING.checkMoveTo(FileState.FORGOTTEN, lfn);
                try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, updated_at = ?"
                        + " WHERE id = ? AND state = ? AND claim_owner IS NULL")) {
                    ps.setString(1, FileState.FORGOTTEN.name());
                    ps.setLong(2, clock.millis());
                    ps.setLong(3, f.get().id());
                    ps.setString(4, FileState.MISSING.name());
                    if (ps.executeUpdate() != 1) {
                        return lfn + ": changed while it was being forgotten; look at it again (`migdal-dm show " + lfn + "`)";
                    }
                }
                catalog.event(c, f.get().id(), "forget", true, "operator forget: MISSING → FORGOTTEN; the DAQ file will not come back"
                        + (f.get().lastError() != null ? " (" + f.get().lastError() + ")" : ""));
                return null;
            }, "forgetting " + lfn);
            if (refusal == null) {
                forgotten.add(lfn);
            } else {
                refused.add(refusal);
            }
        }
        return new ForgetResult(forgotten, refused);
    }
}
