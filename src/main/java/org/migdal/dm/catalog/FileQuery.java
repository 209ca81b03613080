package org.migdal.dm.catalog;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of a {@link FileFilter}: the one place that turns a filter into a query, for {@code ls}, the dashboard and its
 * API. An LFN substring of three characters or more without wildcards is looked up on SQLite in the trigram index of
 * migration 14 ({@code files_lfn_trigram}), which yields rows in id order, so a page reads only its own rows however rare
 * the substring; the row's own {@code LIKE} is checked as well, so the answer is exactly the {@code LIKE}'s. PostgreSQL's
 * planner uses its trigram index (pg_trgm, where it could be created) for the same {@code LIKE} by itself.
 */
final class FileQuery {
    private final String sql;
    private final List<Object> args;

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

    /** The page of rows {@code f} asks for, in its order. */
    static FileQuery page(FileFilter f, JdbcCatalog.Dialect dialect, String columns) {
        List<String> clauses = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        boolean trigram = dialect == JdbcCatalog.Dialect.SQLITE && usesTrigramIndex(f.lfnLike());
        String from = " FROM files";
        String id = "id";
        String select = columns;
        if (trigram) {
            // driven by the index, in its rowid order; t.rowid carries the keyset bound into the index
            from = " FROM files_lfn_trigram t JOIN files f ON f.id = t.rowid";
            id = "t.rowid";
            select = qualified(columns);
            clauses.add("t.lfn LIKE ?");
            args.add("%" + f.lfnLike() + "%");
        }
        conditions(f, trigram ? "f." : "", clauses, args);
        if (f.afterId() > 0) {
            clauses.add(id + (f.descending() ? " < ?" : " > ?"));
            args.add(f.afterId());
        }
        String where = clauses.isEmpty() ? "" : " WHERE " + String.join(" AND ", clauses);
        args.add(f.limit());
        args.add(f.offset());
        return new FileQuery("SELECT " + select + from + where + " ORDER BY " + id + (f.descending() ? " DESC" : "")
                + " LIMIT ? OFFSET ?", args);
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
