package org.migdal.dm.transfer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DaqTestSupport;
import org.migdal.dm.daq.DaqTestSupport.MutableClock;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.ForwardingEndpoint;
import org.migdal.dm.storage.RemoteFile;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.daq.DaqTestSupport.adler32;
import static org.migdal.dm.daq.DaqTestSupport.bytes;
import static org.migdal.dm.daq.DaqTestSupport.flag;
import static org.migdal.dm.daq.DaqTestSupport.write;

class ShipperTest {
    static final String RUN = "MIG_Fe55_data_220803T145447";
    static final String F0 = RUN + "/" + RUN + ".CAL.0000.dat";
    static final String F1 = RUN + "/sub/" + RUN + ".CAL.0001.dat";
    static final String LFN0 = "/2208/220803/" + F0;
    static final String LFN1 = "/2208/220803/" + F1;

    @TempDir
    Path tmp;
    Path disk;
    Path storageDir;
    MutableClock clock;
    JdbcCatalog catalog;
    MigdalConfig.Daq daq;
    FileEndpoint storage;

    @BeforeEach
    void setUp() throws Exception {
        disk = Files.createDirectories(tmp.resolve("daq/data1"));
        storageDir = Files.createDirectories(tmp.resolve("storage"));
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        catalog = DaqTestSupport.catalog(tmp.resolve("catalog.db"), "test:1:1", 3, Duration.ofHours(1), clock);
        daq = DaqTestSupport.daq(disk);
        storage = new FileEndpoint(storageDir.toUri());
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    private void scan() {
        new Scanner(daq, catalog, clock).scan();
    }

    private ShipReport ship(StorageEndpoint endpoint, int threads) {
        return new Shipper(daq, threads, catalog, endpoint).ship(n -> { });
    }

    private CatalogFile row(String lfn) {
        return catalog.find(lfn).orElseThrow();
    }

    private List<FileEvent> events(String lfn) {
        return catalog.events(row(lfn).id());
    }

    @Test
    void shipsConfirmsDeletesTheDaqCopyAndPrunesRunFoldersButNotTheDiskRoot() throws Exception {
        byte[] b0 = bytes(300_000, 1);
        byte[] b1 = bytes(70_001, 2);
        write(disk.resolve(F0), b0);
        write(disk.resolve(F1), b1);
        flag(disk);
        scan();

        ShipReport r = ship(storage, 2);

        assertThat(r.shipped()).isEqualTo(2);
        assertThat(r.failed() + r.quarantined()).isZero();
        assertThat(r.bytes()).isEqualTo(b0.length + b1.length);
        for (var c : List.of(new Object[]{LFN0, b0}, new Object[]{LFN1, b1})) {
            String lfn = (String) c[0];
            byte[] content = (byte[]) c[1];
            CatalogFile f = row(lfn);
            assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
            java.util.zip.Adler32 a = new java.util.zip.Adler32();
            a.update(content);
            assertThat(f.adler32()).isEqualTo(String.format("%08x", a.getValue()));
            assertThat(f.shippedAt()).isNotNull();
            assertThat(f.localDeletedAt()).isNotNull();
            assertThat(f.lastError()).isNull();
            assertThat(f.claimOwner()).isNull();
            assertThat(Files.readAllBytes(storageDir.resolve(lfn.substring(1)))).isEqualTo(content);
            assertThat(disk.resolve(f.localPath())).doesNotExist();
            List<FileEvent> ev = catalog.events(f.id());
            assertThat(ev).extracting(FileEvent::action).containsSubsequence("register", "ship", "delete-local");
        }
        assertThat(disk.resolve(RUN)).doesNotExist();
        assertThat(disk).isDirectory();
        // no temporary upload names left behind
        try (Stream<Path> s = Files.walk(storageDir)) {
            assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }

    /** A real file storage whose stored bytes get corrupted right after each upload, as a faulty pool would. */
    static final class CorruptingEndpoint extends ForwardingEndpoint {
        int puts;

        CorruptingEndpoint(FileEndpoint real) {
            super(real);
        }

        @Override
        public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
            Sent sent = real.put(source, size, path, overwrite);
            puts++;
            Path stored = real.root().resolve(path.substring(1));
            try {
                byte[] b = Files.readAllBytes(stored);
                b[b.length / 2] ^= 0x40;
                Files.write(stored, b, StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return sent;
        }
    }

    @Test
    void aWrongChecksumAtTheDestinationIsNeverFollowedByALocalDelete() throws Exception {
        byte[] content = bytes(100_000, 5);
        Path local = write(disk.resolve(F0), content);
        flag(disk);
        scan();
        byte[] corrupted = content.clone();
        corrupted[corrupted.length / 2] ^= 0x40;
        String good = adler32(content);
        String bad = adler32(corrupted);
        assertThat(bad).isNotEqualTo(good);
        CorruptingEndpoint endpoint = new CorruptingEndpoint(storage);

        ShipReport first = ship(endpoint, 1);

        assertThat(first.shipped()).isZero();
        assertThat(first.failed()).isEqualTo(1);
        assertThat(Files.readAllBytes(local)).isEqualTo(content);
        CatalogFile f = row(LFN0);
        assertThat(f.state()).isEqualTo(FileState.REGISTERED);
        assertThat(f.attempts()).isEqualTo(1);
        assertThat(f.adler32()).isNull();
        assertThat(f.localDeletedAt()).isNull();
        assertThat(f.lastError()).contains(bad).contains(good).contains("DAQ copy kept");
        assertThat(f.nextAttemptAt()).isAfter(clock.instant());

        // the retry time has not come: nothing happens
        assertThat(ship(endpoint, 1).failed()).isZero();
        assertThat(endpoint.puts).isEqualTo(1);

        for (int attempt = 2; attempt <= 3; attempt++) {
            clock.advance(Duration.ofDays(1));
            ship(endpoint, 1);
            assertThat(Files.readAllBytes(local)).as("after attempt %d", attempt).isEqualTo(content);
        }

        f = row(LFN0);
        assertThat(endpoint.puts).isEqualTo(3);
        assertThat(f.state()).isEqualTo(FileState.QUARANTINED);
        assertThat(f.quarantinedFrom()).isEqualTo(FileState.SHIPPING);
        assertThat(f.lastError()).contains(bad).contains(good).contains("gave up after 3 attempts");
        assertThat(f.localDeletedAt()).isNull();
        assertThat(events(LFN0)).noneMatch(e -> e.action().equals("delete-local"));
        assertThat(events(LFN0)).noneMatch(e -> e.action().equals("ship") && e.ok());
        assertThat(Files.readAllBytes(local)).isEqualTo(content);
    }

    @Test
    void aGrowingFileIsNotShippedNorDeletedUntilItStopsChanging() throws Exception {
        byte[] start = bytes(50_000, 6);
        Path local = write(disk.resolve(F0), start);
        flag(disk);
        scan();
        byte[] more = bytes(7_000, 7);
        Files.write(local, more, StandardOpenOption.APPEND);
        byte[] whole = Files.readAllBytes(local);

        ShipReport r = ship(storage, 1);

        assertThat(r.shipped()).isZero();
        assertThat(r.failed()).isEqualTo(1);
        assertThat(Files.readAllBytes(local)).isEqualTo(whole);
        assertThat(storage.stat(LFN0)).isEmpty();
        CatalogFile f = row(LFN0);
        assertThat(f.state()).isEqualTo(FileState.REGISTERED);
        assertThat(f.lastError()).contains("changed since it was listed").contains("50000 → 57000");
        assertThat(f.size()).isEqualTo(57_000); // the new size is recorded for the next attempt
        assertThat(events(LFN0)).anyMatch(e -> e.action().equals("source-changed") && !e.ok());

        // once it has stopped growing it is shipped, whole
        clock.advance(Duration.ofDays(1));
        assertThat(ship(storage, 1).shipped()).isEqualTo(1);
        f = row(LFN0);
        assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(f.adler32()).isEqualTo(adler32(whole));
        assertThat(Files.readAllBytes(storageDir.resolve(LFN0.substring(1)))).isEqualTo(whole);
        assertThat(local).doesNotExist();
    }

    @Test
    void aFullDestinationKeepsTheFileWithAClearError() throws Exception {
        Path small = Files.createDirectories(tmp.resolve("small-storage"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString())
                .redirectErrorStream(true).start();
        String mountOut = new String(mount.getInputStream().readAllBytes());
        boolean mounted = mount.waitFor() == 0;
        StorageEndpoint endpoint;
        if (mounted) {
            endpoint = new FileEndpoint(small.toUri());
        } else {
            // no permission to mount here: a real FileEndpoint behind a decorator that reports what a full disk reports
            System.err.println("tmpfs mount not permitted (" + mountOut.strip() + "); simulating NO_SPACE with a decorator");
            FileEndpoint real = new FileEndpoint(small.toUri());
            endpoint = new ForwardingEndpoint(real) {
                @Override
                public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
                    throw new StorageException(StorageException.Kind.NO_SPACE, urlOf(path),
                            "upload failed: IOException No space left on device");
                }
            };
        }
        try {
            byte[] big = bytes(3 * 1024 * 1024, 8);
            Path local = write(disk.resolve(F0), big);
            Path other = write(disk.resolve(F1), bytes(1000, 9));
            flag(disk);
            scan();

            ShipReport r = ship(endpoint, 1);

            assertThat(r.shipped()).isZero();
            assertThat(r.failed()).isEqualTo(1);
            assertThat(Files.readAllBytes(local)).isEqualTo(big);
            assertThat(other).exists();
            CatalogFile f = row(LFN0);
            assertThat(f.state()).isEqualTo(FileState.REGISTERED);
            assertThat(f.lastError()).contains("NO_SPACE").contains("No space left").contains("DAQ copy kept");
            assertThat(f.localDeletedAt()).isNull();
            // a full storage stops the pass: the other file is not tried against it
            assertThat(row(LFN1).state()).isEqualTo(FileState.REGISTERED);
            assertThat(row(LFN1).attempts()).isZero();
            // no partial upload left on the full storage
            try (Stream<Path> s = Files.walk(small)) {
                assertThat(s.filter(Files::isRegularFile)).isEmpty();
            }
        } finally {
            if (mounted) {
                Process umount = new ProcessBuilder("umount", small.toString()).inheritIO().start();
                assertThat(umount.waitFor()).isZero();
            }
        }
    }

    @Test
    void aDestinationHoldingDifferentContentOnTheFirstAttemptIsQuarantinedNotOverwritten() throws Exception {
        byte[] content = bytes(4000, 10);
        Path local = write(disk.resolve(F0), content);
        flag(disk);
        scan();
        byte[] foreign = bytes(4000, 11);
        Path dest = write(storageDir.resolve(LFN0.substring(1)), foreign);

        ShipReport r = ship(storage, 1);

        assertThat(r.quarantined()).isEqualTo(1);
        assertThat(Files.readAllBytes(dest)).isEqualTo(foreign);
        assertThat(Files.readAllBytes(local)).isEqualTo(content);
        CatalogFile f = row(LFN0);
        assertThat(f.state()).isEqualTo(FileState.QUARANTINED);
        assertThat(f.lastError()).contains("already exists with different content").contains(adler32(foreign))
                .contains("not overwritten");
    }

    @Test
    void aDestinationAlreadyHoldingTheSameBytesIsConfirmedNotCopiedAgain() throws Exception {
        byte[] content = bytes(4000, 12);
        Path local = write(disk.resolve(F0), content);
        flag(disk);
        scan();
        write(storageDir.resolve(LFN0.substring(1)), content);

        assertThat(ship(storage, 1).shipped()).isEqualTo(1);

        assertThat(row(LFN0).state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(row(LFN0).adler32()).isEqualTo(adler32(content));
        assertThat(local).doesNotExist();
    }

    @Test
    void aFileThatVanishedFromAMountedDiskIsMissingNotQuarantinedAndComesBackOnARescan() throws Exception {
        byte[] content = bytes(1000, 13);
        Path local = write(disk.resolve(F0), content);
        write(disk.resolve(F1), bytes(500, 15));
        flag(disk);
        scan();
        Path kept = tmp.resolve("kept-aside.dat");
        Files.move(local, kept);

        ShipReport r = ship(storage, 1);

        assertThat(r.missing()).isEqualTo(1);
        assertThat(r.quarantined() + r.failed()).isZero();
        assertThat(r.shipped()).isEqualTo(1);
        CatalogFile f = row(LFN0);
        assertThat(f.state()).isEqualTo(FileState.MISSING);
        assertThat(f.attempts()).isZero();
        assertThat(f.lastError()).contains(local.toString()).contains("vanished").contains("nothing was copied")
                .contains("forget " + LFN0).contains("retry " + LFN0);
        assertThat(events(LFN0)).extracting(FileEvent::action).containsExactly("register", "missing");
        assertThat(events(LFN0).get(1).at()).isEqualTo(clock.instant());
        assertThat(storage.stat(LFN0)).isEmpty();

        // nothing claims a MISSING file
        assertThat(ship(storage, 1).shipped()).isZero();
        // it comes back and the disk is still draining: the next scan registers it again and it is shipped
        Files.createDirectories(local.getParent());
        Files.move(kept, local);
        scan();
        assertThat(row(LFN0).state()).isEqualTo(FileState.REGISTERED);
        assertThat(ship(storage, 1).shipped()).isEqualTo(1);
        assertThat(row(LFN0).state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(events(LFN0)).extracting(FileEvent::action).containsSubsequence("register", "missing", "reappeared", "ship");
        assertThat(Files.readAllBytes(storageDir.resolve(LFN0.substring(1)))).isEqualTo(content);
    }

    @Test
    void aDiskUnmountedDuringAShipPassPutsItsFilesBackUnchargedAndMakesNothingMissing() throws Exception {
        write(disk.resolve(F0), bytes(1000, 16));
        write(disk.resolve(F1), bytes(1000, 17));
        flag(disk);
        scan();
        Path away = tmp.resolve("unmounted");
        // the disk goes away in the middle of the first upload: after the pass checked the disk, before the copy is checked
        java.util.concurrent.atomic.AtomicBoolean unmounted = new java.util.concurrent.atomic.AtomicBoolean();
        StorageEndpoint unmounting = new ForwardingEndpoint(storage) {
            @Override
            public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
                if (unmounted.compareAndSet(false, true)) {
                    try {
                        Files.move(disk, away);
                        Files.createDirectories(disk); // the empty mount point
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }
                return super.put(source, size, path, overwrite);
            }
        };
        Shipper shipper = new Shipper(daq, 1, catalog, unmounting);

        ShipReport r = shipper.ship(n -> { });

        assertThat(unmounted).isTrue();
        assertThat(r.missing() + r.quarantined() + r.failed() + r.shipped()).isZero();
        for (String lfn : List.of(LFN0, LFN1)) {
            assertThat(row(lfn).state()).as(lfn).isEqualTo(FileState.REGISTERED);
            assertThat(row(lfn).attempts()).as(lfn).isZero();
            assertThat(row(lfn).localDeletedAt()).as(lfn).isNull();
        }
        assertThat(events(LFN0).size() + events(LFN1).size()).as("one put-back event for the file that was in the air").isEqualTo(3);
        assertThat(away.resolve(F0)).exists();
        assertThat(away.resolve(F1)).exists();

        // mounted again: both are shipped, the one already uploaded is confirmed and not copied again
        Files.delete(disk);
        Files.move(away, disk);
        assertThat(ship(storage, 1).shipped()).isEqualTo(2);
    }

    @Test
    void aRunFolderSwappedForASymlinkAfterTheScanIsNotFollowed() throws Exception {
        byte[] content = bytes(1000, 14);
        write(disk.resolve(F0), content);
        flag(disk);
        scan();
        Path outside = tmp.resolve("outside");
        Files.move(disk.resolve(RUN), outside);
        Files.createSymbolicLink(disk.resolve(RUN), outside);

        ShipReport r = ship(storage, 1);

        assertThat(r.shipped()).isZero();
        assertThat(Files.readAllBytes(outside.resolve(RUN + ".CAL.0000.dat"))).isEqualTo(content);
        assertThat(storage.stat(LFN0)).isEmpty();
        CatalogFile f = row(LFN0);
        assertThat(f.state()).isIn(FileState.REGISTERED, FileState.QUARANTINED);
        assertThat(f.lastError()).contains("symbolic link");
    }
}
