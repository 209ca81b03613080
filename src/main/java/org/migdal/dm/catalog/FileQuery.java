package org.migdal.dm.catalog;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of a {@link FileFilter}: the one place that turns a filter into a query, for {@code ls}, the dashboard and its
 * API. An LFN substring with a run of three characters between wildcards is looked up on SQLite in the trigram index of
 * migration 14 ({@code files_lfn_trigram}, filled by {@link LfnIndex}), which yields rows in id order, so a page reads
 * only its own rows however rare the substring; the row's own {@code LIKE} is checked as well, so the answer is exactly
 * the {@code LIKE}'s. PostgreSQL's planner uses its trigram index (pg_trgm, where it could be created) by itself.
 */
final class FileQuery {
    private final String sql;
    private final List<Object> args; // mutable: the page's limit is set per part

    private FileQuery(String sql, List<Object> args) {
        this.sql = sql;
        this.args = args;
    }

    String sql() {
        return sql;
    }

    /** Binds the arguments from index 1; returns the next free index. */
    int bind(PreparedStatement ps) throws SQLException {
        int i = 1;
        for (Object a : args) {
            if (a instanceof Long l) {
                ps.setLong(i++, l);
            } else if (a instanceof Integer n) {
                ps.setInt(i++, n);
            } else {
                ps.setString(i++, (String) a);
            }
        }
        return i;
    }

    /**
     * The page of rows {@code f} asks for, in its order. On SQLite, a substring the trigram index can serve is looked up
     * there for the ids it covers ({@code files_lfn_trigram_to}) and by {@code LIKE} over the newer ids, the two parts
     * read in the page's order until it is full.
     */
    static List<CatalogFile> list(JdbcCatalog db, FileFilter f) {
        if (db.dialect() != JdbcCatalog.Dialect.SQLITE || !usesTrigramIndex(f.lfnLike()) || f.offset() > 0) {
            FileQuery q = plain(f, JdbcCatalog.COLUMNS, 0);
            return db.query(q.sql, q::bind, JdbcCatalog::row);
        }
        long indexedTo = db.query("SELECT indexed_to FROM files_lfn_trigram_to", ps -> { }, rs -> rs.getLong(1)).stream()
                .findFirst().orElse(0L);
        List<FileQuery> parts = f.descending()
                ? List.of(plain(f, JdbcCatalog.COLUMNS, indexedTo), indexed(f, JdbcCatalog.COLUMNS, indexedTo))
                : List.of(indexed(f, JdbcCatalog.COLUMNS, indexedTo), plain(f, JdbcCatalog.COLUMNS, indexedTo));
        List<CatalogFile> out = new ArrayList<>();
        for (FileQuery part : parts) {
            if (out.size() < f.limit()) {
                part.args.set(part.args.size() - 2, f.limit() - out.size());
                out.addAll(db.query(part.sql, part::bind, JdbcCatalog::row));
            }
        }
        return out;
    }

    /** The rows of {@code f} read from the files themselves, only those with ids above {@code above} (0: all). */
    static FileQuery plain(FileFilter f, String columns, long above) {
        List<String> clauses = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        conditions(f, "", clauses, args);
        if (above > 0) {
            clauses.add("id > ?");
            args.add(above);
        }
        return finish("SELECT " + columns + " FROM files", "id", f, clauses, args);
    }

    /** The rows of {@code f} among ids up to {@code indexedTo}, found through the trigram index (SQLite). */
    static FileQuery indexed(FileFilter f, String columns, long indexedTo) {
        List<String> clauses = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        // driven by the index, in its rowid order; t.rowid carries the bounds into the index
        clauses.add("t.lfn LIKE ?");
        args.add("%" + f.lfnLike() + "%");
        clauses.add("t.rowid <= ?");
        args.add(indexedTo);
        conditions(f, "f.", clauses, args);
        return finish("SELECT " + qualified(columns) + " FROM files_lfn_trigram t JOIN files f ON f.id = t.rowid", "t.rowid", f,
                clauses, args);
    }

    private static FileQuery finish(String select, String id, FileFilter f, List<String> clauses, List<Object> args) {
        if (f.afterId() > 0) {
            clauses.add(id + (f.descending() ? " < ?" : " > ?"));
            args.add(f.afterId());
        }
        String where = clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
        args.add(f.limit());
        args.add(f.offset());
        return new FileQuery(select + where + " ORDER BY " + id + (f.descending() ? " DESC" : "") + " LIMIT ? OFFSET ?", args);
    }

    /** Counts the rows that match {@code f}'s conditions, whatever its page (a plain scan: counting every match of a
     * common substring through the trigram index would be slower than reading the rows). */
    static FileQuery count(FileFilter f) {
        List<String> clauses = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        conditions(f, "", clauses, args);
        return new FileQuery("SELECT COUNT(*) FROM files" + (clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses)), args);
    }

    private static void conditions(FileFilter f, String prefix, List<String> clauses, List<Object> args) {
        if (f.state() != null) {
            clauses.add(prefix + "state = ?");
            args.add(f.state().name());
        }
        if (f.disk() != null) {
            clauses.add(prefix + "disk = ?");
            args.add(f.disk());
        }
        if (f.run() != null) {
            clauses.add(prefix + "run = ?");
            args.add(f.run());
        }
        if (f.lfnLike() != null) {
            clauses.add(prefix + "lfn LIKE ? ESCAPE '\\'");
            args.add("%" + f.lfnLike().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
    }

    /**
     * Whether the trigram index can narrow this substring down: it has a run of at least three characters (a trigram)
     * between the characters the index's {@code LIKE} (which has no ESCAPE clause) reads as wildcards, {@code %} and
     * {@code _}. The index's answer is then a superset (a {@code _} of an LFN matches any character there), and the row's
     * own escaped {@code LIKE} keeps exactly the LFNs that contain the substring.
     */
    static boolean usesTrigramIndex(String substring) {
        if (substring == null) {
            return false;
        }
        int run = 0;
        for (int i = 0; i < substring.length(); i = substring.offsetByCodePoints(i, 1)) {
            int c = substring.codePointAt(i);
            run = c == '%' || c == '_' ? 0 : run + 1;
            if (run >= 3) {
                return true;
            }
        }
        return false;
    }

    private static String qualified(String columns) {
        StringBuilder sb = new StringBuilder();
        for (String c : columns.split(",")) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append("f.").append(c.strip());
        }
        return sb.toString();
    }
}
