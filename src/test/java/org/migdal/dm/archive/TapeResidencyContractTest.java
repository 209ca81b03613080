package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.storage.DavEndpoint;
import org.migdal.dm.storage.StorageAuth;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.TapeRestContractServer;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.archive.CompressionTest.last;

/**
 * Tape residency over https (issue 10, defect 12): a WebDAV tape endpoint with the WLCG Tape REST API, in the formats
 * the reference records for EOS+CTA and dCache ({@link TapeRestContractServer}). Only archiveinfo locality TAPE or
 * DISK_AND_TAPE proves a tape copy; size and adler32 alone never do where the endpoint can tell.
 */
class TapeResidencyContractTest {
    @TempDir
    Path tmp;
    ArchiveFixture fx;
    TapeRestContractServer server;
    StorageEndpoint tape;
    List<CatalogFile> files;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(3, 1);
        assertThat(fx.compression(Codec.BZIP2, 150).run(b -> { }).compressed()).isEqualTo(3);
        files = fx.catalog.list(org.migdal.dm.catalog.FileFilter.all(10));
        server = new TapeRestContractServer(TapeRestContractServer.Dialect.EOS, Files.createDirectories(tmp.resolve("eos")),
                "/eos/antares/prod/migdal");
        tape = new DavEndpoint(URI.create(server.storageUrl()), StorageAuth.none());
        Path marker = tmp.resolve("eos").resolve(server.serverPath("/" + org.migdal.dm.storage.Marker.NAME).substring(1));
        Files.createDirectories(marker.getParent());
        Files.writeString(marker, "migdal-dm storage marker (test)\n"); // the tape endpoint as `storage init` leaves it
    }

    @AfterEach
    void tearDown() throws Exception {
        tape.close();
        server.close();
        fx.close();
    }

    private BuiltinMover mover() {
        return new BuiltinMover(fx.catalog, fx.storage, tape, 150, true, Duration.ofHours(72), Clock.systemUTC());
    }

    @Test
    void onlyTapeOrDiskAndTapeLocalityMakesAFileOnTape() {
        server.locality(files.get(0).compressedName(), "TAPE");
        server.locality(files.get(1).compressedName(), "DISK_AND_TAPE");
        // files.get(2): written, not yet archived: DISK

        mover().move();

        assertThat(fx.row(files.get(0).lfn()).state()).isEqualTo(FileState.ON_TAPE);
        assertThat(fx.row(files.get(1).lfn()).state()).isEqualTo(FileState.ON_TAPE);
        String api = server.tapeRestApi() + "archiveinfo/";
        assertThat(fx.row(files.get(0).lfn()).tapeEvidence()).isEqualTo("archiveinfo locality TAPE at " + api);
        assertThat(fx.row(files.get(1).lfn()).tapeEvidence()).isEqualTo("archiveinfo locality DISK_AND_TAPE at " + api);
        assertThat(last(fx.events(files.get(0).lfn())).message()).contains("tape: archiveinfo locality TAPE at " + api);
        CatalogFile disk = fx.row(files.get(2).lfn());
        assertThat(disk.state()).as("size and adler32 match, but archiveinfo says DISK").isEqualTo(FileState.TAPE_SUBMITTED);
        assertThat(disk.tapeEvidence()).isNull();
        assertThat(last(fx.events(disk.lfn())).message()).contains("waiting for its tape copy (archiveinfo locality DISK");
        assertThat(server.archiveInfoBodies()).isNotEmpty();
    }

    @Test
    void theRawCopyIsKeptWhenArchiveinfoNoLongerShowsATapeCopy() {
        for (CatalogFile f : files) {
            server.locality(f.compressedName(), "TAPE");
        }
        mover().move();
        assertThat(files).allSatisfy(f -> assertThat(fx.row(f.lfn()).state()).isEqualTo(FileState.ON_TAPE));
        server.locality(files.get(1).compressedName(), "DISK");
        server.error(files.get(2).compressedName(), "USER ERROR: file does not exist or is not accessible to you");

        int deleted = new RawCleaner(fx.catalog, fx.storage, tape).clean(100);

        assertThat(deleted).isEqualTo(1);
        assertThat(fx.inStorage(files.get(0).lfn())).doesNotExist();
        assertThat(fx.inStorage(files.get(1).lfn())).exists();
        assertThat(fx.inStorage(files.get(2).lfn())).exists();
        assertThat(fx.row(files.get(1).lfn()).lastError()).contains("DISK");
        assertThat(fx.row(files.get(2).lfn()).lastError()).contains("USER ERROR");
    }

    @Test
    void aWaitingCopyBecomesOnTapeWhenArchiveinfoSaysTapeAndTheEvidenceIsKept() throws Exception {
        BuiltinMoverTapeFlagTest.TestClock clock = new BuiltinMoverTapeFlagTest.TestClock(java.time.Instant.now());
        try (org.migdal.dm.catalog.JdbcCatalog c = org.migdal.dm.catalog.JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null,
                null, new org.migdal.dm.catalog.ClaimPolicy("mover-host:2:0", Duration.ofMinutes(30), 3, Duration.ZERO), clock, 2)) {
            BuiltinMover mover = new BuiltinMover(c, fx.storage, tape, 150, true, Duration.ofHours(72), clock);
            mover.move();
            assertThat(files).allSatisfy(f -> assertThat(fx.row(f.lfn()).state()).isEqualTo(FileState.TAPE_SUBMITTED));

            server.locality(files.get(0).compressedName(), "NEARLINE");   // dCache's word, never a tape copy
            server.locality(files.get(1).compressedName(), "TAPE");
            clock.advance(Duration.ofMinutes(2));
            assertThat(mover.move().onTape()).isEqualTo(1);

            assertThat(fx.row(files.get(0).lfn()).state()).isEqualTo(FileState.TAPE_SUBMITTED);
            CatalogFile done = fx.row(files.get(1).lfn());
            assertThat(done.state()).isEqualTo(FileState.ON_TAPE);
            assertThat(done.tapeEvidence()).isEqualTo("archiveinfo locality TAPE at " + server.tapeRestApi() + "archiveinfo/");

            clock.advance(Duration.ofHours(73));
            mover.move();
            CatalogFile timedOut = fx.row(files.get(0).lfn());
            assertThat(timedOut.state()).as("copied again later").isEqualTo(FileState.COMPRESSED);
            assertThat(timedOut.lastError()).contains("no tape copy after 73 h").contains("locality NEARLINE");
        }
    }

    @Test
    void withoutRequiredResidencySizeAndChecksumConfirmAndTheEvidenceSaysWhatTheEndpointSaid() {
        BuiltinMover mover = new BuiltinMover(fx.catalog, fx.storage, tape, 150, false, Duration.ofHours(72), Clock.systemUTC());
        assertThat(mover.move().onTape()).isEqualTo(3);
        assertThat(fx.row(files.get(0).lfn()).tapeEvidence()).startsWith("size+adler32 only (tape residency not required")
                .contains("archiveinfo locality DISK");
        // but the raw clean-up never deletes without residency evidence where the endpoint can give it
        assertThat(new RawCleaner(fx.catalog, fx.storage, tape).clean(100)).isZero();
        assertThat(files).allSatisfy(f -> assertThat(fx.inStorage(f.lfn())).exists());
        assertThat(fx.row(files.get(0).lfn()).lastError()).startsWith("raw copy kept").contains("not yet on tape")
                .contains("locality DISK");
    }

    @Test
    void aDcacheDoorWithoutTheFrontendsApiCannotConfirmATapeCopy() throws Exception {
        try (TapeRestContractServer door = new TapeRestContractServer(TapeRestContractServer.Dialect.DCACHE,
                Files.createDirectories(tmp.resolve("dcache")), "/pnfs/pp.rl.ac.uk/data/gridpp/migdal-tape");
             StorageEndpoint doorTape = new DavEndpoint(URI.create(door.storageUrl()), StorageAuth.none())) {
            for (CatalogFile f : files) {
                door.locality(f.compressedName(), "TAPE");
            }
            new BuiltinMover(fx.catalog, fx.storage, doorTape, 150, true, Duration.ofHours(72), Clock.systemUTC()).move();
            CatalogFile f = fx.row(files.get(0).lfn());
            assertThat(f.state()).isEqualTo(FileState.COMPRESSED);
            assertThat(f.lastError()).contains("cannot confirm the tape copy").contains("wlcg-tape-rest-api")
                    .contains("storage.tapeRestApi");

            // the same files, now with the frontend's API configured
            StorageEndpoint withApi = org.migdal.dm.storage.Endpoints.open(door.storageUrl(), StorageAuth.none(),
                    java.util.Optional.of(door.tapeRestApi()));
            BuiltinMoverTapeFlagTest.TestClock clock = new BuiltinMoverTapeFlagTest.TestClock(java.time.Instant.now().plus(Duration.ofDays(1)));
            try (org.migdal.dm.catalog.JdbcCatalog c = org.migdal.dm.catalog.JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null,
                    null, new org.migdal.dm.catalog.ClaimPolicy("mover-host:3:0", Duration.ofMinutes(30), 3, Duration.ZERO), clock, 2)) {
                assertThat(new BuiltinMover(c, fx.storage, withApi, 150, true, Duration.ofHours(72), clock).move().onTape()).isEqualTo(3);
            }
            assertThat(fx.row(files.get(0).lfn()).tapeEvidence())
                    .isEqualTo("archiveinfo locality TAPE at " + door.tapeRestApi() + "/archiveinfo");
            // and the raw clean-up asks again, at that moment
            door.locality(files.get(2).compressedName(), "DISK");
            assertThat(new RawCleaner(fx.catalog, fx.storage, withApi).clean(100)).isEqualTo(2);
            assertThat(fx.inStorage(files.get(2).lfn())).exists();
        }
    }
}
