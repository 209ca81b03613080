package org.migdal.dm.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/** Writes catalogs in the Python system's format (table {@code migdal_db}), for benchmarks and tests. */
public final class LegacyCatalogs {
    private LegacyCatalogs() {
    }

    /** The legacy schema, exactly as SQLAlchemy 1.4 created it. */
    static final String SCHEMA = """
            CREATE TABLE migdal_db (
            \t"File name" VARCHAR(250) NOT NULL,\s
            \t"File size" BIGINT NOT NULL,\s
            \t"Checksum" VARCHAR(20) NOT NULL,\s
            \t"Zip File name" VARCHAR(250) NOT NULL,\s
            \t"Zip File size" BIGINT NOT NULL,\s
            \t"Zip Checksum" VARCHAR(20) NOT NULL,\s
            \t"DAQ disk" VARCHAR(20) NOT NULL,\s
            \t"Time Stamp" DATETIME NOT NULL,\s
            \t"In PPD dCache?" VARCHAR(30) NOT NULL,\s
            \t"PPD dCache timestamp" DATETIME NOT NULL,\s
            \t"In Antares tape?" VARCHAR(30) NOT NULL,\s
            \t"Antares timestamp" DATETIME NOT NULL,\s
            \t"FTS ID" VARCHAR(100) NOT NULL,\s
            \t"Tape status" VARCHAR(30) NOT NULL,\s
            \tPRIMARY KEY ("File name")
            )""";

    /** A catalog of {@code rows} rows cycling through every status combination the old system used. */
    public static void generate(Path file, int rows) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute(SCHEMA);
            }
            String never = "0001-01-01 00:00:00.000000";
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO migdal_db VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) {
                for (int i = 0; i < rows; i++) {
                    int run = i / 1000;
                    String runName = String.format("MIG_Fe55_data_2208%02dT%06d", 1 + run % 28, run);
                    String lfn = String.format("/2208/2208%02d/%s/%s.CAL.%04d.dat", 1 + run % 28, runName, runName, i % 1000);
                    String sum = Integer.toHexString(0x1000 + i);
                    String[] status = switch (i % 7) {
                        case 0 -> new String[]{"No", "No", "", ""};
                        case 1 -> new String[]{"Ongoing", "No", "", ""};
                        case 2 -> new String[]{"Yes", "No", "", ""};
                        case 3 -> new String[]{"Zipping", "No", "", ""};
                        case 4 -> new String[]{"Yes", "Submitted", "8a1f7c2e-1b2c-11ed-9a3b-" + String.format("%012x", i), "No"};
                        case 5 -> new String[]{"Yes", "Yes", "9b2e8d3f-1b2c-11ed-9a3b-" + String.format("%012x", i), "No"};
                        default -> new String[]{"Yes", "Yes", "ac3f9e40-1b2c-11ed-9a3b-" + String.format("%012x", i), "On Tape"};
                    };
                    boolean shipped = !status[0].equals("No") && !status[0].equals("Ongoing");
                    boolean zipped = status[1].equals("Submitted") || status[1].equals("Yes");
                    ps.setString(1, lfn);
                    ps.setLong(2, 2147483648L);
                    ps.setString(3, shipped ? sum : "");
                    ps.setString(4, zipped ? lfn + ".bz2" : "");
                    ps.setLong(5, zipped ? 61234567L : -1L);
                    ps.setString(6, zipped ? Integer.toHexString(0x7a3b1 + i) : "");
                    ps.setString(7, "data" + (1 + run % 4));
                    ps.setString(8, "2022-08-03 14:54:47.000000");
                    ps.setString(9, status[0]);
                    ps.setString(10, shipped ? "2022-08-03 15:54:47.000000" : never);
                    ps.setString(11, status[1]);
                    ps.setString(12, status[1].equals("Yes") ? "2022-08-04 15:54:47.000000" : never);
                    ps.setString(13, status[2]);
                    ps.setString(14, status[3]);
                    ps.addBatch();
                    if (i % 5000 == 4999) {
                        ps.executeBatch();
                    }
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }
}
