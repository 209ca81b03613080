package org.migdal.dm.daq;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.ScanProblem;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.transfer.ShipReport;
import org.migdal.dm.transfer.Shipper;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.daq.DaqTestSupport.adler32;
import static org.migdal.dm.daq.DaqTestSupport.bytes;
import static org.migdal.dm.daq.DaqTestSupport.flag;
import static org.migdal.dm.daq.DaqTestSupport.write;

class DiskCleanerTest {
    static final String RUN_A = "MIG_Fe55_data_220803T145447";
    static final String RUN_B = "MIG_AmBe_data_220804T101010";
    static final String FA = RUN_A + "/" + RUN_A + ".CAL.0000.dat";
    static final String FB = RUN_B + "/deep/" + RUN_B + ".CAL.0000.dat";

    @TempDir
    Path tmp;
    Path disk;
    Path storageDir;
    DaqTestSupport.MutableClock clock;
    JdbcCatalog catalog;
    MigdalConfig.Daq daq;
    FileEndpoint storage;

    @BeforeEach
    void setUp() throws Exception {
        disk = Files.createDirectories(tmp.resolve("daq/data1"));
        storageDir = Files.createDirectories(tmp.resolve("storage"));
        clock = new DaqTestSupport.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        catalog = DaqTestSupport.catalog(tmp.resolve("catalog.db"), "test:1:1", 3, Duration.ofHours(1), clock);
        // the tests run as root, so the hand-back to another account is real
        daq = DaqTestSupport.daqOwned("nobody", "nogroup", disk);
        storage = new FileEndpoint(storageDir.toUri());
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    private DiskCleaner cleaner() {
        return cleaner(storage);
    }

    private DiskCleaner cleaner(StorageEndpoint endpoint) {
        return new DiskCleaner(daq, catalog, new LocalCopies(daq, catalog, endpoint), clock);
    }

    private void scan() {
        new Scanner(daq, catalog, clock).scan();
    }

    private void ship() {
        new Shipper(daq, 2, catalog, storage).ship(n -> { });
    }

    private Path readyForData() {
        return disk.resolve("ReadyForData");
    }

    private CatalogFile row(String rel) {
        return catalog.find("/" + rel.substring(rel.indexOf("_data_") + 6, rel.indexOf("_data_") + 10) + "/"
                + rel.substring(rel.indexOf("_data_") + 6, rel.indexOf("_data_") + 12) + "/" + rel).orElseThrow();
    }

    @Test
    void readyForDataOnlyOnceNoRunIsLeftAndNoRowHasALocalCopy() throws Exception {
        write(disk.resolve(FA), bytes(1000, 1));
        write(disk.resolve(FB), bytes(2000, 2));
        Files.createDirectories(disk.resolve("lost+found")); // not a run: does not hold the disk back
        flag(disk);

        // flagged but not yet listed: nothing to hand back
        DiskCleaner.Report before = cleaner().clean();
        assertThat(before.released()).isEmpty();
        assertThat(readyForData()).doesNotExist();

        scan();
        DiskCleaner.Report listed = cleaner().clean();
        assertThat(listed.released()).isEmpty();
        assertThat(readyForData()).doesNotExist();
        assertThat(catalog.disk("data1").orElseThrow().note()).contains("2 file(s) still to ship or delete");

        ship();
        assertThat(disk.resolve(RUN_A)).doesNotExist();
        assertThat(disk.resolve(RUN_B)).doesNotExist();
        DiskCleaner.Report drained = cleaner().clean();

        assertThat(drained.released()).containsExactly("data1");
        assertThat(drained.problems()).isEmpty();
        assertThat(readyForData()).isRegularFile();
        PosixFileAttributes attrs = Files.readAttributes(readyForData(), PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertThat(PosixFilePermissions.toString(attrs.permissions())).isEqualTo("rw-rw-r--");
        assertThat(attrs.owner().getName()).isEqualTo("nobody");
        assertThat(attrs.group().getName()).isEqualTo("nogroup");
        assertThat(catalog.disk("data1").orElseThrow().state()).isEqualTo(DiskRecord.DiskState.RELEASED);
        assertThat(disk.resolve("lost+found")).isDirectory();
        try (var s = Files.list(disk)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".ReadyForData"));
        }
    }

    @Test
    void aDiskNeverFlaggedIsNotHandedBackEvenIfEmpty() {
        DiskCleaner.Report r = cleaner().clean();
        assertThat(r.released()).isEmpty();
        assertThat(readyForData()).doesNotExist();
    }

    @Test
    void aRunEntryTheCatalogDoesNotKnowHoldsTheDiskBack() throws Exception {
        write(disk.resolve(FA), bytes(1000, 1));
        Path unlisted = write(disk.resolve("MIG_no_timestamp/readme.dat"), bytes(10, 2));
        flag(disk);
        scan();
        ship();

        DiskCleaner.Report r = cleaner().clean();

        assertThat(r.released()).isEmpty();
        assertThat(readyForData()).doesNotExist();
        assertThat(unlisted).exists();
        assertThat(catalog.disk("data1").orElseThrow().note()).contains("0 file(s)").contains("MIG_no_timestamp");
    }

    @Test
    void notWhileAQuarantinedFileIsStillOnTheDisk() throws Exception {
        write(disk.resolve(FA), bytes(1000, 1));
        Path stuck = write(disk.resolve(FB), bytes(1000, 2));
        flag(disk);
        scan();
        // someone else's bytes already at the destination: quarantined on the first attempt
        write(storageDir.resolve(row(FB).lfn().substring(1)), bytes(1000, 3));
        ship();
        assertThat(row(FB).state()).isEqualTo(FileState.QUARANTINED);
        assertThat(row(FA).localDeletedAt()).isNotNull();

        DiskCleaner.Report r = cleaner().clean();

        assertThat(r.released()).isEmpty();
        assertThat(readyForData()).doesNotExist();
        assertThat(stuck).exists();
        assertThat(catalog.disk("data1").orElseThrow().note()).contains("1 file(s) still to ship or delete").contains(RUN_B);
        assertThat(catalog.disk("data1").orElseThrow().state()).isEqualTo(DiskRecord.DiskState.DRAINING);
    }

    /** What a process that died right after ON_DISK_STORAGE, before its local delete, leaves behind. */
    private CatalogFile shippedButNotDeleted(String rel, byte[] content) throws Exception {
        List<CatalogFile> claimed = catalog.claim(Stage.SHIP, 1);
        assertThat(claimed).hasSize(1);
        CatalogFile f = claimed.get(0);
        if (rel != null) {
            assertThat(f.localPath()).isEqualTo(rel);
        } else {
            content = Files.readAllBytes(disk.resolve(f.localPath()));
        }
        StorageEndpoint.Sent sent = storage.put(new ByteArrayInputStream(content), content.length, f.lfn(), false);
        assertThat(sent.adler32().value()).isEqualTo(adler32(content));
        return catalog.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32(sent.adler32().value()), "ship",
                "copied by a process that then crashed");
    }

    @Test
    void aCrashBetweenConfirmationAndLocalDeleteIsFinishedByClean() throws Exception {
        byte[] content = bytes(5000, 4);
        Path local = write(disk.resolve(FA), content);
        flag(disk);
        scan();
        CatalogFile f = shippedButNotDeleted(FA, content);
        assertThat(f.localDeletedAt()).isNull();
        assertThat(local).exists();

        DiskCleaner.Report r = cleaner().clean();

        assertThat(r.deleted()).isEqualTo(1);
        assertThat(r.refused()).isZero();
        assertThat(local).doesNotExist();
        // the same pass, having deleted the last copy, hands the disk back
        assertThat(r.released()).containsExactly("data1");
        assertThat(readyForData()).exists();

        f = catalog.get(f.id()).orElseThrow();
        assertThat(f.localDeletedAt()).isNotNull();
        List<FileEvent> events = catalog.events(f.id());
        assertThat(events).filteredOn(e -> e.action().equals("delete-local")).singleElement().satisfies(e -> {
            assertThat(e.ok()).isTrue();
            assertThat(e.message()).contains("storage confirmed").contains(adler32(content));
        });
        assertThat(disk.resolve(RUN_A)).doesNotExist();
        assertThat(Files.readAllBytes(storageDir.resolve(f.lfn().substring(1)))).isEqualTo(content);
    }

    @Test
    void cleanRefusesWhenTheStorageCopyNoLongerMatches() throws Exception {
        byte[] content = bytes(5000, 5);
        Path local = write(disk.resolve(FA), content);
        flag(disk);
        scan();
        CatalogFile f = shippedButNotDeleted(FA, content);
        Path stored = storageDir.resolve(f.lfn().substring(1));
        byte[] rotten = content.clone();
        rotten[17] ^= 1;
        Files.write(stored, rotten); // same size, other bytes

        DiskCleaner.Report r = cleaner().clean();

        assertThat(r.refused()).isEqualTo(1);
        assertThat(r.deleted()).isZero();
        assertThat(Files.readAllBytes(local)).isEqualTo(content);
        assertThat(readyForData()).doesNotExist();
        CatalogFile after = catalog.get(f.id()).orElseThrow();
        assertThat(after.localDeletedAt()).isNull();
        assertThat(after.lastError()).contains("DAQ copy not deleted").contains(adler32(rotten)).contains(adler32(content))
                .contains("DAQ copy kept");

        // storage copy gone altogether: still refused
        Files.delete(stored);
        assertThat(cleaner().clean().refused()).isEqualTo(1);
        assertThat(local).exists();
        assertThat(catalog.get(f.id()).orElseThrow().lastError()).contains("missing");
    }

    @Test
    void cleanRefusesWhenTheDaqCopyChangedAfterShipping() throws Exception {
        byte[] content = bytes(5000, 6);
        Path local = write(disk.resolve(FA), content);
        flag(disk);
        scan();
        shippedButNotDeleted(FA, content);
        Files.write(local, bytes(6000, 7)); // the DAQ wrote new data under the same name

        DiskCleaner.Report r = cleaner().clean();

        assertThat(r.refused()).isEqualTo(1);
        assertThat(local).exists();
        assertThat(Files.size(local)).isEqualTo(6000);
        assertThat(readyForData()).doesNotExist();
    }

    @Test
    void aRefusedCopyIsCountedAndRecordedOncePerPassBesideADeletedOne() throws Exception {
        byte[] a = bytes(3000, 20);
        byte[] b = bytes(3000, 21);
        Path localA = write(disk.resolve(FA), a);
        Path localB = write(disk.resolve(FB), b);
        flag(disk);
        scan();
        CatalogFile first = shippedButNotDeleted(null, null);
        CatalogFile second = shippedButNotDeleted(null, null);
        CatalogFile bad = first;
        Path stored = storageDir.resolve(bad.lfn().substring(1));
        byte[] rotten = Files.readAllBytes(stored);
        rotten[0] ^= 1;
        Files.write(stored, rotten);

        DiskCleaner.Report r = cleaner().clean();

        assertThat(r.deleted()).isEqualTo(1);
        assertThat(r.refused()).isEqualTo(1);
        assertThat(catalog.events(bad.id())).filteredOn(e -> e.action().equals("delete-local")).hasSize(1);
        assertThat(catalog.get(second.id()).orElseThrow().localDeletedAt()).isNotNull();
        assertThat(disk.resolve(bad.localPath())).exists();
        assertThat(disk.resolve(second.localPath())).doesNotExist();
        assertThat(List.of(localA, localB)).filteredOn(Files::exists).hasSize(1);
    }
    // ------------------------------------------------------------------ vanished files, unmounted disks, scan problems

    @Test
    void aVanishedFileIsMissingDoesNotHoldTheDiskBackAndForgetAcknowledgesIt() throws Exception {
        write(disk.resolve(FA), bytes(1000, 1));
        Path vanishing = write(disk.resolve(FB), bytes(2000, 2));
        flag(disk);
        scan();
        Files.delete(vanishing); // someone removes it on the DAQ disk before it is shipped

        ship();
        DiskCleaner.Report r = cleaner().clean();

        CatalogFile gone = row(FB);
        assertThat(gone.state()).isEqualTo(FileState.MISSING);
        assertThat(gone.attempts()).isZero();
        assertThat(gone.lastError()).contains(vanishing.toString()).contains("vanished").contains("forget");
        assertThat(row(FA).state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(r.released()).containsExactly("data1");
        assertThat(readyForData()).isRegularFile();
        assertThat(disk.resolve(RUN_B)).as("the vanished file's empty folders are pruned").doesNotExist();

        assertThat(catalog.forget(List.of(row(FA).lfn())).refused()).singleElement().asString()
                .contains("ON_DISK_STORAGE").contains("not MISSING");
        assertThat(catalog.forget(List.of(gone.lfn())).forgotten()).containsExactly(gone.lfn());
        assertThat(row(FB).state()).isEqualTo(FileState.FORGOTTEN);
        assertThat(catalog.events(gone.id())).extracting(FileEvent::action).containsExactly("register", "missing", "forget");
        assertThat(catalog.countLocalCopies("data1")).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"root missing", "empty mount point"})
    void anUnmountedDiskMakesNothingMissingAndItsWorkWaitsUntilItIsBack(String how) throws Exception {
        byte[] content = bytes(1000, 1);
        Path local = write(disk.resolve(FA), content);
        write(disk.resolve(FB), bytes(2000, 2));
        flag(disk);
        scan();
        Path away = tmp.resolve("real-disk");
        Files.move(disk, away); // the disk is unmounted
        if (how.equals("empty mount point")) {
            Files.createDirectories(disk);
        }

        ShipReport shipped = new Shipper(daq, 2, catalog, storage).ship(n -> { });
        DiskCleaner.Report cleaned = cleaner().clean();
        ScanReport first = new Scanner(daq, catalog, clock).scan();
        ScanReport second = new Scanner(daq, catalog, clock).scan();

        assertThat(shipped.missing() + shipped.quarantined() + shipped.failed() + shipped.shipped()).isZero();
        for (String rel : List.of(FA, FB)) {
            CatalogFile f = row(rel);
            assertThat(f.state()).as(rel).isEqualTo(FileState.REGISTERED);
            assertThat(f.attempts()).as(rel).isZero();
            assertThat(f.localDeletedAt()).as(rel).isNull();
        }
        assertThat(cleaned.released()).isEmpty();
        assertThat(readyForData()).doesNotExist();
        assertThat(first.newProblems()).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("data1");
            assertThat(p.message()).contains("not mounted").contains("mount the disk");
        });
        assertThat(second.newProblems()).as("reported once").isEmpty();
        assertThat(second.problems()).hasSize(1);
        assertThat(catalog.openScanProblems("data1")).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ScanProblem.Kind.DISK_UNAVAILABLE);
            assertThat(p.seenCount()).isEqualTo(2);
        });

        // mounted again: everything resumes
        if (Files.exists(disk)) {
            Files.delete(disk);
        }
        Files.move(away, disk);
        new Scanner(daq, catalog, clock).scan();
        assertThat(catalog.openScanProblems("data1")).isEmpty();
        ship();
        assertThat(cleaner().clean().released()).containsExactly("data1");
        assertThat(row(FA).state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(local).doesNotExist();
        assertThat(Files.readAllBytes(storageDir.resolve(row(FA).lfn().substring(1)))).isEqualTo(content);
    }

    @Test
    void aRefusedDeleteDoesNotGrowHistoryOverFiveCycles() throws Exception {
        byte[] content = bytes(5000, 8);
        Path local = write(disk.resolve(FA), content);
        flag(disk);
        scan();
        CatalogFile f = shippedButNotDeleted(FA, content);
        Files.delete(storageDir.resolve(f.lfn().substring(1))); // the storage copy is gone: every clean must refuse

        cleaner().clean();
        int eventsAfterFirst = catalog.events(f.id()).size();
        for (int cycle = 2; cycle <= 5; cycle++) {
            clock.advance(Duration.ofMinutes(5));
            assertThat(cleaner().clean().refused()).isEqualTo(1);
        }

        List<FileEvent> events = catalog.events(f.id());
        assertThat(events).hasSize(eventsAfterFirst);
        assertThat(events).filteredOn(e -> e.action().equals("delete-local")).singleElement().satisfies(e -> {
            assertThat(e.repeats()).isEqualTo(4);
            assertThat(e.lastAt()).isEqualTo(clock.instant());
            assertThat(e.message()).contains("missing");
        });
        assertThat(local).exists();
    }

    @Test
    void aDiskWith1200AwaitingFilesIsFinishedInOneCleanEvenWhenTheFirstPagesAreRefused() throws Exception {
        int n = 1200;
        int refusedFirst = 600; // more than a page: the first page is all refused
        for (int i = 0; i < n; i++) {
            write(disk.resolve(RUN_A + "/" + RUN_A + String.format(".CAL.%04d.dat", i)), bytes(16, i));
        }
        flag(disk);
        scan();
        List<CatalogFile> claimed = catalog.claim(Stage.SHIP, n);
        assertThat(claimed).hasSize(n).extracting(CatalogFile::id).isSorted();
        for (int i = 0; i < n; i++) {
            CatalogFile f = claimed.get(i);
            byte[] content = Files.readAllBytes(disk.resolve(f.localPath()));
            if (i >= refusedFirst) { // the first 600 have no storage copy: their DAQ copies must be kept
                storage.put(new ByteArrayInputStream(content), content.length, f.lfn(), false);
            }
            catalog.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32(adler32(content)), "ship", "copied");
        }

        DiskCleaner.Report r = cleaner().clean();

        assertThat(r.deleted()).isEqualTo(n - refusedFirst);
        assertThat(r.refused()).isEqualTo(refusedFirst);
        for (int i = 0; i < n; i++) {
            CatalogFile f = catalog.get(claimed.get(i).id()).orElseThrow();
            assertThat(Files.exists(disk.resolve(f.localPath()))).as(f.localPath()).isEqualTo(i < refusedFirst);
            assertThat(f.localDeletedAt() == null).as(f.localPath()).isEqualTo(i < refusedFirst);
        }
        assertThat(catalog.awaitingLocalDelete("data1", n)).hasSize(refusedFirst);
    }

    @Test
    void aFileWithoutRunStampIsReportedOnceKeepsTheDiskAndIsTakenOnceRenamed() throws Exception {
        write(disk.resolve(FA), bytes(1000, 1));
        Path noStamp = write(disk.resolve("MIG_Fe55_data/frame_0001.dat"), bytes(10, 2));
        flag(disk);

        ScanReport first = new Scanner(daq, catalog, clock).scan();
        ship();
        cleaner().clean();
        clock.advance(Duration.ofMinutes(5));
        ScanReport second = new Scanner(daq, catalog, clock).scan();
        cleaner().clean();
        clock.advance(Duration.ofMinutes(5));
        ScanReport third = new Scanner(daq, catalog, clock).scan();

        assertThat(first.newProblems()).singleElement().satisfies(p -> {
            assertThat(p.where()).isEqualTo("data1:MIG_Fe55_data/frame_0001.dat");
            assertThat(p.message()).contains("no run timestamp").contains("rename");
        });
        assertThat(second.newProblems()).isEmpty();
        assertThat(third.newProblems()).isEmpty();
        assertThat(third.problems()).hasSize(1);
        assertThat(catalog.openScanProblems("data1")).singleElement().satisfies(p -> {
            assertThat(p.kind()).isEqualTo(ScanProblem.Kind.NO_RUN_STAMP);
            assertThat(p.seenCount()).isEqualTo(3);
        });
        assertThat(catalog.disk("data1").orElseThrow().state()).isEqualTo(DiskRecord.DiskState.DRAINING);
        assertThat(readyForData()).doesNotExist();

        // the operator renames the run folder to carry its stamp: the next scan takes it and clears the problem
        Files.move(noStamp.getParent(), disk.resolve("MIG_Fe55_data_220805T101010"));
        ScanReport fixed = new Scanner(daq, catalog, clock).scan();
        assertThat(fixed.problems()).isEmpty();
        assertThat(fixed.registered()).isEqualTo(1);
        assertThat(catalog.openScanProblems(null)).isEmpty();
        ship();
        assertThat(cleaner().clean().released()).containsExactly("data1");
    }
}
