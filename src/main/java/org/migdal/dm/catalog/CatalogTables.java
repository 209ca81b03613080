package org.migdal.dm.catalog;

import org.flywaydb.core.api.MigrationVersion;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The data tables of a catalog as its schema tells them (not a hand list), and what {@link CatalogCopy} does with them:
 * row counts, a checksum over every row that is equal on SQLite and PostgreSQL for equal data, and the rows themselves.
 */
final class CatalogTables {

    /** Flyway's own table: a copy's target gets it by migrating itself. */
    static final String HISTORY = Schema.HISTORY;

    enum Dialect { SQLITE, POSTGRESQL }

    record Column(String name, int sqlType, String typeName) {
        boolean isText() {
            return switch (sqlType) {
                case Types.VARCHAR, Types.CHAR, Types.LONGVARCHAR, Types.NVARCHAR, Types.NCHAR, Types.LONGNVARCHAR, Types.CLOB -> true;
                default -> typeName != null && typeName.toLowerCase(Locale.ROOT).contains("text");
            };
        }

        boolean isInteger() {
            return switch (sqlType) {
                case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> true;
                default -> false;
            };
        }

        boolean isBoolean() {
            return sqlType == Types.BOOLEAN || sqlType == Types.BIT;
        }
    }

    /** A data table: its columns (in the schema's order) and primary key columns (in key order; empty if none). */
    record Table(String name, List<Column> columns, List<String> primaryKey) {
        Column column(String name) {
            return columns.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        }

        List<String> columnNames() {
            return columns.stream().map(Column::name).toList();
        }
    }

    /** Rows and checksum of one table on one side. */
    record Check(long rows, String sha256) { }

    private CatalogTables() {
    }

    static Dialect dialectOf(String url) {
        if (url.startsWith("sqlite:") || url.startsWith("jdbc:sqlite:")) {
            return Dialect.SQLITE;
        }
        if (url.startsWith("jdbc:postgresql:")) {
            return Dialect.POSTGRESQL;
        }
        throw new CatalogException("catalog URL '" + url + "' is neither sqlite:PATH nor jdbc:postgresql://HOST/DB");
    }

    /** Every data table of the connection's schema (Flyway's history and SQLite's own tables left out), by name. */
    static Map<String, Table> tables(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        String schema = c.getSchema();
        TreeSet<String> names = new TreeSet<>();
        try (ResultSet rs = md.getTables(null, schema, "%", new String[]{"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME");
                // (files_lfn_trigram*: SQLite's LFN search index and its shadow tables, rebuilt from files by triggers; migration 14)
                if (!name.equalsIgnoreCase(HISTORY) && !name.toLowerCase(Locale.ROOT).startsWith("sqlite_")
                        && !name.toLowerCase(Locale.ROOT).startsWith("files_lfn_trigram")) {
                    names.add(name);
                }
            }
        }
        Map<String, Table> out = new LinkedHashMap<>();
        for (String name : names) {
            List<Column> columns = new ArrayList<>();
            try (ResultSet rs = md.getColumns(null, schema, name, "%")) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT), rs.getInt("DATA_TYPE"),
                            rs.getString("TYPE_NAME")));
                }
            }
            TreeMap<Integer, String> key = new TreeMap<>();
            try (ResultSet rs = md.getPrimaryKeys(null, schema, name)) {
                while (rs.next()) {
                    key.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                }
            }
            out.put(name.toLowerCase(Locale.ROOT), new Table(name.toLowerCase(Locale.ROOT), columns, List.copyOf(key.values())));
        }
        return out;
    }

    /** The tables in an order that inserts every referenced row before the rows referring to it (foreign keys). */
    static List<Table> insertOrder(Connection c, Map<String, Table> tables) throws SQLException {
        Map<String, TreeSet<String>> needs = new TreeMap<>();
        for (Table t : tables.values()) {
            TreeSet<String> refs = new TreeSet<>();
            try (ResultSet rs = c.getMetaData().getImportedKeys(null, c.getSchema(), t.name())) {
                while (rs.next()) {
                    String ref = rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!ref.equals(t.name()) && tables.containsKey(ref)) {
                        refs.add(ref);
                    }
                }
            }
            needs.put(t.name(), refs);
        }
        List<Table> order = new ArrayList<>();
        while (!needs.isEmpty()) {
            Optional<String> ready = needs.entrySet().stream()
                    .filter(e -> order.stream().map(Table::name).toList().containsAll(e.getValue()))
                    .map(Map.Entry::getKey).findFirst();
            String next = ready.orElse(needs.keySet().iterator().next()); // a cycle: the database will tell
            order.add(tables.get(next));
            needs.remove(next);
        }
        return order;
    }

    /** The highest successfully applied Flyway version, or empty when the database has no migration history. */
    static Optional<MigrationVersion> schemaVersion(Connection c) throws SQLException {
        return Schema.applied(c);
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static long count(Connection c, Table t) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + quote(t.name()))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code SELECT every column ORDER BY the primary key}, text keys in byte order on both databases. */
    static String selectAll(Table t, Dialect d) {
        List<String> order = t.primaryKey().isEmpty() ? t.columnNames() : t.primaryKey();
        StringBuilder sql = new StringBuilder("SELECT ");
        sql.append(String.join(", ", t.columnNames().stream().map(CatalogTables::quote).toList()));
        sql.append(" FROM ").append(quote(t.name())).append(" ORDER BY ");
        List<String> keys = new ArrayList<>();
        for (String k : order) {
            keys.add(quote(k) + (t.column(k).isText() ? (d == Dialect.POSTGRESQL ? " COLLATE \"C\"" : " COLLATE BINARY") : ""));
        }
        return sql.append(String.join(", ", keys)).toString();
    }

    /**
     * Row count and SHA-256 over every row in primary key order, each value in a text form equal on SQLite and
     * PostgreSQL: NULL apart from any text, integers of any width in decimal, booleans as 1/0, text as its UTF-8,
     * bytes in hex. Each value is length-prefixed so no two different rows give the same bytes.
     */
    static Check check(Connection c, Table t, Dialect d) throws SQLException {
        MessageDigest sha = sha256();
        long rows = 0;
        try (PreparedStatement ps = c.prepareStatement(selectAll(t, d))) {
            ps.setFetchSize(5000);
            try (ResultSet rs = ps.executeQuery()) {
                int n = t.columns().size();
                while (rs.next()) {
                    rows++;
                    for (int i = 1; i <= n; i++) {
                        String v = normalised(rs.getObject(i));
                        byte[] b = v == null ? "N".getBytes(StandardCharsets.UTF_8)
                                : ("S" + v.getBytes(StandardCharsets.UTF_8).length + ":" + v).getBytes(StandardCharsets.UTF_8);
                        sha.update(b);
                        sha.update((byte) 0);
                    }
                    sha.update((byte) '\n');
                }
            }
        }
        return new Check(rows, HexFormat.of().formatHex(sha.digest()));
    }

    static String normalised(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte
                || v instanceof java.math.BigInteger) {
            return v.toString();
        }
        if (v instanceof BigDecimal bd) {
            return bd.signum() == 0 ? "0" : bd.stripTrailingZeros().toPlainString();
        }
        if (v instanceof Double || v instanceof Float) {
            double x = ((Number) v).doubleValue();
            return x == Math.rint(x) && Math.abs(x) < 9.0e15 ? Long.toString((long) x) : Double.toString(x);
        }
        if (v instanceof byte[] bytes) {
            return "x" + HexFormat.of().formatHex(bytes);
        }
        return v.toString();
    }

    /** Binds a value read from the source to a parameter of the target's column type. */
    static void bind(PreparedStatement ps, int i, Object v, Column target) throws SQLException {
        if (v == null) {
            ps.setNull(i, target.sqlType() == Types.OTHER ? Types.VARCHAR : target.sqlType());
        } else if (target.isInteger()) {
            if (v instanceof Boolean b) {
                ps.setLong(i, b ? 1 : 0);
            } else if (v instanceof Number n && !(v instanceof Double || v instanceof Float || v instanceof BigDecimal)) {
                ps.setLong(i, n.longValue());
            } else {
                try {
                    ps.setLong(i, new BigDecimal(v.toString()).longValueExact());
                } catch (ArithmeticException | NumberFormatException e) {
                    throw new SQLException("value '" + v + "' does not fit the integer column " + target.name());
                }
            }
        } else if (target.isBoolean()) {
            ps.setBoolean(i, v instanceof Boolean b ? b : v instanceof Number n ? n.longValue() != 0
                    : Boolean.parseBoolean(v.toString()) || v.toString().equals("1"));
        } else if (target.isText()) {
            ps.setString(i, v instanceof byte[] ? new String((byte[]) v, StandardCharsets.UTF_8) : normalised(v));
        } else {
            ps.setObject(i, v);
        }
    }

    /** Sets the table's sequences so the next generated id is max(id) + 1 (PostgreSQL sequences, SQLite's sqlite_sequence). */
    static void resetSequences(Connection c, Table t, Dialect d) throws SQLException {
        if (d == Dialect.POSTGRESQL) {
            for (Column col : t.columns()) {
                String seq;
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_get_serial_sequence(?, ?)")) {
                    ps.setString(1, quote(t.name()));
                    ps.setString(2, col.name());
                    try (ResultSet rs = ps.executeQuery()) {
                        seq = rs.next() ? rs.getString(1) : null;
                    }
                }
                if (seq != null) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT setval(CAST(? AS regclass), COALESCE((SELECT MAX("
                            + quote(col.name()) + ") FROM " + quote(t.name()) + "), 0) + 1, false)")) {
                        ps.setString(1, seq);
                        ps.executeQuery().close();
                    }
                }
            }
            return;
        }
        if (t.primaryKey().size() != 1 || !t.column(t.primaryKey().get(0)).isInteger() || !autoincrement(c, t)) {
            return;
        }
        try (PreparedStatement del = c.prepareStatement("DELETE FROM sqlite_sequence WHERE name = ?")) {
            del.setString(1, t.name());
            del.executeUpdate();
        }
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO sqlite_sequence (name, seq) SELECT ?, MAX("
                + quote(t.primaryKey().get(0)) + ") FROM " + quote(t.name()) + " HAVING MAX(" + quote(t.primaryKey().get(0))
                + ") IS NOT NULL")) {
            ins.setString(1, t.name());
            ins.executeUpdate();
        }
    }

    private static boolean autoincrement(Connection c, Table t) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            ps.setString(1, t.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null && rs.getString(1).toUpperCase(Locale.ROOT).contains("AUTOINCREMENT");
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
