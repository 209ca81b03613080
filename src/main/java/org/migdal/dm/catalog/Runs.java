package org.migdal.dm.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Per-run completeness, read from the catalog: pages of runs in name order ({@link #page}), one run ({@link #run}), and
 * one run with all its files streamed in LFN order for its custody manifest ({@link #read}). Each answer is read in one
 * snapshot of the catalog, so its counts and its files agree. Read-only; answered from the indexes of migration V13
 * (a run's counts from (run, state, size, on_tape_at), the incomplete runs and their files not on tape from the partial
 * index over the files not on tape), so a page costs the same on the last run as on the first, at a million files.
 */
public final class Runs {
    /** At most this many runs on one page, and this many files not on tape listed per run. */
    public static final int MAX_LIMIT = 1000;

    /** The files whose tape copy is not confirmed ({@link FileState#isTapeCopyConfirmed()}), as SQL; the partial index's condition. */
    static final String NOT_ON_TAPE = notOnTape();

    private final JdbcCatalog catalog;

    public Runs(JdbcCatalog catalog) {
        this.catalog = catalog;
    }

    /**
     * Up to {@code limit} runs whose names sort after {@code after} ({@code null} or empty: from the first), only those not
     * complete when {@code incompleteOnly}, each with up to {@code missing} of its files not on tape.
     */
    public RunPage page(String after, int limit, boolean incompleteOnly, int missing) {
        int pageSize = bounded(limit, 1);
        int perRun = bounded(missing, 0);
        String from = after == null ? "" : after;
        return snapshot(c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement next = c.prepareStatement(nextRunSql(catalog.dialect(), incompleteOnly))) {
                String last = from;
                while (names.size() <= pageSize) { // one more than the page tells whether a next page exists
                    next.setString(1, last);
                    try (ResultSet rs = next.executeQuery()) {
                        if (!rs.next()) {
                            break;
                        }
                        last = rs.getString(1);
                    }
                    names.add(last);
                }
            }
            String cursor = names.size() > pageSize ? names.get(pageSize - 1) : null;
            List<RunSummary> runs = new ArrayList<>();
            for (String name : names.subList(0, Math.min(names.size(), pageSize))) {
                runs.add(summary(c, name, perRun).orElseThrow());
            }
            return new RunPage(runs, after == null || after.isEmpty() ? null : after, incompleteOnly, cursor);
        }, "listing the runs after '" + from + "'");
    }

    /** One run's completeness with up to {@code missing} of its files not on tape; empty when no file has this run. */
    public Optional<RunSummary> run(String run, int missing) {
        int perRun = bounded(missing, 0);
        return snapshot(c -> summary(c, run, perRun), "reading run " + run);
    }

    /**
     * Reads one run in one snapshot: its summary (with up to {@code missing} files not on tape), then, as the reader asks,
     * its files not on tape and all its files, each streamed in LFN order (byte order, on either database) and never held
     * in memory together. Empty when no file has this run.
     */
    public <T> Optional<T> read(String run, int missing, RunReader<T> reader) throws IOException {
        int perRun = bounded(missing, 0);
        try {
            return snapshot(c -> {
                Optional<RunSummary> s = summary(c, run, perRun);
                if (s.isEmpty()) {
                    return Optional.empty();
                }
                FileRows notOnTape = v -> stream(c, "SELECT " + JdbcCatalog.COLUMNS + " FROM files WHERE run = ? AND " + NOT_ON_TAPE
                        + " ORDER BY " + lfnOrder(), run, v);
                FileRows all = v -> stream(c, "SELECT " + JdbcCatalog.COLUMNS + " FROM files WHERE run = ? ORDER BY " + lfnOrder(), run, v);
                try {
                    return Optional.ofNullable(reader.read(s.get(), notOnTape, all));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "reading the files of run " + run);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** What {@link #read} hands its reader: the run's summary, and its files as it asks for them. */
    @FunctionalInterface
    public interface RunReader<T> {
        T read(RunSummary summary, FileRows notOnTape, FileRows files) throws IOException;
    }

    /** Files of a run, streamed from the catalog in LFN order. */
    @FunctionalInterface
    public interface FileRows {
        void forEach(FileVisitor visitor) throws IOException;
    }

    @FunctionalInterface
    public interface FileVisitor {
        void visit(CatalogFile file) throws IOException;
    }

    private Optional<RunSummary> summary(Connection c, String run, int missing) throws SQLException {
        Map<FileState, Long> states = new EnumMap<>(FileState.class);
        long files = 0;
        long bytes = 0;
        long onTape = 0;
        long givenUp = 0;
        Long latest = null;
        try (PreparedStatement ps = c.prepareStatement(SUMMARY)) {
            ps.setString(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    FileState state = FileState.valueOf(rs.getString(1));
                    long n = rs.getLong(2);
                    states.put(state, n);
                    files += n;
                    bytes += rs.getLong(3);
                    if (state.isTapeCopyConfirmed()) {
                        onTape += n;
                        long at = rs.getLong(4);
                        if (!rs.wasNull()) {
                            latest = latest == null ? at : Math.max(latest, at);
                        }
                    }
                    if (state.isGivenUp()) {
                        givenUp += n;
                    }
                }
            }
        }
        if (files == 0) {
            return Optional.empty();
        }
        boolean complete = onTape == files;
        List<RunSummary.NotOnTape> first = complete || missing == 0 ? List.of() : notOnTape(c, run, missing);
        return Optional.of(new RunSummary(run, files, bytes, Collections.unmodifiableMap(new LinkedHashMap<>(states)), onTape,
                files - onTape, givenUp, complete, complete && latest != null ? Instant.ofEpochMilli(latest) : null, first));
    }

    private List<RunSummary.NotOnTape> notOnTape(Connection c, String run, int limit) throws SQLException {
        List<RunSummary.NotOnTape> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(missingSql(catalog.dialect()))) {
            ps.setString(1, run);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RunSummary.NotOnTape(rs.getLong(1), rs.getString(2), FileState.valueOf(rs.getString(3)), rs.getString(4)));
                }
            }
        }
        return List.copyOf(out);
    }

    private void stream(Connection c, String sql, String run, FileVisitor visitor) throws IOException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(500); // PostgreSQL sends the rows in batches (inside the snapshot's transaction), not all at once
            ps.setString(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    visitor.visit(JdbcCatalog.row(rs));
                }
            }
        } catch (SQLException e) {
            throw new CatalogException("reading the files of run " + run + " in " + catalog + " failed", e);
        }
    }

    /** A run's files, bytes, files per state and latest tape confirmation: from the index (run, state, size, on_tape_at). */
    static final String SUMMARY = "SELECT state, COUNT(*), COALESCE(SUM(size), 0), MAX(on_tape_at) FROM files WHERE run = ? GROUP BY state";

    /** The first run after a name (of the incomplete runs only: from the partial index over the files not on tape). */
    static String nextRunSql(JdbcCatalog.Dialect dialect, boolean incompleteOnly) {
        return incompleteOnly ? "SELECT run FROM files" + notOnTapeIndex(dialect) + " WHERE " + NOT_ON_TAPE + " AND run > ? ORDER BY run LIMIT 1"
                : "SELECT run FROM files WHERE run > ? ORDER BY run LIMIT 1";
    }

    /** The first files not on tape of a run, in LFN order: from the partial index. */
    static String missingSql(JdbcCatalog.Dialect dialect) {
        return "SELECT id, lfn, state, last_error FROM files" + notOnTapeIndex(dialect) + " WHERE run = ? AND " + NOT_ON_TAPE
                + " ORDER BY " + lfnOrder(dialect) + " LIMIT ?";
    }

    /**
     * On SQLite, names the partial index over the files not on tape: without statistics its planner prefers (run, state, …),
     * which would read every complete run's entries to find the next incomplete one.
     */
    private static String notOnTapeIndex(JdbcCatalog.Dialect dialect) {
        return dialect == JdbcCatalog.Dialect.SQLITE ? " INDEXED BY files_run_not_on_tape" : "";
    }

    /** LFN order by bytes on both databases (PostgreSQL would otherwise use the database's locale). */
    private String lfnOrder() {
        return lfnOrder(catalog.dialect());
    }

    private static String lfnOrder(JdbcCatalog.Dialect dialect) {
        return dialect == JdbcCatalog.Dialect.POSTGRESQL ? "lfn COLLATE \"C\"" : "lfn";
    }

    /**
     * Runs {@code work} in one read-only snapshot: on PostgreSQL a REPEATABLE READ read-only transaction; on SQLite a
     * deferred read transaction (WAL: writers go on, this connection sees the catalog as it was at its first read; the
     * catalog's connections begin IMMEDIATE transactions, which would take the write lock, so it is begun by hand).
     */
    private <T> T snapshot(JdbcCatalog.SqlWork<T> work, String what) {
        return catalog.reading(c -> {
            if (catalog.dialect() == JdbcCatalog.Dialect.POSTGRESQL) {
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
                try {
                    return work.run(c);
                } finally {
                    c.rollback();
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("BEGIN DEFERRED");
            }
            try {
                return work.run(c);
            } finally {
                try (Statement s = c.createStatement()) {
                    s.execute("ROLLBACK");
                }
            }
        }, what);
    }

    private static int bounded(int n, int min) {
        return Math.max(min, Math.min(n, MAX_LIMIT));
    }

    private static String notOnTape() {
        List<String> confirmed = Arrays.stream(FileState.values()).filter(FileState::isTapeCopyConfirmed).map(s -> "'" + s.name() + "'")
                .toList();
        return confirmed.size() == 1 ? "state <> " + confirmed.get(0)
                : confirmed.stream().collect(Collectors.joining(",", "state NOT IN (", ")"));
    }
}
