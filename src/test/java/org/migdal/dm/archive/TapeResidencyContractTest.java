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
        CatalogFile disk = fx.row(files.get(2).lfn());
        assertThat(disk.state()).as("size and adler32 match, but archiveinfo says DISK").isEqualTo(FileState.TAPE_SUBMITTED);
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
}
