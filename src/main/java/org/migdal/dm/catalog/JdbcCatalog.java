package org.migdal.dm.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
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

/**
 * The catalog on SQLite (embedded default: WAL, busy timeout, immediate write transactions) or
 * PostgreSQL (claims with {@code FOR UPDATE SKIP LOCKED}). Schema changes are Flyway migrations under
 * {@code db/migration/<dialect>}, run only when the catalog's version differs ({@link Schema}).
 */
public final class JdbcCatalog implements Catalog {

    private static final Logger log = LoggerFactory.getLogger(JdbcCatalog.class);
    static final String COLUMNS = "id, lfn, disk, local_path, run, size, mtime, adler32, state, compressed_name,"
            + " compressed_size, compressed_adler32, tape_transfer_id, registered_at, shipped_at, local_deleted_at,"
            + " compressed_at, tape_submitted_at, on_tape_at, raw_deleted_at, attempts, last_error, next_attempt_at,"
            + " quarantined_from, claim_owner, claim_expires, updated_at, claim_token, crashes, tape_evidence";

    enum Dialect { SQLITE, POSTGRESQL }

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final ClaimPolicy policy;
    private final FailurePolicy failures;
    private final Clock clock;
    private final String description;
    private final ScanProblemStore scanProblems;
    private final Activity activity = new Activity(this);
    private final VanishedFiles vanished;
    private final ClaimStore claims = new ClaimStore(this);
    private final EndpointStore endpointStore = new EndpointStore(this);
    private final BatchStore batch = new BatchStore(this);
    private final Registration registration = new Registration(this);
    private final AuditStore audit = new AuditStore(this);

    private JdbcCatalog(HikariDataSource dataSource, Dialect dialect, ClaimPolicy policy, Clock clock, String description) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.policy = policy;
        this.failures = new FailurePolicy(policy);
        this.clock = clock;
        this.description = description;
        this.scanProblems = new ScanProblemStore(this, clock);
        this.vanished = new VanishedFiles(this, clock);
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
            NetworkFileSystems.system().refuseSqliteOn(path); // SQLite locking is not safe on NFS, SMB, sshfs, …
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            // FULL: every commit is on disk when it returns, before any delete that relies on it (a DAQ file after its
            // copy was recorded, a raw storage copy after ON_TAPE); WAL with NORMAL may lose the last commits on power loss
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
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
            Schema.ensure(ds, dialect.name().toLowerCase(java.util.Locale.ROOT), description);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
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

    long now() {
        return clock.millis();
    }

    // ---------------------------------------------------------------- registration

    @Override
    public RegisterResult register(List<NewFile> files) {
        return registration.register(files);
    }

    // ---------------------------------------------------------------- claims (taken and renewed: ClaimStore)

    @Override
    public List<CatalogFile> claim(Stage stage, int limit, Collection<String> disks, Collection<Long> passed) {
        return claims.claim(stage, limit, disks, passed);
    }

    @Override
    public List<CatalogFile> claimInFlight(int limit) {
        return claims.claimInFlight(limit);
    }

    @Override
    public int renewClaims() {
        return claims.renewClaims();
    }

    @Override
    public int releaseClaimsOfDeadProcesses() {
        return claims.releaseClaimsOfDeadProcesses();
    }

    ClaimPolicy policy() {
        return policy;
    }

    FailurePolicy failurePolicy() {
        return failures;
    }

    Dialect dialect() {
        return dialect;
    }

    @Override
    public CatalogFile release(CatalogFile claimed, Changes changes, Instant next, String action, String message) {
        return inTransaction(c -> {
            StringBuilder sql = new StringBuilder("UPDATE files SET updated_at = ?, next_attempt_at = ?, claim_owner = NULL,"
                    + " claim_expires = NULL, claim_token = NULL");
            for (Map.Entry<Changes.Column, Object> e : changes.values().entrySet()) {
                sql.append(", ").append(e.getKey().sql).append(" = ?");
            }
            if (claimed.state() == FileState.TAPE_SUBMITTED && claimed.tapeSubmittedAt() == null) {
                sql.append(", tape_submitted_at = ").append(now());
            }
            sql.append(" WHERE id = ? AND state = ? AND ").append(HELD);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                ps.setLong(i++, now());
                ps.setLong(i++, next.toEpochMilli());
                for (Object v : changes.values().values()) {
                    setObject(ps, i++, v);
                }
                ps.setLong(i++, claimed.id());
                ps.setString(i++, claimed.state().name());
                bindHeld(ps, i, claimed);
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

    /** The claim condition of every fenced update: this owner and this very claim's token. */
    private static final String HELD = "claim_owner = ? AND claim_token = ?";

    private int bindHeld(PreparedStatement ps, int i, CatalogFile claimed) throws SQLException {
        ps.setString(i++, owner());
        ps.setString(i++, claimed.claimToken());
        return i;
    }

    static String newToken() {
        return java.util.UUID.randomUUID().toString().substring(0, 13);
    }

    @Override
    public CatalogFile fence(CatalogFile claimed) {
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET claim_expires = ? WHERE id = ? AND state = ? AND " + HELD)) {
                ps.setLong(1, now() + policy.lease().toMillis());
                ps.setLong(2, claimed.id());
                ps.setString(3, claimed.state().name());
                bindHeld(ps, 4, claimed);
                if (ps.executeUpdate() != 1) {
                    throw new LostClaimException(claimed.lfn(), owner(), claimed.state());
                }
            }
            return claimed;
        }, "checking the claim on " + claimed.lfn());
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
            sql.append(", claim_owner = NULL, claim_expires = NULL, claim_token = NULL");
            if (!to.isWorking()) {
                sql.append(", attempts = 0, crashes = 0, next_attempt_at = 0");
            }
            sql.append(" WHERE id = ? AND state = ? AND ").append(HELD);
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
                bindHeld(ps, i, claimed);
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
    public CatalogFile fail(CatalogFile claimed, String action, Failure failure) {
        return inTransaction(c -> {
            long now = now();
            FailurePolicy.Decision d = failures.afterFailure(claimed, failure, now);
            if (d.to() != claimed.state()) {
                claimed.state().checkMoveTo(d.to(), claimed.lfn());
            }
            // a tape transfer that failed starts afresh: its in-flight time counts from the next submission
            String resetTape = claimed.state() != FileState.TAPE_SUBMITTED ? ""
                    : (d.quarantined() ? "" : ", tape_submitted_at = NULL") + ", tape_job_recorded_at = NULL"; // its FTS job is over
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, attempts = ?, last_error = ?,"
                    + " next_attempt_at = ?, quarantined_from = ?, claim_owner = NULL, claim_expires = NULL, claim_token = NULL,"
                    + " updated_at = ?" + resetTape + " WHERE id = ? AND state = ? AND " + HELD)) {
                ps.setString(1, d.to().name());
                ps.setInt(2, d.attempts());
                ps.setString(3, d.reason());
                ps.setLong(4, d.nextAttemptAt());
                ps.setString(5, d.quarantined() ? claimed.state().name() : null);
                ps.setLong(6, now);
                ps.setLong(7, claimed.id());
                ps.setString(8, claimed.state().name());
                bindHeld(ps, 9, claimed);
                if (ps.executeUpdate() != 1) {
                    throw new LostClaimException(claimed.lfn(), owner(), claimed.state());
                }
            }
            event(c, claimed.id(), action, false, d.event());
            Counters.failed(c, action, failure.kind()); // migdal_dm_errors_total, in the same transaction
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
    public List<CatalogFile> recordTapeJobs(List<TapeJob.Plan> plans, String message) {
        if (plans.isEmpty()) {
            return List.of();
        }
        return inTransaction(c -> {
            long now = now();
            List<CatalogFile> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET tape_transfer_id = ?, tape_job_sid = ?,"
                    + " tape_job_submissions = ?, tape_job_recorded_at = ?, tape_job_confirmed_at = NULL,"
                    + " tape_submitted_at = COALESCE(tape_submitted_at, ?), updated_at = ?"
                    + " WHERE id = ? AND state = 'TAPE_SUBMITTED' AND claim_owner = ?")) {
                for (TapeJob.Plan p : plans) {
                    ps.setString(1, p.jobId());
                    ps.setString(2, p.sid());
                    ps.setInt(3, p.submission());
                    ps.setLong(4, now);
                    ps.setLong(5, now);
                    ps.setLong(6, now);
                    ps.setLong(7, p.file().id());
                    ps.setString(8, owner());
                    if (ps.executeUpdate() == 1) {
                        event(c, p.file().id(), "tape-job-recorded", true, "FTS job " + p.jobId() + " (sid " + p.sid()
                                + ", submission " + p.submission() + ") recorded before sending" + (message == null ? "" : ": " + message));
                        out.add(readRow(c, p.file().id()).orElseThrow());
                    } else {
                        log.warn("{}", new LostClaimException(p.file().lfn(), owner(), p.file().state()).getMessage());
                    }
                }
            }
            return out;
        }, "recording FTS jobs of " + plans.size() + " files");
    }

    @Override
    public Map<Long, TapeJob> tapeJobs(Collection<Long> fileIds) {
        Map<Long, TapeJob> out = new java.util.HashMap<>();
        List<Long> ids = new ArrayList<>(fileIds);
        for (int from = 0; from < ids.size(); from += 500) {
            List<Long> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
            String in = String.join(",", java.util.Collections.nCopies(chunk.size(), "?"));
            query("SELECT id, tape_transfer_id, tape_job_sid, tape_job_submissions, tape_job_recorded_at, tape_job_confirmed_at"
                    + " FROM files WHERE id IN (" + in + ")", ps -> {
                        for (int i = 0; i < chunk.size(); i++) {
                            ps.setLong(i + 1, chunk.get(i));
                        }
                    }, rs -> new TapeJob(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            instant(rs, "tape_job_recorded_at"), instant(rs, "tape_job_confirmed_at")))
                    .forEach(t -> out.put(t.fileId(), t));
        }
        return out;
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
            eventOnce(c, fileId, action, ok, message);
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
            eventOnce(c, fileId, action, false, message);
            return null;
        }, "recording an error of " + action);
    }

    /** How many of a file's latest events an unchanged condition may span (e.g. check, check, refusal each cycle). */
    private static final int CONDITION_WINDOW = 3;

    /**
     * The one place that keeps history from growing for an unchanged condition: an event equal (same action, result
     * and message) to one of the file's last {@value #CONDITION_WINDOW} events bumps that event's repeat count and time
     * instead of adding a row. The window lets a condition that takes a few events per cycle (a check recorded before
     * a delete that then fails) stay a few rows too.
     */
    private void eventOnce(Connection c, long fileId, String action, boolean ok, String message) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT id, action, ok, message FROM file_events WHERE file_id = ?"
                + " ORDER BY id DESC LIMIT " + CONDITION_WINDOW)) {
            ps.setLong(1, fileId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!(action.equals(rs.getString(2)) && (rs.getInt(3) != 0) == ok
                            && java.util.Objects.equals(message, rs.getString(4)))) {
                        continue;
                    }
                    long last = rs.getLong(1);
                    try (PreparedStatement up = c.prepareStatement("UPDATE file_events SET repeats = repeats + 1, last_at = ?"
                            + " WHERE id = ?")) {
                        up.setLong(1, now());
                        up.setLong(2, last);
                        up.executeUpdate();
                    }
                    return;
                }
            }
        }
        event(c, fileId, action, ok, message);
    }

    void event(Connection c, long fileId, String action, boolean ok, String message) throws SQLException {
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
        return FileQuery.list(this, f);
    }

    /** The rows that match {@code f}'s conditions, whatever its page. */
    @Override
    public long count(FileFilter f) {
        FileQuery q = FileQuery.count(f);
        return query(q.sql(), q::bind, rs -> rs.getLong(1)).get(0);
    }

    @Override
    public List<FileEvent> events(long fileId) {
        return query("SELECT file_id, at, actor, action, ok, message, repeats, last_at FROM file_events WHERE file_id = ? ORDER BY id",
                ps -> ps.setLong(1, fileId),
                rs -> new FileEvent(rs.getLong(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getString(4),
                        rs.getBoolean(5), rs.getString(6), rs.getInt(7), instant(rs, "last_at")));
    }

    /** Answered from the index (disk, state, size) alone, without reading the rows (migration V8). */
    static final String COUNTS = "SELECT disk, state, COUNT(*), COALESCE(SUM(size), 0) FROM files GROUP BY disk, state ORDER BY disk, state";

    @Override
    public List<StateCount> counts() {
        return query(COUNTS, ps -> { },
                rs -> new StateCount(rs.getString(1), FileState.valueOf(rs.getString(2)), rs.getLong(3), rs.getLong(4)));
    }

    private static final String LOCAL_DONE_STATES = "('ON_DISK_STORAGE','COMPRESSING','COMPRESSED','TAPE_SUBMITTED','ON_TAPE')";

    @Override
    public List<CatalogFile> awaitingLocalDelete(String disk, long afterId, int limit) {
        return query("SELECT " + COLUMNS + " FROM files WHERE disk = ? AND local_deleted_at IS NULL AND adler32 IS NOT NULL"
                        + " AND shipped_at IS NOT NULL AND state IN " + LOCAL_DONE_STATES + " AND id > ? ORDER BY id LIMIT ?",
                ps -> {
                    ps.setString(1, disk);
                    ps.setLong(2, afterId);
                    ps.setInt(3, limit);
                }, JdbcCatalog::row);
    }

    /** The states {@link FileState#isGoneFromDaq()} names, as an SQL list. */
    static final String GONE_FROM_DAQ_STATES = java.util.Arrays.stream(FileState.values())
            .filter(FileState::isGoneFromDaq).map(s -> "'" + s.name() + "'")
            .collect(java.util.stream.Collectors.joining(",", "(", ")"));

    @Override
    public long countLocalCopies(String disk) {
        return query("SELECT COUNT(*) FROM files WHERE disk = ? AND local_deleted_at IS NULL AND state NOT IN " + GONE_FROM_DAQ_STATES,
                ps -> ps.setString(1, disk), rs -> rs.getLong(1)).get(0);
    }

    @Override
    public List<CatalogFile> awaitingRawDelete(int limit) {
        return query("SELECT " + COLUMNS + " FROM files WHERE state = 'ON_TAPE' AND raw_deleted_at IS NULL"
                        + " AND local_deleted_at IS NOT NULL ORDER BY id LIMIT ?",
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
        } else if (f.state() == FileState.MISSING) {
            to = FileState.REGISTERED; // look for it again: a ship finds it, or makes it MISSING again
        } else if (!f.state().isWorking()) {
            to = f.state();
        } else {
            return 0; // someone is working on it
        }
        if (to != f.state()) {
            f.state().checkMoveTo(to, f.lfn());
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, attempts = 0, crashes = 0, next_attempt_at = 0,"
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

    // ---------------------------------------------------------------- endpoints

    @Override
    public EndpointStatus endpointDown(String url, String reason) {
        return endpointStore.down(url, reason, now());
    }

    @Override
    public Optional<EndpointStatus> endpointUp(String url) {
        return endpointStore.up(url, now());
    }

    @Override
    public Optional<EndpointStatus> endpoint(String url) {
        return endpointStore.get(url);
    }

    @Override
    public List<EndpointStatus> endpoints() {
        return endpointStore.all();
    }

    // ---------------------------------------------------------------- vanished DAQ files (the rules: VanishedFiles)

    @Override
    public CatalogFile markMissing(CatalogFile claimed, String reason) {
        return vanished.markMissing(claimed, reason);
    }

    @Override
    public int reappeared(String disk, List<NewFile> listed) {
        return vanished.reappeared(disk, listed);
    }

    @Override
    public ForgetResult forget(Collection<String> lfns) {
        return vanished.forget(lfns);
    }


    /** What {@code migdal-dm audit} keeps: its runs, cursor and findings. */
    public AuditStore audit() {
        return audit;
    }

    @Override
    public BatchStore batch() {
        return batch;
    }

    @Override
    public CatalogFile putBack(CatalogFile claimed, String action, String message) {
        FileState to = claimed.state().restingState();
        if (to != claimed.state()) {
            claimed.state().checkMoveTo(to, claimed.lfn());
        }
        return inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE files SET state = ?, claim_owner = NULL, claim_expires = NULL,"
                    + " claim_token = NULL, updated_at = ? WHERE id = ? AND state = ? AND " + HELD)) {
                ps.setString(1, to.name());
                ps.setLong(2, now());
                ps.setLong(3, claimed.id());
                ps.setString(4, claimed.state().name());
                bindHeld(ps, 5, claimed);
                if (ps.executeUpdate() != 1) {
                    throw new LostClaimException(claimed.lfn(), owner(), claimed.state());
                }
            }
            eventOnce(c, claimed.id(), action, false, message);
            return readRow(c, claimed.id()).orElseThrow();
        }, "putting " + claimed.lfn() + " back");
    }

    // ---------------------------------------------------------------- scan problems

    @Override
    public List<ScanProblem.Finding> recordScanProblems(String disk, List<ScanProblem.Finding> found, boolean listed) {
        return scanProblems.record(disk, found, listed);
    }

    @Override
    public List<ScanProblem> openScanProblems(String disk) {
        return scanProblems.open(disk);
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
    public java.util.OptionalLong diskRootInode(String disk) {
        List<Long> v = query("SELECT root_inode FROM disks WHERE name = ? AND root_inode IS NOT NULL", ps -> ps.setString(1, disk),
                rs -> rs.getLong(1));
        return v.isEmpty() ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(v.get(0));
    }

    @Override
    public void rememberDiskRoot(String disk, String path, long inode) {
        inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO disks (name, path, state, changed_at, note, root_inode)"
                    + " VALUES (?,?,?,?,NULL,?) ON CONFLICT (name) DO UPDATE SET root_inode = excluded.root_inode")) {
                ps.setString(1, disk);
                ps.setString(2, path);
                ps.setString(3, DiskRecord.DiskState.DRAINING.name());
                ps.setLong(4, now());
                ps.setLong(5, inode);
                ps.executeUpdate();
            }
            return null;
        }, "remembering the root of disk " + disk);
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

    /** Work over time: last progress, last errors, throughput, free-space samples. */
    public Activity activity() {
        return activity;
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

    /** Runs read-only SQL on a connection in auto-commit mode (on SQLite no write lock is taken, unlike a transaction). */
    <T> T reading(SqlWork<T> work, String what) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new CatalogException(what + " in " + description + " failed", e);
        }
    }

    @FunctionalInterface
    public interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    interface Mapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    <T> List<T> query(String sql, Binder binder, Mapper<T> mapper) {
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

    static Optional<CatalogFile> readRow(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM files WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
        }
    }

    static Optional<CatalogFile> readRow(Connection c, String lfn) throws SQLException {
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

    static CatalogFile row(ResultSet rs) throws SQLException {
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
                instant(rs, "updated_at"), rs.getString("claim_token"), rs.getInt("crashes"), rs.getString("tape_evidence"));
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
