package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.storage.DavEndpoint;
import org.migdal.dm.storage.StorageAuth;
import org.migdal.dm.storage.TapeRestContractServer;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * FTS3 FINISHED is not trusted alone: the tape endpoint (an EOS-like https endpoint with the WLCG Tape REST API,
 * {@link TapeRestContractServer}) must confirm size, adler32 and archiveinfo locality TAPE/DISK_AND_TAPE before a file
 * is ON_TAPE; a copy it does not report on tape is checked again later and, past the in-flight limit, submitted again.
 */
class FtsTapeResidencyContractTest {
    static TestPki.Layout pki;

    @TempDir
    Path dir;
    FtsMoverFixture fx;
    TapeRestContractServer antares;

    @BeforeAll
    static void makePki(@TempDir Path pkiDir) {
        pki = TestPki.create().writeAll(pkiDir);
    }

    @AfterEach
    void close() throws Exception {
        if (fx != null) {
            fx.close();
        }
        if (antares != null) {
            antares.close();
        }
    }

    @Test
    void finishedIsOnTapeOnlyOnceArchiveinfoSaysTape() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ZERO);
        Path folder = Files.createDirectories(dir.resolve("antares"));
        antares = new TapeRestContractServer(TapeRestContractServer.Dialect.EOS, folder, "/eos/antares/prod/migdal");
        DavEndpoint tape = new DavEndpoint(URI.create(antares.storageUrl()), StorageAuth.none());
        // FTS's copy lands in the EOS folder behind the https endpoint
        fx.server.onCopied((source, destination) -> {
            String rel = destination.substring(antares.storageUrl().length());
            try {
                Path to = folder.resolve(antares.serverPath(rel).substring(1));
                Files.createDirectories(to.getParent());
                Files.copy(fx.disk.folder().resolve(rel.substring(1)), to, StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        List<CatalogFile> files = fx.compressed(2);
        FtsMover mover = new FtsMover(fx.catalog, fx.disk, tape, fx.x509(), FtsMoverFixture.settings(), fx.clock);
        mover.move();
        String job = fx.row(files.get(0)).tapeTransferId();
        fx.server.complete(job);
        assertThat(fx.server.jobState(job)).isEqualTo("FINISHED");
        antares.locality(files.get(0).compressedName(), "TAPE");
        // files.get(1): FTS says FINISHED, the endpoint says DISK

        fx.clock.advance(Duration.ofMinutes(61));
        assertThat(mover.move().onTape()).isEqualTo(1);

        CatalogFile onTape = fx.row(files.get(0));
        assertThat(onTape.state()).isEqualTo(FileState.ON_TAPE);
        assertThat(onTape.tapeEvidence()).isEqualTo("archiveinfo locality TAPE at " + antares.tapeRestApi() + "archiveinfo/");
        CatalogFile waiting = fx.row(files.get(1));
        assertThat(waiting.state()).isEqualTo(FileState.TAPE_SUBMITTED);
        assertThat(waiting.tapeEvidence()).isNull();
        assertThat(FtsMoverContractTest.lastMessage(fx, waiting)).contains("not yet confirmed by the tape endpoint")
                .contains("locality DISK");

        antares.locality(files.get(1).compressedName(), "DISK_AND_TAPE");
        fx.clock.advance(Duration.ofMinutes(61));
        assertThat(mover.move().onTape()).isEqualTo(1);
        assertThat(fx.row(files.get(1)).tapeEvidence()).isEqualTo("archiveinfo locality DISK_AND_TAPE at "
                + antares.tapeRestApi() + "archiveinfo/");
    }

    @Test
    void finishedButNeverConfirmedIsSubmittedAgainAfterTheInFlightLimit() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ZERO);
        CatalogFile f = fx.compressed(1).get(0);
        fx.tape.reportTapeFlag(false);   // an xroot-like endpoint: BackUpExists unset
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(f).tapeTransferId();
        fx.server.complete(job);
        fx.clock.advance(Duration.ofMinutes(61));
        mover.move();
        assertThat(fx.row(f).state()).isEqualTo(FileState.TAPE_SUBMITTED);

        fx.clock.advance(FtsMoverFixture.settings().maxInFlight().plusHours(1));
        mover.move();
        CatalogFile after = fx.row(f);
        assertThat(after.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(after.lastError()).contains("FTS job " + job + " says the file is on tape").contains("still does not confirm")
                .contains("no tape copy flag");
    }

    @Test
    void finishedWithADamagedTapeCopyIsAFailureNotOnTape() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ZERO);
        CatalogFile f = fx.compressed(1).get(0);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(f).tapeTransferId();
        fx.server.complete(job);
        ArchiveFixture.flipByte(fx.onTape(f), 7);
        fx.clock.advance(Duration.ofMinutes(61));
        mover.move();
        CatalogFile after = fx.row(f);
        assertThat(after.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(after.lastError()).contains("FTS job " + job + " says the file is on tape, but").contains(fx.tapeUrl(f))
                .contains("has adler32").contains("expected " + f.compressedAdler32());
    }

    @Test
    void finishedWithATapeCopyOfTheWrongSizeIsAFailureNotOnTape() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ZERO);
        CatalogFile f = fx.compressed(1).get(0);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(f).tapeTransferId();
        fx.server.complete(job);
        Files.write(fx.onTape(f), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        fx.clock.advance(Duration.ofMinutes(61));
        mover.move();
        CatalogFile after = fx.row(f);
        assertThat(after.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(after.lastError()).contains("FTS job " + job + " says the file is on tape, but").contains(fx.tapeUrl(f))
                .contains("has " + (f.compressedSize() + 1) + " bytes, expected " + f.compressedSize());
    }
}
