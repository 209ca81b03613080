package org.migdal.dm.catalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Recalls in the catalog: requested per file and destination (an open recall is not requested twice), claimed with
 * a lease like files, and recorded in the file's history.
 */
public final class RecallStore {
    private static final String COLUMNS = "r.id, r.file_id, f.lfn, r.destination, r.state, r.transfer_id, r.requested_at,"
            + " r.finished_at, r.attempts, r.last_error, r.claim_token, r.crashes, r.claim_owner";

    private final JdbcCatalog catalog;
    private final Clock clock;
    private final Duration lease;
    private final int maxAttempts;

    public RecallStore(JdbcCatalog catalog, Clock clock, Duration lease, int maxAttempts) {
        this.catalog = catalog;
        this.clock = clock;
        this.lease = lease;
        this.maxAttempts = maxAttempts;
    }

    /** Requests a recall of an ON_TAPE file to {@code destination}; returns false if one is already open. */
    public boolean request(CatalogFile file, String destination) {
        if (file.state() != FileState.ON_TAPE || file.compressedName() == null) {
            throw new CatalogException(file.lfn() + " is " + file.state() + ", not ON_TAPE: nothing to recall from tape");
        }
        return catalog.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM recalls WHERE file_id = ? AND destination = ?"
                    + " AND state IN ('REQUESTED','COPYING','STAGING')")) {
                ps.setLong(1, file.id());
                ps.setString(2, destination);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return false;
                    }
                }
            }
            long now = clock.millis();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO recalls (file_id, destination, state, requested_at, updated_at)"
                    + " VALUES (?,?,'REQUESTED',?,?)")) {
                ps.setLong(1, file.id());
                ps.setString(2, destination);
                ps.setLong(3, now);
                ps.setLong(4, now);
                ps.executeUpdate();
            }
            event(c, file.id(), "recall-request", true, "recall of " + file.compressedName() + " from tape to " + destination + " requested");
            return true;
        }, "requesting a recall of " + file.lfn());
    }

    /** Claims requested recalls (and those whose claim ran out) for the built-in copier or a submission. */
    public List<Recall> claim(int limit) {
        return claimWhere("(r.state = 'REQUESTED' AND r.next_attempt_at <= ?) OR (r.state = 'COPYING' AND r.claim_expires < ?)",
                "COPYING", limit);
    }

    /** Claims recalls handed to FTS (STAGING, no owner) that are due for a status check. */
    public List<Recall> claimInFlight(int limit) {
        return claimWhere("(r.state = 'STAGING' AND r.claim_owner IS NULL AND r.next_attempt_at <= ?) OR (r.state = 'STAGING'"
                + " AND r.claim_owner IS NOT NULL AND r.claim_expires < ?)", "STAGING", limit);
    }

    private List<Recall> claimWhere(String where, String newState, int limit) {
        return catalog.inTransaction(c -> {
            long now = clock.millis();
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT r.id FROM recalls r WHERE " + where + " ORDER BY r.id LIMIT ?")) {
                ps.setLong(1, now);
                ps.setLong(2, now);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            List<Recall> out = new ArrayList<>();
            try (PreparedStatement up = c.prepareStatement("UPDATE recalls SET state = ?, claim_owner = ?, claim_expires = ?,"
                    + " claim_token = ?, crashes = crashes + ?, updated_at = ? WHERE id = ? AND (claim_owner IS NULL OR claim_expires < ?)")) {
                for (long id : ids) {
                    Recall before = read(c, id);
                    String previousOwner = owner(c, id);
                    boolean takeover = previousOwner != null;
                    if (takeover && before.crashes() + 1 >= ClaimPolicy.DEFAULT_MAX_CRASHES) {
                        finishIn(c, before, Recall.State.FAILED, "the workers holding it died " + (before.crashes() + 1) + " times",
                                "recall", false, "recall FAILED: the workers holding it (last " + previousOwner + ") died "
                                        + (before.crashes() + 1) + " times; check their logs before requesting it again", false);
                        continue;
                    }
                    up.setString(1, newState);
                    up.setString(2, catalog.owner());
                    up.setLong(3, now + lease.toMillis());
                    up.setString(4, java.util.UUID.randomUUID().toString().substring(0, 13));
                    up.setInt(5, takeover ? 1 : 0);
                    up.setLong(6, now);
                    up.setLong(7, id);
                    up.setLong(8, now);
                    if (up.executeUpdate() == 1) {
                        if (takeover) {
                            event(c, before.fileId(), "claim-takeover", false, "the worker holding the recall to " + before.destination()
                                    + " (" + previousOwner + ") stopped without finishing (crash " + (before.crashes() + 1)
                                    + "); " + catalog.owner() + " takes it over");
                        }
                        out.add(read(c, id));
                    }
                }
            }
            return out;
        }, "claiming recalls");
    }

    /** The recall arrived and was verified. */
    public void done(Recall r, String message) {
        finish(r, Recall.State.DONE, null, "recall", true, message);
    }

    /** A failed attempt: back to REQUESTED with a delay, or FAILED after the attempts or when {@code permanent}. */
    public void fail(Recall r, String error, boolean permanent) {
        int attempts = r.attempts() + 1;
        if (permanent || attempts >= maxAttempts) {
            finish(r, Recall.State.FAILED, error, "recall", false, "recall FAILED: " + error);
            return;
        }
        catalog.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE recalls SET state = 'REQUESTED', attempts = ?, last_error = ?,"
                    + " next_attempt_at = ?, claim_owner = NULL, claim_expires = NULL, claim_token = NULL, transfer_id = NULL,"
                    + " updated_at = ? WHERE id = ? AND " + HELD)) {
                ps.setInt(1, attempts);
                ps.setString(2, error);
                ps.setLong(3, clock.millis() + Duration.ofMinutes(1).toMillis() * (1L << Math.min(attempts, 10)));
                ps.setLong(4, clock.millis());
                ps.setLong(5, r.id());
                held(ps, 6, r);
            }
            event(c, r.fileId(), "recall", false, "recall attempt failed, will retry: " + error);
            return null;
        }, "recording a failed recall of " + r.lfn());
    }

    /** Handed to FTS (or still in flight there): STAGING without an owner, checked again at {@code next}. */
    public void inFlight(Recall r, String transferId, Instant next, String message) {
        catalog.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE recalls SET state = 'STAGING', transfer_id = ?, next_attempt_at = ?,"
                    + " claim_owner = NULL, claim_expires = NULL, claim_token = NULL, updated_at = ? WHERE id = ? AND " + HELD)) {
                ps.setString(1, transferId);
                ps.setLong(2, next.toEpochMilli());
                ps.setLong(3, clock.millis());
                ps.setLong(4, r.id());
                held(ps, 5, r);
            }
            if (message != null) {
                event(c, r.fileId(), "recall", true, message);
            }
            return null;
        }, "recording a recall in flight");
    }

    private void finish(Recall r, Recall.State state, String error, String action, boolean ok, String message) {
        catalog.inTransaction(c -> {
            finishIn(c, r, state, error, action, ok, message, true);
            return null;
        }, "finishing a recall of " + r.lfn());
    }

    private void finishIn(Connection c, Recall r, Recall.State state, String error, String action, boolean ok, String message,
                          boolean fenced) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE recalls SET state = ?, last_error = ?, finished_at = ?,"
                + " claim_owner = NULL, claim_expires = NULL, claim_token = NULL, updated_at = ? WHERE id = ?"
                + (fenced ? " AND " + HELD : ""))) {
            ps.setString(1, state.name());
            ps.setString(2, error);
            ps.setLong(3, clock.millis());
            ps.setLong(4, clock.millis());
            ps.setLong(5, r.id());
            if (fenced) {
                held(ps, 6, r);
            } else if (ps.executeUpdate() != 1) {
                return;
            }
        }
        event(c, r.fileId(), action, ok, message);
    }

    /** Every change to a claimed recall holds only while this owner's very claim (token) does. */
    private static final String HELD = "claim_owner = ? AND claim_token = ?";

    /** Binds {@link #HELD} and runs the update; a recall whose claim is gone is left alone. */
    private void held(PreparedStatement ps, int i, Recall r) throws SQLException {
        ps.setString(i, catalog.owner());
        ps.setString(i + 1, r.claimToken());
        if (ps.executeUpdate() != 1) {
            throw new LostClaimException(r.lfn() + " (recall to " + r.destination() + ")", catalog.owner(),
                    FileState.ON_TAPE);
        }
    }

    private static String owner(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT claim_owner FROM recalls WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** Recalls of a file, newest first. */
    public List<Recall> of(long fileId) {
        return catalog.inTransaction(c -> {
            List<Recall> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM recalls r JOIN files f ON f.id = r.file_id"
                    + " WHERE r.file_id = ? ORDER BY r.id DESC")) {
                ps.setLong(1, fileId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(row(rs));
                    }
                }
            }
            return out;
        }, "listing recalls");
    }

    private static Recall read(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM recalls r JOIN files f ON f.id = r.file_id WHERE r.id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return row(rs);
            }
        }
    }

    private static Recall row(ResultSet rs) throws SQLException {
        long fin = rs.getLong(8);
        Instant finished = rs.wasNull() ? null : Instant.ofEpochMilli(fin);
        return new Recall(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), Recall.State.valueOf(rs.getString(5)),
                rs.getString(6), Instant.ofEpochMilli(rs.getLong(7)), finished, rs.getInt(9), rs.getString(10), rs.getString(11),
                rs.getInt(12));
    }

    private void event(Connection c, long fileId, String action, boolean ok, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO file_events (file_id, at, actor, action, ok, message) VALUES (?,?,?,?,?,?)")) {
            ps.setLong(1, fileId);
            ps.setLong(2, clock.millis());
            ps.setString(3, catalog.owner());
            ps.setString(4, action);
            ps.setInt(5, ok ? 1 : 0);
            ps.setString(6, message);
            ps.executeUpdate();
        }
    }
}
