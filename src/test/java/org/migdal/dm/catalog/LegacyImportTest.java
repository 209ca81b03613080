package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** import-legacy on a copy of the Python system's sample catalog and on damaged or foreign files. */
class LegacyImportTest {
    private static final String FE = "/2208/220803/MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.000";
    private static final String PMT = "/2208/220815/MIG_PMT_SPE_220815T161352.TEST/MIG_PMT_SPE_220815T161352.TEST.000";
    private static final String RETAKE = "/2301/230112/MIG_Run 12 (retake)_230112T090000/MIG_Run 12 (retake)_230112T090000.0000.dat";
    private static final String UNICODE = "/2301/230112/MIG_ünïcode_230112T091500/MIG_ünïcode_230112T091500.0000.dat";
    private static final String AM = "/2208/220816/MIG_Am241_220816T101010/MIG_Am241_220816T101010.0000.dat";

    @TempDir
    Path dir;
    Path legacy;
    JdbcCatalog catalog;
    LegacyImport importer;

    @BeforeEach
    void setUp() throws IOException {
        legacy = dir.resolve("sqlite_dt.db");
        try (InputStream in = getClass().getResourceAsStream("/legacy/sqlite_dt.db")) {
            Files.copy(in, legacy, StandardCopyOption.REPLACE_EXISTING);
        }
        catalog = JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null,
                new ClaimPolicy("test:1:1", Duration.ofMinutes(30), 5, Duration.ofSeconds(60)), Clock.systemUTC(), 4);
        importer = new LegacyImport(Map.of("data1", dir.resolve("data1"), "data2", dir.resolve("data2"),
                "data3", dir.resolve("data3"), "data4", dir.resolve("data4")));
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    private LegacyImport.Report importSample() {
        return importer.run(legacy, catalog, false, Instant.parse("2026-11-28T12:00:00Z"));
    }

    private CatalogFile file(String lfn) {
        return catalog.find(lfn).orElseThrow(() -> new AssertionError("not imported: " + lfn));
    }

    @Test
    void everySampleRowLandsInItsStateWithNormalisedValues() {
        LegacyImport.Report r = importSample();

        assertThat(r.read()).isEqualTo(11);
        assertThat(r.skippedPresent()).isZero();
        assertThat(catalog.count(FileFilter.all(100))).isEqualTo(11);
        assertThat(r.perState()).containsEntry(FileState.REGISTERED, 4).containsEntry(FileState.ON_DISK_STORAGE, 4)
                .containsEntry(FileState.TAPE_SUBMITTED, 1).containsEntry(FileState.ON_TAPE, 2);

        CatalogFile no = file(FE + "0.dat");
        assertThat(no.state()).isEqualTo(FileState.REGISTERED);
        assertThat(no.attempts()).isZero();
        assertThat(no.adler32()).isNull();
        assertThat(no.shippedAt()).isNull();
        assertThat(no.localPath()).isEqualTo("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat");
        assertThat(no.run()).isEqualTo("MIG_Fe55_data_220803T145447");
        assertThat(no.size()).isEqualTo(2147483648L);
        assertThat(no.mtime()).isEqualTo(Instant.parse("2022-08-03T14:54:47Z"));

        CatalogFile ongoing = file(FE + "1.dat");
        assertThat(ongoing.state()).isEqualTo(FileState.REGISTERED);
        assertThat(ongoing.attempts()).as("an Ongoing copy may have died: the shipper must re-verify the destination").isEqualTo(1);

        CatalogFile yes = file(FE + "2.dat");
        assertThat(yes.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(yes.adler32()).isEqualTo("0a1b2c3d");
        assertThat(yes.shippedAt()).isEqualTo(Instant.parse("2022-08-03T15:56:47Z"));
        assertThat(yes.compressedName()).isNull();

        assertThat(file(FE + "3.dat").state()).as("Zipping: the job died").isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(file(FE + "4.dat").state()).as("Uploading Zip: the job died").isEqualTo(FileState.ON_DISK_STORAGE);

        CatalogFile submitted = file(PMT + "0.dat");
        assertThat(submitted.state()).isEqualTo(FileState.TAPE_SUBMITTED);
        assertThat(submitted.tapeTransferId()).isEqualTo("8a1f7c2e-1b2c-11ed-9a3b-fa163e5d1c2a");
        assertThat(submitted.claimOwner()).as("the poller takes it over, no claim").isNull();
        assertThat(submitted.compressedAdler32()).isEqualTo("4e5f6071");
        assertThat(submitted.compressedSize()).isEqualTo(61234567L);

        CatalogFile onTape = file(PMT + "1.dat");
        assertThat(onTape.state()).isEqualTo(FileState.ON_TAPE);
        assertThat(onTape.compressedAdler32()).as("7a3b1 is zero-padded").isEqualTo("0007a3b1");
        assertThat(onTape.onTapeAt()).isEqualTo(Instant.parse("2022-08-04T15:00:47Z"));
        assertThat(onTape.rawDeletedAt()).isNull();

        CatalogFile cleaned = file(PMT + "2.dat");
        assertThat(cleaned.state()).isEqualTo(FileState.ON_TAPE);
        assertThat(cleaned.rawDeletedAt()).as("On Tape: the raw copy was already cleaned").isNotNull();

        CatalogFile retake = file(RETAKE);
        assertThat(retake.state()).isEqualTo(FileState.REGISTERED);
        assertThat(retake.size()).isZero();
        assertThat(retake.disk()).isEqualTo("data3");

        CatalogFile unicode = file(UNICODE);
        assertThat(unicode.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(unicode.adler32()).isEqualTo("00000001");

        CatalogFile reset = file(AM);
        assertThat(reset.state()).as("a reset row with a stale FTS id waits to be shipped").isEqualTo(FileState.REGISTERED);
        assertThat(reset.tapeTransferId()).isNull();
        assertThat(catalog.events(reset.id())).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("stale FTS ID bd4a0f51"));

        for (CatalogFile f : catalog.list(FileFilter.all(100))) {
            assertThat(catalog.events(f.id())).as(f.lfn()).extracting(FileEvent::action).containsExactly("import");
        }
    }

    @Test
    void secondImportChangesNothingAndTheLegacyFileIsNeverModified() throws Exception {
        String before = sha256(legacy);
        importSample();
        List<CatalogFile> first = catalog.list(FileFilter.all(100));
        long events = first.stream().mapToLong(f -> catalog.events(f.id()).size()).sum();

        LegacyImport.Report again = importSample();

        assertThat(again.skippedPresent()).isEqualTo(11);
        assertThat(again.perState()).isEmpty();
        assertThat(catalog.list(FileFilter.all(100))).isEqualTo(first);
        assertThat(catalog.list(FileFilter.all(100)).stream().mapToLong(f -> catalog.events(f.id()).size()).sum()).isEqualTo(events);
        assertThat(sha256(legacy)).isEqualTo(before);
    }

    @Test
    void dryRunWritesNothing() {
        LegacyImport.Report r = importer.run(legacy, catalog, true, Instant.now());
        assertThat(r.dryRun()).isTrue();
        assertThat(r.perState().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(11);
        assertThat(catalog.count(FileFilter.all(100))).isZero();
    }

    @Test
    void aGridCyclePicksUpExactlyWhatTheOldSystemWouldHaveProcessedNext() {
        importSample();
        assertThat(catalog.claim(Stage.COMPRESS, 150)).extracting(CatalogFile::lfn)
                .containsExactlyInAnyOrder(FE + "2.dat", FE + "3.dat", FE + "4.dat", UNICODE);
        assertThat(catalog.claim(Stage.TAPE, 150)).as("Submitted jobs belong to the poller").isEmpty();
        assertThat(catalog.claim(Stage.SHIP, 150)).extracting(CatalogFile::lfn)
                .containsExactlyInAnyOrder(FE + "0.dat", FE + "1.dat", RETAKE, AM);
    }

    @Test
    void rowsThatDoNotFitAreQuarantinedWithTheReasonNeverDropped() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + legacy); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE migdal_db SET \"In PPD dCache?\" = 'Maybe' WHERE \"File name\" = '" + FE + "0.dat'");
            st.executeUpdate("UPDATE migdal_db SET \"FTS ID\" = '' WHERE \"File name\" = '" + PMT + "0.dat'");
            st.executeUpdate("UPDATE migdal_db SET \"Checksum\" = 'xyz' WHERE \"File name\" = '" + FE + "2.dat'");
            st.executeUpdate("UPDATE migdal_db SET \"File size\" = 'big' WHERE \"File name\" = '" + FE + "3.dat'");
        }
        LegacyImport.Report r = importSample();

        assertThat(catalog.count(FileFilter.all(100))).isEqualTo(11);
        assertThat(r.quarantined()).isEqualTo(4);
        assertThat(file(FE + "0.dat").lastError()).contains("dCache='Maybe'");
        assertThat(file(PMT + "0.dat").lastError()).contains("without an FTS ID");
        assertThat(file(PMT + "0.dat").quarantinedFrom()).isEqualTo(FileState.TAPE_SUBMITTED);
        assertThat(file(FE + "2.dat").lastError()).contains("Checksum").contains("xyz");
        assertThat(file(FE + "3.dat").lastError()).contains("File size 'big'");
        assertThat(List.of(file(FE + "0.dat"), file(PMT + "0.dat"), file(FE + "2.dat"), file(FE + "3.dat")))
                .extracting(CatalogFile::state).containsOnly(FileState.QUARANTINED);
    }

    @Test
    void aTruncatedFileIsRefusedClearly() throws IOException {
        Path cut = dir.resolve("truncated.db");
        byte[] all = Files.readAllBytes(legacy);
        Files.write(cut, java.util.Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> LegacyRows.open(cut)).isInstanceOf(CatalogException.class)
                .hasMessageContaining(cut.toString()).hasMessageMatching("(?s).*(damaged|not an SQLite).*");
    }

    @Test
    void aFileThatIsNotSqliteIsRefusedClearly() throws IOException {
        Path junk = dir.resolve("junk.db");
        Files.writeString(junk, "this is not a database\n".repeat(100));
        assertThatThrownBy(() -> LegacyRows.open(junk)).isInstanceOf(CatalogException.class)
                .hasMessageContaining(junk.toString()).hasMessageContaining("not an SQLite database");
        assertThatThrownBy(() -> LegacyRows.open(dir.resolve("missing.db"))).isInstanceOf(CatalogException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void anSqliteFileWithoutTheLegacyTableIsRefusedClearly() throws Exception {
        Path other = dir.resolve("other.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE runs (id INTEGER)");
        }
        assertThatThrownBy(() -> LegacyRows.open(other)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("no table migdal_db").hasMessageContaining("runs");
        Path wrongColumns = dir.resolve("wrong.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + wrongColumns); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE migdal_db (\"File name\" TEXT)");
        }
        assertThatThrownBy(() -> LegacyRows.open(wrongColumns)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("lacks the legacy columns");
    }

    private long importEvents() {
        return catalog.inTransaction(c -> {
            try (Statement st = c.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM file_events WHERE action = 'import'")) {
                rs.next();
                return rs.getLong(1);
            }
        }, "counting import events");
    }

    @Test
    void aCatalogOfManyChunksIsImportedRowForRowAndARerunSkipsEveryRow() throws Exception {
        Path big = dir.resolve("big.db");
        int rows = 3 * LegacyImport.CHUNK + 17;
        org.migdal.dm.cli.LegacyCatalogs.generate(big, rows);

        LegacyImport.Report dry = importer.run(big, catalog, true, Instant.now());
        assertThat(dry.read()).isEqualTo(rows);
        assertThat(dry.perState().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(rows);
        assertThat(catalog.count(FileFilter.all(100))).isZero();

        LegacyImport.Report r = importer.run(big, catalog, false, Instant.now());
        assertThat(r.read()).isEqualTo(rows);
        assertThat(r.perState()).isEqualTo(dry.perState());
        assertThat(catalog.count(FileFilter.all(100))).isEqualTo(rows);
        assertThat(importEvents()).isEqualTo(rows);

        LegacyImport.Report again = importer.run(big, catalog, false, Instant.now());
        assertThat(again.skippedPresent()).isEqualTo(rows);
        assertThat(importEvents()).isEqualTo(rows);
        assertThat(importer.run(big, catalog, true, Instant.now()).skippedPresent()).as("a dry run sees them present").isEqualTo(rows);
    }

    @Test
    void aReadFailureHalfWayLeavesNothingImported() throws Exception {
        Path big = dir.resolve("big.db");
        org.migdal.dm.cli.LegacyCatalogs.generate(big, 2 * LegacyImport.CHUNK + 5);
        try (LegacyRows rows = LegacyRows.open(big)) {
            java.util.Iterator<LegacyImport.LegacyRow> failing = new java.util.Iterator<>() {
                int n;

                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public LegacyImport.LegacyRow next() {
                    if (++n > LegacyImport.CHUNK + 3) {
                        throw new CatalogException("cannot read legacy catalog " + big + " (damaged?)");
                    }
                    return rows.next();
                }
            };
            assertThatThrownBy(() -> importer.run(failing, catalog, false, Instant.now())).isInstanceOf(CatalogException.class)
                    .hasMessageContaining(big.toString());
        }
        assertThat(catalog.count(FileFilter.all(100))).as("one transaction: the chunk written before the failure is rolled back").isZero();
        assertThat(importEvents()).isZero();
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

}
