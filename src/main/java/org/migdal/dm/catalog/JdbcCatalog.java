package org.migdal.dm.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The catalog on SQLite (embedded default: WAL, busy timeout, immediate write transactions) or
 * PostgreSQL (claims with {@code FOR UPDATE SKIP LOCKED}). Schema changes are Flyway migrations under
 * {@code db/migration/<dialect>}.
 */
public final class JdbcCatalog implements Catalog {

    private static final Logger log = LoggerFactory.getLogger(JdbcCatalog.class);
    private static final int BATCH = 1000;
    private static final String COLUMNS = "id, lfn, disk, local_path, run, size, mtime, adler32, state, compressed_name,"
            + " compressed_size, compressed_adler32, tape_transfer_id, registered_at, shipped_at, local_deleted_at,"
            + " compressed_at, tape_submitted_at, on_tape_at, raw_deleted_at, attempts, last_error, next_attempt_at,"
            + " quarantined_from, claim_owner, claim_expires, updated_at, tape_evidence";

    enum Dialect { SQLITE, POSTGRESQL }

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final ClaimPolicy policy;
    private final Clock clock;
    private final String description;

    private JdbcCatalog(HikariDataSource dataSource, Dialect dialect, ClaimPolicy policy, Clock clock, String description) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.policy = policy;
        this.clock = clock;
        this.description = description;
    }

    /**
     * Opens (and migrates) the catalog named by {@code url}: {@code sqlite:PATH}, {@code jdbc:sqlite:PATH}
     * or {@code jdbc:postgresql://…}.
     */
    public static JdbcCatalog open(String url, String user, String password, ClaimPolicy policy, Clock clock, int poolSize) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("catalog");
        hc.setMaximumPoolSize(Math.max(2, poolSize));
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(60_000);
        Dialect dialect;
        String description;
        if (url.startsWith("sqlite:") || url.startsWith("jdbc:sqlite:")) {
            String file = url.substring(url.indexOf("sqlite:") + "sqlite:".length());
            Path path = Path.of(file).toAbsolutePath();
            try {
                if (path.getParent() != null) {
                    Files.createDirectories(path.getParent());
                }
            } catch (java.io.IOException e) {
                throw new CatalogException("cannot create the folder of catalog " + path, e);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(60_000);
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            config.enforceForeignKeys(true);
            SQLiteDataSource ds = new SQLiteDataSource(config);
            ds.setUrl("jdbc:sqlite:" + path);
            hc.setDataSource(ds);
            dialect = Dialect.SQLITE;
            description = "sqlite:" + path;
        } else if (url.startsWith("jdbc:postgresql:")) {
            hc.setJdbcUrl(url);
            if (user != null) {
                hc.setUsername(user);
            }
            if (password != null) {
                hc.setPassword(password);
            }
            dialect = Dialect.POSTGRESQL;
            description = url.replaceAll("password=[^&]*", "password=<masked>");
        } else {
            throw new CatalogException("catalog.url '" + url + "' is neither sqlite:PATH nor jdbc:postgresql://HOST/DB");
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new CatalogException("cannot open catalog " + description, e);
        }
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration/" + dialect.name().toLowerCase(java.util.Locale.ROOT))
                    .loggers("slf4j")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new CatalogException("cannot migrate catalog " + description + " (is it a migdal-dm catalog?)", e);
        }
        return new JdbcCatalog(ds, dialect, policy, clock, description);
    }

    @Override
    public String owner() {
        return policy.owner();
    }

    @Override
    public String toString() {
        return description;
    }

    private long now() {
        return clock.millis();
    }

    // ---------------------------------------------------------------- registration

    @Override
    public RegisterResult register(List<NewFile> files) {
        int added = 0;
        for (int from = 0; from < files.size(); from += BATCH) {
            List<NewFile> batch = files.subList(from, Math.min(files.size(), from + BATCH));
            added += inTransaction(c -> registerBatch(c, batch), "registering " + batch.size() + " files");
        }
        return new RegisterResult(added, files.size() - added);
    }

    private int registerBatch(Connection c, List<NewFile> batch) throws SQLException {
        long now = now();
        int added = 0;
        List<NewFile> inserted = new ArrayList<>();
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO files (lfn, disk, local_path, run, size, mtime, state,"
                + " registered_at, updated_at, next_attempt_at) VALUES (?,?,?,?,?,?,?,?,?,0) ON CONFLICT (lfn) DO NOTHING")) {
            for (NewFile f : batch) {
                ins.setString(1, f.lfn());
                ins.setString(2, f.disk());
                ins.setString(3, f.localPath());
                ins.setString(4, f.run());
                ins.setLong(5, f.size());
                ins.setLong(6, f.mtime().toEpochMilli());
                ins.setString(7, FileState.REGISTERED.name());
                ins.setLong(8, now);
                ins.setLong(9, now);
                ins.addBatch();
            }
            int[] counts = ins.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0 || counts[i] == java.sql.Statement.SUCCESS_NO_INFO) {
                    added++;
                    inserted.add(batch.get(i));
                }
            }
        }
        try (PreparedStatement ev = c.prepareStatement("INSERT INTO file_events (file_id, at, actor, action, ok, message)"
                + " SELECT id, ?, ?, 'register', ?, ? FROM files WHERE lfn = ?")) {
            for (NewFile f : inserted) {
                ev.setLong(1, now);
                ev.setString(2, owner());
                ev.setInt(3, 1); // ok is an integer column (PostgreSQL has no boolean → bigint assignment cast)
                ev.setString(4, "registered from " + f.disk() + ":" + f.localPath() + " (" + f.size() + " bytes)");
                ev.setString(5, f.lfn());
                ev.addBatch();
            }
            ev.executeBatch();
        }
        return added;
    }

    // ---------------------------------------------------------------- claims

    @Override
    public List<CatalogFile> claim(Stage stage, int limit, Collection<String> disks) {
        if (limit <= 0 || (disks != null && disks.isEmpty())) {
            return List.of();
        }
        String diskClause = disks == null ? "" : " AND disk IN (" + String.join(",", java.util.Collections.nCopies(disks.size(), "?")) + ")";
        return inTransaction(c -> {
            long now = now();
            String sql = "SELECT " + COLUMNS + " FROM files WHERE ((state = ? AND next_attempt_at <= ? AND claim_owner IS NULL)"
                    + " OR (state = ? AND claim_owner IS NOT NULL AND claim_expires < ?))" + diskClause
                    + " ORDER BY next_attempt_at, id LIMIT ?"
                    + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : "");
            List<CatalogFile> candidates = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, stage.from().name());
                ps.setLong(2, now);
                ps.setString(3, stage.working().name());
                ps.setLong(4, now);
                int i = 5;
                if (disks != null) {
                    for (String d : disks) {
                        ps.setString(i++, d);
                    }
                }
                ps.setInt(i, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        candidates.add(row(rs));
                    }
                }
            }
            List<CatalogFile> claimed = new ArrayList<>();
            long expires = now + policy.lease().toMillis();
            try (PreparedStatement up = c.prepareStatement("UPDATE files SET state = ?, claim_owner = ?, claim_expires = ?,"
                    + " attempts = attempts + ?, updated_at = ? WHERE id = ? AND state = ? AND "
                    + " (claim_owner IS NULL OR claim_expires < ?)")) {
                for (CatalogFile f : candidates) {
                    boolean takeover = f.state() == stage.working();
                    if (takeover && f.attempts() + 1 >= policy.maxAttempts()) {
                        quarantineAbandoned(c, f, now);
                        continue;
                    }
                    up.setString(1, stage.working().name());
                    up.setString(2, owner());
                    up.setLong(3, expires);
                    up.setInt(4, takeover ? 1 : 0);
                    up.setLong(5, now);
                    up.setLong(6, f.id());
                    up.setString(7, f.state().name());
                    up.setLong(8, now);
                    if (up.executeUpdate() == 1) {
                        if (takeover) {
                            event(c, f.id(), "claim-takeover", false, "claim of " + f.claimOwner() + " expired at "
                                    + f.claimExpires() + "; " + owner() + " takes the file over and resumes it");
                        }
                        claimed.add(readRow(c, f.id()).orElseThrow());
                    }
                }
            }
            return claimed;
        }, "claiming " + stage + " work");
    }

    @Override
    public List<CatalogFile> claimInFlight(int limit) {
        if (limit <= 0) {
            return List.of();
        }
        return inTransaction(c -> {
            long now = now();
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM files WHERE state = 'TAPE_SUBMITTED' AND claim_owner IS NULL"
                    + " AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?" + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED" : ""))) {
                ps.setLong(1, now);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
            }
            List<CatalogFile> claimed = new ArrayList<>();
            try (PreparedStatement up = c.prepareStatement("UPDATE files SET claim_owner = ?, claim_expires = ?, updated_at = ?"
                    + " WHERE id = ? AND state = 'TAPE_SUBMITTED' AND claim_owner IS NULL")) {
                for (long id : ids) {
                    up.setString(1, owner());
                    up.setLong(2, now + policy.lease().toMillis());
                    up.setLong(3, now);
                    up.setLong(4, id);
                    if (up.executeUpdate() == 1) {
                        claimed.add(readRow(c, id).orElseThrow());
                    }
                }
            }
            return claimed;
        }, "claiming tape transfers in flight");
    }

    @Override
    public CatalogFile release(CatalogFile claimed, Changes changes, Instant next, String action, String message) {
        return inTransaction(c -> {
            StringBuilder sql = new StringBuilder("UPDATE files SET updated_at = ?, next_attempt_at = ?, claim_owner = NULL,"
                    + " claim_expires = NULL");
            for (Map.Entry<Changes.Column, Object> e : changes.values().entrySet()) {
                sql.append(", ").append(e.getKey().sql).append(" = ?");
            }
            if (claimed.state() == FileState.TAPE_SUBMITTED && claimed.tapeSubmittedAt() == null) {
                sql.append(", tape_submitted_at = ").append(now());
            }
            sql.append(" WHERE id = ? AND state = ? AND claim_owner = ?");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setLong(i++, now());
                ps.setLong(i++, next.toEpochMilli());
                for (Object v : changes.values().values()) {
                    setObject(ps, i++, v);
                }
                ps.setLong(i++, claimed.id());
                ps.setString(i++, claimed.state().name());
                ps.setString(i, owner());
                if (ps.executeUpdate() != 1) {
                    throw new LostClaimException(claimed.lfn(), owner(), claimed.state());
                }
            }
            if (message != null) {
                event(c, claimed.id(), action, true, message);
            }
            return readRow(c, claimed.id()).orElseThrow();
        }, "releasing " + claimed.lfn());
    }

    /** A file whose workers keep dying (killed, out of memory) is stopped for an operator instead of retried forever. */
    private void quarantineAbandoned(Connection c, CatalogFile f, long now) throws SQLException {
        String reason = "the process working on it (" + f.claimOwner() + ") stopped without finishing, "
                + (f.attempts() + 1) + " attempts in all; check the logs of the processes that handled it";
        try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, attempts = ?, last_error = ?,"
                + " quarantined_from = ?, claim_owner = NULL, claim_expires = NULL, next_attempt_at = 0, updated_at = ?"
                + " WHERE id = ? AND state = ? AND claim_owner IS NOT NULL AND claim_expires < ?")) {
            ps.setString(1, FileState.QUARANTINED.name());
            ps.setInt(2, f.attempts() + 1);
            ps.setString(3, reason);
            ps.setString(4, f.state().name());
            ps.setLong(5, now);
            ps.setLong(6, f.id());
            ps.setString(7, f.state().name());
            ps.setLong(8, now);
            if (ps.executeUpdate() == 1) {
                event(c, f.id(), "claim-takeover", false, "QUARANTINED: " + reason);
            }
        }
    }

    @Override
    public CatalogFile advance(CatalogFile claimed, FileState to, Changes changes, String action, String message) {
        claimed.state().checkMoveTo(to, claimed.lfn());
        return inTransaction(c -> {
            long now = now();
            StringBuilder sql = new StringBuilder("UPDATE files SET state = ?, updated_at = ?, last_error = NULL");
            for (Map.Entry<Changes.Column, Object> e : changes.values().entrySet()) {
                sql.append(", ").append(e.getKey().sql).append(" = ?");
            }
            String stamp = stampColumn(to);
            if (stamp != null) {
                sql.append(", ").append(stamp).append(" = ?");
            }
            sql.append(", claim_owner = NULL, claim_expires = NULL");
            if (!to.isWorking()) {
                sql.append(", attempts = 0, next_attempt_at = 0");
            }
            sql.append(" WHERE id = ? AND state = ? AND claim_owner = ?");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setString(i++, to.name());
                ps.setLong(i++, now);
                for (Object v : changes.values().values()) {
                    setObject(ps, i++, v);
                }
                if (stamp != null) {
                    ps.setLong(i++, now);
                }
                ps.setLong(i++, claimed.id());
                ps.setString(i++, claimed.state().name());
                ps.setString(i, owner());
                if (ps.executeUpdate() != 1) {
                    throw new LostClaimException(claimed.lfn(), owner(), claimed.state());
                }
            }
            event(c, claimed.id(), action, true, message);
            return readRow(c, claimed.id()).orElseThrow();
        }, "moving " + claimed.lfn() + " to " + to);
    }

    private static String stampColumn(FileState to) {
        return switch (to) {
            case ON_DISK_STORAGE -> "shipped_at";
            case COMPRESSED -> "compressed_at";
            case TAPE_SUBMITTED -> "tape_submitted_at";
            case ON_TAPE -> "on_tape_at";
            default -> null;
        };
    }

    @Override
    public CatalogFile fail(CatalogFile claimed, String action, String error, boolean permanent) {
        return inTransaction(c -> {
            long now = now();
            int attempts = claimed.attempts() + 1;
            boolean quarantine = permanent || attempts >= policy.maxAttempts();
            FileState to = quarantine ? FileState.QUARANTINED : claimed.state().restingState();
            if (to != claimed.state()) {
                claimed.state().checkMoveTo(to, claimed.lfn());
            }
            long backoff = policy.retryBackoff().toMillis() << Math.min(attempts - 1, 16);
            long jitter = backoff > 0 ? ThreadLocalRandom.current().nextLong(backoff / 4 + 1) : 0;
            String reason = quarantine
                    ? (permanent ? error : error + " (gave up after " + attempts + " attempts)")
                    : error;
            // a tape transfer that failed starts afresh: its in-flight time counts from the next submission
            String resetTape = claimed.state() == FileState.TAPE_SUBMITTED && !quarantine ? ", tape_submitted_at = NULL" : "";
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, attempts = ?, last_error = ?,"
                    + " next_attempt_at = ?, quarantined_from = ?, claim_owner = NULL, claim_expires = NULL, updated_at = ?"
                    + resetTape + " WHERE id = ? AND state = ? AND claim_owner = ?")) {
                ps.setString(1, to.name());
                ps.setInt(2, attempts);
                ps.setString(3, reason);
                ps.setLong(4, quarantine ? 0 : now + backoff + jitter);
                ps.setString(5, quarantine ? claimed.state().name() : null);
                ps.setLong(6, now);
                ps.setLong(7, claimed.id());
                ps.setString(8, claimed.state().name());
                ps.setString(9, owner());
                if (ps.executeUpdate() != 1) {
                    throw new LostClaimException(claimed.lfn(), owner(), claimed.state());
                }
            }
            event(c, claimed.id(), action, false, (quarantine ? "QUARANTINED: " : "will retry: ") + reason);
            return readRow(c, claimed.id()).orElseThrow();
        }, "recording a failure of " + claimed.lfn());
    }

    @Override
    public void updateSourceAttributes(CatalogFile file, long size, Instant mtime, String message) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET size = ?, mtime = ?, updated_at = ? WHERE id = ?")) {
                ps.setLong(1, size);
                ps.setLong(2, mtime.toEpochMilli());
                ps.setLong(3, now());
                ps.setLong(4, file.id());
                ps.executeUpdate();
            }
            event(c, file.id(), "source-changed", false, message);
            return null;
        }, "updating the size of " + file.lfn());
    }

    @Override
    public int renewClaims() {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET claim_expires = ? WHERE claim_owner = ?")) {
                ps.setLong(1, now() + policy.lease().toMillis());
                ps.setString(2, owner());
                return ps.executeUpdate();
            }
        }, "renewing claims of " + owner());
    }

    @Override
    public int releaseClaimsOfDeadProcesses() {
        String host = ClaimPolicy.hostName() + ":";
        List<String> owners = query("SELECT DISTINCT claim_owner FROM files WHERE claim_owner IS NOT NULL", ps -> { },
                rs -> rs.getString(1));
        int released = 0;
        for (String other : owners) {
            if (!other.startsWith(host) || other.equals(owner()) || isAlive(other.substring(host.length()))) {
                continue;
            }
            released += inTransaction(c -> {
                List<Long> ids = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM files WHERE claim_owner = ?")) {
                    ps.setString(1, other);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.add(rs.getLong(1));
                        }
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE files SET claim_expires = 0 WHERE claim_owner = ?")) {
                    ps.setString(1, other);
                    ps.executeUpdate();
                }
                for (long id : ids) {
                    event(c, id, "claim-expired", false, "process " + other + " is no longer running; its claim is released");
                }
                return ids.size();
            }, "releasing claims of " + other);
        }
        return released;
    }

    /** {@code pid:startMillis} names a running process? A reused pid has another start time. */
    private static boolean isAlive(String pidAndStart) {
        String[] parts = pidAndStart.split(":");
        try {
            long pid = Long.parseLong(parts[0]);
            long start = parts.length > 1 ? Long.parseLong(parts[1]) : 0;
            return ProcessHandle.of(pid)
                    .filter(ProcessHandle::isAlive)
                    .map(p -> start == 0 || p.info().startInstant().map(Instant::toEpochMilli).orElse(start) == start)
                    .orElse(false);
        } catch (NumberFormatException e) {
            return true; // not ours to judge
        }
    }

    // ---------------------------------------------------------------- side records

    @Override
    public void markLocalDeleted(CatalogFile file, String message) {
        stampAndEvent(file, "local_deleted_at", "delete-local", message);
    }

    @Override
    public void markRawDeleted(CatalogFile file, String message) {
        stampAndEvent(file, "raw_deleted_at", "delete-raw", message);
    }

    private void stampAndEvent(CatalogFile file, String column, String action, String message) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET " + column + " = ?, updated_at = ?, last_error = NULL"
                    + " WHERE id = ?")) {
                ps.setLong(1, now());
                ps.setLong(2, now());
                ps.setLong(3, file.id());
                ps.executeUpdate();
            }
            event(c, file.id(), action, true, message);
            return null;
        }, action + " of " + file.lfn());
    }

    @Override
    public void recordEvent(long fileId, String action, boolean ok, String message) {
        inTransaction(c -> {
            event(c, fileId, action, ok, message);
            return null;
        }, "recording " + action);
    }

    @Override
    public void recordError(long fileId, String action, String message) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET last_error = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, message);
                ps.setLong(2, now());
                ps.setLong(3, fileId);
                ps.executeUpdate();
            }
            event(c, fileId, action, false, message);
            return null;
        }, "recording an error of " + action);
    }

    private void event(Connection c, long fileId, String action, boolean ok, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO file_events (file_id, at, actor, action, ok, message) VALUES (?,?,?,?,?,?)")) {
            ps.setLong(1, fileId);
            ps.setLong(2, now());
            ps.setString(3, owner());
            ps.setString(4, action);
            ps.setInt(5, ok ? 1 : 0); // integer column on both dialects
            ps.setString(6, message);
            ps.executeUpdate();
        }
    }

    // ---------------------------------------------------------------- queries

    @Override
    public Optional<CatalogFile> find(String lfn) {
        return query("SELECT " + COLUMNS + " FROM files WHERE lfn = ?", ps -> ps.setString(1, lfn), JdbcCatalog::row)
                .stream().findFirst();
    }

    @Override
    public Optional<CatalogFile> get(long id) {
        return query("SELECT " + COLUMNS + " FROM files WHERE id = ?", ps -> ps.setLong(1, id), JdbcCatalog::row)
                .stream().findFirst();
    }

    @Override
    public List<CatalogFile> list(FileFilter f) {
        Where w = where(f);
        return query("SELECT " + COLUMNS + " FROM files" + w.sql + " ORDER BY id LIMIT ? OFFSET ?", ps -> {
            int i = w.bind(ps);
            ps.setInt(i++, f.limit());
            ps.setInt(i, f.offset());
        }, JdbcCatalog::row);
    }

    @Override
    public long count(FileFilter f) {
        Where w = where(f);
        return query("SELECT COUNT(*) FROM files" + w.sql, w::bind, rs -> rs.getLong(1)).get(0);
    }

    private record Where(String sql, List<String> args) {
        int bind(PreparedStatement ps) throws SQLException {
            int i = 1;
            for (String a : args) {
                ps.setString(i++, a);
            }
            return i;
        }
    }

    private static Where where(FileFilter f) {
        List<String> clauses = new ArrayList<>();
        List<String> args = new ArrayList<>();
        if (f.state() != null) {
            clauses.add("state = ?");
            args.add(f.state().name());
        }
        if (f.disk() != null) {
            clauses.add("disk = ?");
            args.add(f.disk());
        }
        if (f.run() != null) {
            clauses.add("run = ?");
            args.add(f.run());
        }
        if (f.lfnLike() != null) {
            clauses.add("lfn LIKE ? ESCAPE '\\'");
            args.add("%" + f.lfnLike().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        return new Where(clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses), args);
    }

    @Override
    public List<FileEvent> events(long fileId) {
        return query("SELECT file_id, at, actor, action, ok, message FROM file_events WHERE file_id = ? ORDER BY id",
                ps -> ps.setLong(1, fileId),
                rs -> new FileEvent(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                        rs.getBoolean(5), rs.getString(6)));
    }

    @Override
    public List<StateCount> counts() {
        return query("SELECT disk, state, COUNT(*), COALESCE(SUM(size), 0) FROM files GROUP BY disk, state ORDER BY disk, state",
                ps -> { },
                rs -> new StateCount(rs.getString(1), FileState.valueOf(rs.getString(2)), rs.getLong(3), rs.getLong(4)));
    }

    private static final String LOCAL_DONE_STATES = "('ON_DISK_STORAGE','COMPRESSING','COMPRESSED','TAPE_SUBMITTED','ON_TAPE')";

    @Override
    public List<CatalogFile> awaitingLocalDelete(String disk, int limit) {
        return query("SELECT " + COLUMNS + " FROM files WHERE disk = ? AND local_deleted_at IS NULL AND adler32 IS NOT NULL"
                        + " AND shipped_at IS NOT NULL AND state IN " + LOCAL_DONE_STATES + " ORDER BY id LIMIT ?",
                ps -> {
                    ps.setString(1, disk);
                    ps.setInt(2, limit);
                }, JdbcCatalog::row);
    }

    @Override
    public long countLocalCopies(String disk) {
        return query("SELECT COUNT(*) FROM files WHERE disk = ? AND local_deleted_at IS NULL", ps -> ps.setString(1, disk),
                rs -> rs.getLong(1)).get(0);
    }

    @Override
    public List<CatalogFile> awaitingRawDelete(int limit) {
        return query("SELECT " + COLUMNS + " FROM files WHERE state = 'ON_TAPE' AND raw_deleted_at IS NULL ORDER BY id LIMIT ?",
                ps -> ps.setInt(1, limit), JdbcCatalog::row);
    }

    @Override
    public int retry(Collection<String> lfns) {
        int n = 0;
        for (String lfn : lfns) {
            n += inTransaction(c -> {
                Optional<CatalogFile> f = readRow(c, lfn);
                if (f.isEmpty()) {
                    throw new CatalogException("no file " + lfn + " in the catalog");
                }
                return retryOne(c, f.get());
            }, "retrying " + lfn);
        }
        return n;
    }

    @Override
    public int retryAllQuarantined() {
        List<String> lfns = query("SELECT lfn FROM files WHERE state = 'QUARANTINED' OR (last_error IS NOT NULL AND claim_owner IS NULL"
                + " AND next_attempt_at > 0)", ps -> { }, rs -> rs.getString(1));
        return retry(lfns);
    }

    private int retryOne(Connection c, CatalogFile f) throws SQLException {
        FileState to;
        if (f.state() == FileState.QUARANTINED) {
            to = f.quarantinedFrom() == null ? FileState.REGISTERED : f.quarantinedFrom().restingState();
        } else if (!f.state().isWorking()) {
            to = f.state();
        } else {
            return 0; // someone is working on it
        }
        if (to != f.state()) {
            f.state().checkMoveTo(to, f.lfn());
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, attempts = 0, next_attempt_at = 0,"
                + " quarantined_from = NULL, updated_at = ? WHERE id = ? AND state = ? AND claim_owner IS NULL")) {
            ps.setString(1, to.name());
            ps.setLong(2, now());
            ps.setLong(3, f.id());
            ps.setString(4, f.state().name());
            if (ps.executeUpdate() != 1) {
                return 0;
            }
        }
        event(c, f.id(), "retry", true, "operator retry: " + f.state() + " → " + to
                + (f.lastError() != null ? " (last error: " + f.lastError() + ")" : ""));
        return 1;
    }

    // ---------------------------------------------------------------- disks

    @Override
    public void putDisk(DiskRecord d) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO disks (name, path, state, changed_at, note) VALUES (?,?,?,?,?)"
                    + " ON CONFLICT (name) DO UPDATE SET path = excluded.path, state = excluded.state,"
                    + " changed_at = excluded.changed_at, note = excluded.note")) {
                ps.setString(1, d.name());
                ps.setString(2, d.path());
                ps.setString(3, d.state().name());
                ps.setLong(4, d.changedAt().toEpochMilli());
                ps.setString(5, d.note());
                ps.executeUpdate();
            }
            return null;
        }, "recording disk " + d.name());
    }

    @Override
    public Optional<DiskRecord> disk(String name) {
        return query("SELECT name, path, state, changed_at, note FROM disks WHERE name = ?", ps -> ps.setString(1, name),
                JdbcCatalog::diskRow).stream().findFirst();
    }

    @Override
    public List<DiskRecord> disks() {
        return query("SELECT name, path, state, changed_at, note FROM disks ORDER BY name", ps -> { }, JdbcCatalog::diskRow);
    }

    private static DiskRecord diskRow(ResultSet rs) throws SQLException {
        return new DiskRecord(rs.getString(1), rs.getString(2), DiskRecord.DiskState.valueOf(rs.getString(3)),
                Instant.ofEpochMilli(rs.getLong(4)), rs.getString(5));
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs raw SQL in one transaction; for tools (import, tests) that need it. */
    public <T> T inTransaction(SqlWork<T> work, String what) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (CatalogException e) {
            throw e;
        } catch (SQLException e) {
            throw new CatalogException(what + " in " + description + " failed", e);
        }
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, Binder binder, Mapper<T> mapper) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<T> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(mapper.map(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new CatalogException("query on " + description + " failed", e);
        }
    }

    private static Optional<CatalogFile> readRow(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM files WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static Optional<CatalogFile> readRow(Connection c, String lfn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM files WHERE lfn = ?")) {
            ps.setString(1, lfn);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    private static void setObject(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else if (v instanceof Long l) {
            ps.setLong(i, l);
        } else if (v instanceof Integer n) {
            ps.setInt(i, n);
        } else {
            ps.setString(i, v.toString());
        }
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static CatalogFile row(ResultSet rs) throws SQLException {
        long compressedSize = rs.getLong("compressed_size");
        Long cs = rs.wasNull() ? null : compressedSize;
        String qf = rs.getString("quarantined_from");
        long next = rs.getLong("next_attempt_at");
        return new CatalogFile(
                rs.getLong("id"), rs.getString("lfn"), rs.getString("disk"), rs.getString("local_path"), rs.getString("run"),
                rs.getLong("size"), Instant.ofEpochMilli(rs.getLong("mtime")), rs.getString("adler32"),
                FileState.valueOf(rs.getString("state")), rs.getString("compressed_name"), cs,
                rs.getString("compressed_adler32"), rs.getString("tape_transfer_id"), instant(rs, "registered_at"),
                instant(rs, "shipped_at"), instant(rs, "local_deleted_at"), instant(rs, "compressed_at"),
                instant(rs, "tape_submitted_at"), instant(rs, "on_tape_at"), instant(rs, "raw_deleted_at"),
                rs.getInt("attempts"), rs.getString("last_error"), next == 0 ? null : Instant.ofEpochMilli(next),
                qf == null ? null : FileState.valueOf(qf), rs.getString("claim_owner"), instant(rs, "claim_expires"),
                instant(rs, "updated_at"), rs.getString("tape_evidence"));
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
