package org.migdal.dm.daq;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogException;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.ScanProblem;
import org.migdal.dm.config.MigdalConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migdal.dm.daq.DaqTestSupport.bytes;
import static org.migdal.dm.daq.DaqTestSupport.flag;
import static org.migdal.dm.daq.DaqTestSupport.write;

class ScannerTest {
    @TempDir
    Path tmp;
    Path data1;
    Path data2;
    JdbcCatalog catalog;

    @BeforeEach
    void setUp() throws IOException {
        data1 = Files.createDirectories(tmp.resolve("daq/data1"));
        data2 = Files.createDirectories(tmp.resolve("daq/data2"));
        catalog = DaqTestSupport.catalog(tmp.resolve("catalog.db"), "test:1:1", 3, Duration.ZERO, Clock.systemUTC());
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    private Scanner scanner(Path... roots) {
        return new Scanner(DaqTestSupport.daq(roots), catalog, Clock.systemUTC());
    }

    private List<CatalogFile> all() {
        return catalog.list(FileFilter.all(1000));
    }

    @Test
    void onlyFlaggedDisksAreScannedAndTheFlagGoesOnceTheListingIsCommitted() throws IOException {
        Path a = write(data1.resolve("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat"), bytes(1000, 1));
        Path b = write(data1.resolve("MIG_Fe55_data_220803T145447/sub/MIG_Fe55_data_220803T145447.CAL.0001.dat"), bytes(2000, 2));
        Path notFlagged = write(data2.resolve("MIG_AmBe_data_220804T101010/MIG_AmBe_data_220804T101010.CAL.0000.dat"), bytes(10, 3));
        Path emptyOnUnflagged = Files.createDirectories(data2.resolve("MIG_AmBe_data_220804T101010/empty"));
        flag(data1);

        ScanReport r = scanner(data1, data2).scan();

        assertThat(r.disksScanned()).containsExactly("data1");
        assertThat(r.problems()).isEmpty();
        assertThat(r.filesFound()).isEqualTo(2);
        assertThat(r.registered()).isEqualTo(2);
        assertThat(data1.resolve("ReadyToTransfer")).doesNotExist();
        assertThat(all()).extracting(CatalogFile::lfn).containsExactlyInAnyOrder(
                "/2208/220803/MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat",
                "/2208/220803/MIG_Fe55_data_220803T145447/sub/MIG_Fe55_data_220803T145447.CAL.0001.dat");
        CatalogFile fa = catalog.find("/2208/220803/MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat").orElseThrow();
        assertThat(fa.state()).isEqualTo(FileState.REGISTERED);
        assertThat(fa.disk()).isEqualTo("data1");
        assertThat(fa.size()).isEqualTo(1000);
        assertThat(fa.mtime().toEpochMilli()).isEqualTo(Files.getLastModifiedTime(a).toMillis());
        assertThat(fa.localPath()).isEqualTo("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat");
        assertThat(fa.run()).isEqualTo("MIG_Fe55_data_220803T145447");
        assertThat(catalog.disk("data1")).get().extracting(DiskRecord::state).isEqualTo(DiskRecord.DiskState.DRAINING);
        assertThat(catalog.disk("data2")).isEmpty();
        // scanning registers, it never moves or deletes a file
        assertThat(a).exists();
        assertThat(b).exists();
        assertThat(notFlagged).exists();
        assertThat(emptyOnUnflagged).isDirectory(); // an unflagged disk is not touched at all

        // a second scan (disk still draining) finds the same files known, registers nothing twice
        ScanReport again = scanner(data1, data2).scan();
        assertThat(again.registered()).isZero();
        assertThat(again.alreadyKnown()).isEqualTo(2);
        assertThat(all()).hasSize(2);
    }

    @Test
    void theFlagStaysWhenTheListingCannotBeCommitted() throws Exception {
        write(data1.resolve("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat"), bytes(100, 1));
        flag(data1);
        // a real SQLite failure at commit time: a trigger that aborts every insert
        catalog.inTransaction(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TRIGGER refuse BEFORE INSERT ON files BEGIN SELECT RAISE(ABORT, 'catalog refuses inserts'); END");
            }
            return null;
        }, "test trigger");

        assertThatThrownBy(() -> scanner(data1).scan()).isInstanceOf(CatalogException.class);

        assertThat(data1.resolve("ReadyToTransfer")).exists();
        assertThat(catalog.disk("data1")).isEmpty();
    }

    @Test
    void emptyFoldersUnderRunsAreRemovedAndEverythingOutsideRunsIsIgnored() throws IOException {
        Path kept = write(data1.resolve("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat"), bytes(10, 1));
        Files.createDirectories(data1.resolve("MIG_Fe55_data_220803T145447/empty/deeper/deepest"));
        Files.createDirectories(data1.resolve("MIG_empty_run_220803T150000"));
        Path outsideFile = write(data1.resolve("calibration/notes_220803T145447.dat"), bytes(10, 2));
        Path outsideEmpty = Files.createDirectories(data1.resolve("lost+found"));
        Path topFile = write(data1.resolve("DAQ_220803T145447.log"), bytes(10, 3));
        flag(data1);

        ScanReport r = scanner(data1).scan();

        assertThat(r.problems()).isEmpty();
        assertThat(r.foldersRemoved()).isEqualTo(4); // empty, deeper, deepest, MIG_empty_run_…
        assertThat(data1.resolve("MIG_Fe55_data_220803T145447/empty")).doesNotExist();
        assertThat(data1.resolve("MIG_empty_run_220803T150000")).doesNotExist();
        assertThat(kept).exists();
        assertThat(outsideFile).exists();
        assertThat(outsideEmpty).isDirectory();
        assertThat(topFile).exists();
        assertThat(all()).extracting(CatalogFile::localPath)
                .containsExactly("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat");
    }

    @Test
    void oddNamesSpacesAndUnicodeRegisteredExactlyNewlineReportedAndLeft() throws IOException {
        assertThat(System.getProperty("sun.jnu.encoding")).as("file names need a UTF-8 locale (LC_ALL=C.UTF-8)")
                .isEqualToIgnoringCase("UTF-8");
        String unicodeRel = "MIG_Ünïcødé run_220803T145447/Ünïcødé frame 0001 µs.dat";
        String spacesRel = "MIG_with spaces_220803T145447/a  b  c.dat";
        String newlineRel = "MIG_odd_220803T145447/bad\nname_220803T145447.dat";
        Path unicode = write(data1.resolve(unicodeRel), bytes(11, 1));
        Path spaces = write(data1.resolve(spacesRel), bytes(12, 2));
        Path newline = write(data1.resolve(newlineRel), bytes(13, 3));
        flag(data1);

        ScanReport r = scanner(data1).scan();

        assertThat(catalog.find("/2208/220803/" + unicodeRel)).get().satisfies(f -> {
            assertThat(f.localPath()).isEqualTo(unicodeRel);
            assertThat(f.size()).isEqualTo(11);
        });
        assertThat(catalog.find("/2208/220803/" + spacesRel)).get().extracting(CatalogFile::localPath).isEqualTo(spacesRel);
        assertThat(all()).hasSize(2);
        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("data1:MIG_odd_220803T145447/bad\\nname_220803T145447.dat");
            assertThat(p.where()).doesNotContain("\n");
            assertThat(p.message()).contains("control character").contains("rename");
        });
        assertThat(newline).exists();
        assertThat(unicode).exists();
        assertThat(spaces).exists();
    }

    @Test
    void symlinksAreReportedNeverFollowedAndTheirTargetsUntouched() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        byte[] secret = bytes(500, 9);
        Path outsideFile = write(outside.resolve("MIG_secret_220803T145447.dat"), secret);
        Path outsideDir = Files.createDirectories(outside.resolve("dir"));
        Path outsideDirFile = write(outsideDir.resolve("MIG_inner_220803T145447.dat"), secret);
        Path run = Files.createDirectories(data1.resolve("MIG_Fe55_data_220803T145447"));
        Path real = write(run.resolve("MIG_Fe55_data_220803T145447.CAL.0000.dat"), bytes(100, 1));
        Path fileLink = Files.createSymbolicLink(run.resolve("MIG_Fe55_data_220803T145447.CAL.0001.dat"), outsideFile);
        Path dirLink = Files.createSymbolicLink(run.resolve("linked_dir_220803T145447"), outsideDir);
        Path topLink = Files.createSymbolicLink(data1.resolve("MIG_linked_run_220803T145447"), outsideDir);
        Path emptyLinkedDir = Files.createDirectories(outside.resolve("empty"));
        Path linkToEmpty = Files.createSymbolicLink(run.resolve("link_to_empty"), emptyLinkedDir);
        flag(data1);

        ScanReport r = scanner(data1).scan();

        assertThat(all()).extracting(CatalogFile::localPath).containsExactly("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat");
        assertThat(r.problems()).extracting(Problem::where).containsExactlyInAnyOrder(
                "data1:MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0001.dat",
                "data1:MIG_Fe55_data_220803T145447/linked_dir_220803T145447",
                "data1:MIG_linked_run_220803T145447",
                "data1:MIG_Fe55_data_220803T145447/link_to_empty");
        assertThat(r.problems()).allSatisfy(p -> assertThat(p.message()).contains("symbolic link"));
        for (Path link : List.of(fileLink, dirLink, topLink, linkToEmpty)) {
            assertThat(Files.isSymbolicLink(link)).as("%s kept", link).isTrue();
        }
        assertThat(Files.readAllBytes(outsideFile)).isEqualTo(secret);
        assertThat(Files.readAllBytes(outsideDirFile)).isEqualTo(secret);
        assertThat(emptyLinkedDir).isDirectory(); // an empty folder behind a link is not "an empty folder under MIG_*"
        assertThat(real).exists();
    }

    @Test
    void aMissingDiskRootIsAProblemAndTheOtherDisksAreStillScanned() throws IOException {
        Path missing = tmp.resolve("daq/data3-not-mounted");
        write(data1.resolve("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat"), bytes(10, 1));
        flag(data1);
        MigdalConfig.Daq daq = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data3", missing.toString()),
                new MigdalConfig.Disk("data1", data1.toString())), null, null, null, null, null);

        ScanReport r = new Scanner(daq, catalog, Clock.systemUTC()).scan();

        assertThat(r.problems()).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("data3");
            assertThat(p.message()).contains(missing.toString()).contains("not mounted");
        });
        assertThat(r.disksScanned()).containsExactly("data1");
        assertThat(r.registered()).isEqualTo(1);
        assertThat(Files.exists(missing, LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void aNameWithoutTimestampIsReportedAndLeftAlone() throws IOException {
        Path noStamp = write(data1.resolve("MIG_Fe55_data/frame_0001.dat"), bytes(10, 1));
        Path badDate = write(data1.resolve("MIG_Fe55_data_221301T145447/frame_0001.dat"), bytes(10, 2));
        flag(data1);

        ScanReport r = scanner(data1).scan();

        assertThat(all()).isEmpty();
        assertThat(r.problems()).extracting(Problem::where)
                .containsExactlyInAnyOrder("data1:MIG_Fe55_data/frame_0001.dat", "data1:MIG_Fe55_data_221301T145447/frame_0001.dat");
        assertThat(r.problems()).allSatisfy(p -> assertThat(p.message()).contains("no run timestamp").contains("left alone"));
        assertThat(noStamp).exists();
        assertThat(badDate).exists();
        // the listing (empty) is still committed: the flag goes, the disk is draining, the file keeps it from release
        assertThat(data1.resolve("ReadyToTransfer")).doesNotExist();
        assertThat(catalog.disk("data1")).get().extracting(DiskRecord::state).isEqualTo(DiskRecord.DiskState.DRAINING);
    }
    private long rows(String sql) {
        return catalog.inTransaction(c -> {
            try (Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }, "counting");
    }

    @Test
    void scanProblemsAreRecordedOncePerConditionOverThreeScansAndClearedWhenFixed() throws IOException {
        Path run = Files.createDirectories(data1.resolve("MIG_Fe55_data_220803T145447"));
        write(run.resolve("MIG_Fe55_data_220803T145447.CAL.0000.dat"), bytes(100, 1));
        Path outside = write(tmp.resolve("outside/MIG_secret_220803T145447.dat"), bytes(10, 2));
        Path link = Files.createSymbolicLink(run.resolve("MIG_Fe55_data_220803T145447.CAL.0001.dat"), outside);
        Path noStamp = write(data1.resolve("MIG_Fe55_data/frame_0001.dat"), bytes(10, 3));
        Path newline = write(run.resolve("bad\nname.dat"), bytes(10, 4));
        flag(data1);
        long eventsBefore = rows("SELECT COUNT(*) FROM file_events");

        List<ScanReport> reports = new java.util.ArrayList<>();
        for (int scan = 0; scan < 3; scan++) {
            reports.add(scanner(data1).scan());
        }

        assertThat(reports.get(0).newProblems()).hasSize(3);
        assertThat(reports.get(1).newProblems()).isEmpty();
        assertThat(reports.get(2).newProblems()).isEmpty();
        assertThat(reports.get(2).problems()).hasSize(3);
        assertThat(rows("SELECT COUNT(*) FROM scan_problems")).as("one row per condition, not per scan").isEqualTo(3);
        assertThat(rows("SELECT COUNT(*) FROM file_events") - eventsBefore).as("one register event, none per scan").isEqualTo(1);
        assertThat(catalog.openScanProblems("data1")).extracting(ScanProblem::kind).containsExactlyInAnyOrder(
                ScanProblem.Kind.SYMLINK, ScanProblem.Kind.NO_RUN_STAMP, ScanProblem.Kind.BAD_NAME);
        assertThat(catalog.openScanProblems("data1")).allSatisfy(p -> {
            assertThat(p.seenCount()).isEqualTo(3);
            assertThat(p.where()).doesNotContain("\n");
        });
        assertThat(catalog.openScanProblems("data1")).filteredOn(p -> p.kind() == ScanProblem.Kind.SYMLINK).singleElement()
                .satisfies(p -> assertThat(p.action()).contains("remove the symbolic link"));
        assertThat(catalog.openScanProblems("data1")).filteredOn(p -> p.kind() == ScanProblem.Kind.NO_RUN_STAMP).singleElement()
                .satisfies(p -> assertThat(p.action()).contains("rename").contains("run stamp"));
        assertThat(reports.get(0).newProblems()).allSatisfy(p -> assertThat(p.message()).contains("to do:"));

        // the operator fixes two of them: the next scan clears those, keeps the third, adds no row
        Files.delete(link);
        Files.move(newline, run.resolve("good name.dat"));
        ScanReport fixed = scanner(data1).scan();
        assertThat(fixed.newProblems()).isEmpty();
        assertThat(catalog.openScanProblems("data1")).extracting(ScanProblem::kind).containsExactly(ScanProblem.Kind.NO_RUN_STAMP);
        assertThat(rows("SELECT COUNT(*) FROM scan_problems WHERE cleared_at IS NOT NULL")).isEqualTo(2);
        assertThat(rows("SELECT COUNT(*) FROM scan_problems")).isEqualTo(3);
        assertThat(catalog.find("/2208/220803/MIG_Fe55_data_220803T145447/good name.dat")).isPresent();
        assertThat(noStamp).exists();
        assertThat(outside).exists();
    }

    @Test
    void aMissingFileListedAgainByARescanIsRegisteredAgain() throws IOException {
        Path f = write(data1.resolve("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat"), bytes(100, 1));
        flag(data1);
        scanner(data1).scan();
        CatalogFile claimed = catalog.claim(org.migdal.dm.catalog.Stage.SHIP, 1).get(0);
        catalog.markMissing(claimed, "vanished");

        ScanReport r = scanner(data1).scan(); // still draining: listed again

        assertThat(r.registered()).isEqualTo(1);
        CatalogFile back = catalog.find(claimed.lfn()).orElseThrow();
        assertThat(back.state()).isEqualTo(FileState.REGISTERED);
        assertThat(catalog.events(back.id())).extracting(org.migdal.dm.catalog.FileEvent::action)
                .containsExactly("register", "missing", "reappeared");
        assertThat(f).exists();
    }

    @Test
    void aDiskRootThatIsMissingIsOneProblemReportedOnceAndClearedWhenMounted() throws IOException {
        Path missing = tmp.resolve("daq/data3");
        MigdalConfig.Daq daq = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data3", missing.toString())), null, null, null,
                null, null);

        ScanReport first = new Scanner(daq, catalog, Clock.systemUTC()).scan();
        ScanReport second = new Scanner(daq, catalog, Clock.systemUTC()).scan();
        Files.createDirectories(missing);
        ScanReport mounted = new Scanner(daq, catalog, Clock.systemUTC()).scan();

        assertThat(first.newProblems()).singleElement().extracting(Problem::where).isEqualTo("data3");
        assertThat(second.newProblems()).isEmpty();
        assertThat(second.problems()).hasSize(1);
        assertThat(mounted.problems()).isEmpty();
        assertThat(catalog.openScanProblems(null)).isEmpty();
        assertThat(rows("SELECT COUNT(*) FROM scan_problems")).isEqualTo(1);
    }
}
