package org.migdal.dm.notify;

import org.migdal.dm.catalog.JdbcCatalog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the notifications remember, in the catalog (migration 12), shared by every process that evaluates: which
 * conditions hold (announced once when first seen, once when cleared), what each channel still has to send (written
 * before it is sent: a crash between sending and recording sends it again, never drops it), and when each channel last
 * sent. A condition changes state only by a conditional INSERT or UPDATE whose row count says who changed it, so two
 * processes evaluating at once queue each change once; a channel sends only under its lease.
 */
public final class NotifyState {
    /** Sent events and cleared conditions older than this are removed. */
    static final Duration KEEP = Duration.ofDays(30);

    /** A condition as remembered: {@code clearedAt} null while it holds. */
    public record Held(String key, String text, Instant firstSeen, Instant lastSeen, Instant clearedAt) {
    }

    /** A channel's bookkeeping. */
    public record ChannelState(String channel, Instant lastSentAt, String lastError, Instant lastErrorAt) {
    }

    private final JdbcCatalog catalog;

    public NotifyState(JdbcCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Records what {@code ev} changes: a condition not holding before is announced, one no longer holding (and not
     * undecided) is cleared; each change is queued for every channel. Returns the queued events.
     */
    public List<Event> record(Evaluation ev, List<String> channels, Instant now) {
        return catalog.inTransaction(c -> {
            List<Event> queued = new ArrayList<>();
            Map<String, Held> known = holdingRows(c);
            for (Condition k : ev.holding()) {
                if (known.containsKey(k.key())) {
                    update(c, "UPDATE notify_conditions SET last_seen = ? WHERE key = ? AND cleared_at IS NULL", now.toEpochMilli(), k.key());
                    continue;
                }
                int n = update(c, "INSERT INTO notify_conditions (key, text, first_seen, last_seen) VALUES (?,?,?,?)"
                        + " ON CONFLICT (key) DO NOTHING", k.key(), k.text(), now.toEpochMilli(), now.toEpochMilli());
                if (n == 0) {
                    n = update(c, "UPDATE notify_conditions SET text = ?, first_seen = ?, last_seen = ?, cleared_at = NULL"
                            + " WHERE key = ? AND cleared_at IS NOT NULL", k.text(), now.toEpochMilli(), now.toEpochMilli(), k.key());
                }
                if (n == 1) {
                    queued.addAll(enqueue(c, channels, k.key(), Event.Kind.RAISED, k.text(), now));
                }
            }
            for (Held h : known.values()) {
                if (!ev.decides(h.key()) || ev.holds(h.key())) {
                    continue;
                }
                if (update(c, "UPDATE notify_conditions SET cleared_at = ? WHERE key = ? AND cleared_at IS NULL",
                        now.toEpochMilli(), h.key()) == 1) {
                    queued.addAll(enqueue(c, channels, h.key(), Event.Kind.CLEARED, cleared(h, now), now));
                }
            }
            long old = now.minus(KEEP).toEpochMilli();
            update(c, "DELETE FROM notify_outbox WHERE sent_at IS NOT NULL AND sent_at < ?", old);
            update(c, "DELETE FROM notify_conditions WHERE cleared_at IS NOT NULL AND cleared_at < ?", old);
            return queued;
        }, "recording notification conditions");
    }

    /** What {@link #record} would queue now (for one unnamed channel), changing nothing. */
    public List<Event> preview(Evaluation ev, Instant now) {
        List<Event> out = new ArrayList<>();
        Map<String, Held> known = holding();
        for (Condition k : ev.holding()) {
            if (!known.containsKey(k.key())) {
                out.add(new Event(0, null, k.key(), Event.Kind.RAISED, k.text(), now));
            }
        }
        for (Held h : known.values()) {
            if (ev.decides(h.key()) && !ev.holds(h.key())) {
                out.add(new Event(0, null, h.key(), Event.Kind.CLEARED, cleared(h, now), now));
            }
        }
        return out;
    }

    private static String cleared(Held h, Instant now) {
        return "cleared after " + Conditions.duration(Duration.between(h.firstSeen(), now)) + " (announced "
                + Conditions.time(h.firstSeen()) + "); it was: " + h.text();
    }

    /** The conditions that hold, by key. */
    public Map<String, Held> holding() {
        return catalog.inTransaction(NotifyState::holdingRows, "reading notification conditions");
    }

    /** Events queued for {@code channel} and not yet sent, oldest first. */
    public List<Event> pending(String channel) {
        return catalog.inTransaction(c -> {
            List<Event> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, channel, key, kind, text, at FROM notify_outbox"
                    + " WHERE channel = ? AND sent_at IS NULL ORDER BY id")) {
                ps.setString(1, channel);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Event(rs.getLong(1), rs.getString(2), rs.getString(3), Event.Kind.valueOf(rs.getString(4)),
                                rs.getString(5), Instant.ofEpochMilli(rs.getLong(6))));
                    }
                }
            }
            return out;
        }, "reading the notifications pending for " + channel);
    }

    public Optional<ChannelState> channel(String channel) {
        return catalog.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT last_sent_at, last_error, last_error_at FROM notify_channels"
                    + " WHERE channel = ?")) {
                ps.setString(1, channel);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<ChannelState>empty();
                    }
                    return Optional.of(new ChannelState(channel, instant(rs, 1), rs.getString(2), instant(rs, 3)));
                }
            }
        }, "reading notification channel " + channel);
    }

    /**
     * Takes {@code channel}'s lease for a send when its last message is at least {@code minInterval} old and no other
     * process holds the lease; false otherwise (the rate limit, or another sender).
     */
    public boolean lease(String channel, String owner, Instant now, Duration minInterval, Duration lease) {
        return catalog.inTransaction(c -> {
            update(c, "INSERT INTO notify_channels (channel) VALUES (?) ON CONFLICT (channel) DO NOTHING", channel);
            return update(c, "UPDATE notify_channels SET lease_until = ?, lease_owner = ? WHERE channel = ?"
                            + " AND (lease_until IS NULL OR lease_until < ?) AND (last_sent_at IS NULL OR last_sent_at <= ?)",
                    now.plus(lease).toEpochMilli(), owner, channel, now.toEpochMilli(), now.minus(minInterval).toEpochMilli()) == 1;
        }, "taking the lease of notification channel " + channel);
    }

    /** Records that the events {@code ids} went out on {@code channel} at {@code now}, and lets the lease go. */
    public void sent(String channel, String owner, List<Long> ids, Instant now) {
        catalog.inTransaction(c -> {
            for (Long id : ids) {
                update(c, "UPDATE notify_outbox SET sent_at = ? WHERE id = ? AND channel = ?", now.toEpochMilli(), id, channel);
            }
            update(c, "UPDATE notify_channels SET last_sent_at = ?, lease_until = NULL, lease_owner = NULL, last_error = NULL,"
                    + " last_error_at = NULL WHERE channel = ? AND lease_owner = ?", now.toEpochMilli(), channel, owner);
            return null;
        }, "recording a notification sent on " + channel);
    }

    /** Records that a send on {@code channel} failed (retried next time), and lets the lease go. */
    public void failed(String channel, String owner, String error, Instant now) {
        catalog.inTransaction(c -> update(c, "UPDATE notify_channels SET lease_until = NULL, lease_owner = NULL, last_error = ?,"
                + " last_error_at = ? WHERE channel = ? AND lease_owner = ?", error, now.toEpochMilli(), channel, owner),
                "recording a failed notification on " + channel);
    }

    /** Lets the lease go without sending (nothing was pending). */
    public void release(String channel, String owner) {
        catalog.inTransaction(c -> update(c, "UPDATE notify_channels SET lease_until = NULL, lease_owner = NULL"
                + " WHERE channel = ? AND lease_owner = ?", channel, owner), "releasing notification channel " + channel);
    }

    private List<Event> enqueue(Connection c, List<String> channels, String key, Event.Kind kind, String text, Instant now)
            throws SQLException {
        List<Event> out = new ArrayList<>();
        for (String ch : channels) {
            update(c, "INSERT INTO notify_outbox (channel, key, kind, text, at) VALUES (?,?,?,?,?)", ch, key, kind.name(), text,
                    now.toEpochMilli());
            out.add(new Event(0, ch, key, kind, text, now));
        }
        return out;
    }

    private static Map<String, Held> holdingRows(Connection c) throws SQLException {
        Map<String, Held> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT key, text, first_seen, last_seen, cleared_at FROM notify_conditions"
                + " WHERE cleared_at IS NULL ORDER BY key"); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), new Held(rs.getString(1), rs.getString(2), instant(rs, 3), instant(rs, 4), instant(rs, 5)));
            }
        }
        return out;
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else {
                    ps.setString(i + 1, (String) args[i]);
                }
            }
            return ps.executeUpdate();
        }
    }
}
