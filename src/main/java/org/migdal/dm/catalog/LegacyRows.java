package org.migdal.dm.catalog;

import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * The rows of a legacy catalog ({@code migdal_db}), read-only, one at a time through a cursor: a catalog of any size is
 * read in constant memory. Opening checks the file (a corrupt, foreign or table-less file is refused clearly).
 */
public final class LegacyRows implements Iterator<LegacyImport.LegacyRow>, AutoCloseable {
    private final Path legacy;
    private final Connection c;
    private final Statement st;
    private final ResultSet rs;
    private Boolean ahead;

    private LegacyRows(Path legacy, Connection c, Statement st, ResultSet rs) {
        this.legacy = legacy;
        this.c = c;
        this.st = st;
        this.rs = rs;
    }

    /** Opens {@code legacy} read-only and checks it; the caller closes what it gets. */
    public static LegacyRows open(Path legacy) {
        if (!Files.isRegularFile(legacy)) {
            throw new CatalogException("legacy catalog " + legacy + " does not exist or is not a file");
        }
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        cfg.setOpenMode(SQLiteOpenMode.READONLY);
        String url = "jdbc:sqlite:file:" + legacy.toAbsolutePath() + "?mode=ro";
        Connection c = null;
        try {
            c = DriverManager.getConnection(url, cfg.toProperties());
            check(legacy, c);
            StringBuilder sql = new StringBuilder("SELECT ");
            List<String> columns = LegacyImport.COLUMNS;
            for (int i = 0; i < columns.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("CAST(\"").append(columns.get(i)).append("\" AS TEXT)");
            }
            sql.append(" FROM migdal_db ORDER BY rowid");
            Statement st = c.createStatement();
            return new LegacyRows(legacy, c, st, st.executeQuery(sql.toString()));
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            if (e instanceof CatalogException ce) {
                throw ce;
            }
            throw new CatalogException("cannot read legacy catalog " + legacy + " (not an SQLite database, or damaged)", e);
        }
    }

    private static void check(Path legacy, Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA quick_check")) {
            String first = rs.next() ? rs.getString(1) : "no answer";
            if (!"ok".equalsIgnoreCase(first)) {
                throw new CatalogException("legacy catalog " + legacy + " is damaged (SQLite integrity check: " + first + ")");
            }
        }
        Set<String> tables = new TreeSet<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        if (!tables.contains("migdal_db")) {
            throw new CatalogException(legacy + " is an SQLite file but not a legacy MIGDAL catalog: it has no table"
                    + " migdal_db (tables: " + (tables.isEmpty() ? "none" : String.join(", ", tables)) + ")");
        }
        Set<String> have = new TreeSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(migdal_db)")) {
            while (rs.next()) {
                have.add(rs.getString("name"));
            }
        }
        List<String> missing = LegacyImport.COLUMNS.stream().filter(col -> !have.contains(col)).toList();
        if (!missing.isEmpty()) {
            throw new CatalogException(legacy + ": table migdal_db lacks the legacy columns " + missing
                    + "; is this the Python system's catalog?");
        }
    }

    @Override
    public boolean hasNext() {
        if (ahead == null) {
            try {
                ahead = rs.next();
            } catch (SQLException e) {
                throw new CatalogException("cannot read legacy catalog " + legacy + " (damaged?)", e);
            }
        }
        return ahead;
    }

    @Override
    public LegacyImport.LegacyRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more rows in " + legacy);
        }
        ahead = null;
        List<String> columns = LegacyImport.COLUMNS;
        Map<String, String> v = new LinkedHashMap<>();
        try {
            for (int i = 0; i < columns.size(); i++) {
                v.put(columns.get(i), rs.getString(i + 1));
            }
        } catch (SQLException e) {
            throw new CatalogException("cannot read legacy catalog " + legacy + " (damaged?)", e);
        }
        return new LegacyImport.LegacyRow(v);
    }

    @Override
    public void close() {
        try {
            rs.close();
            st.close();
        } catch (SQLException ignored) {
            // read-only: nothing to lose
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // read-only: nothing to lose
            }
        }
    }
}
