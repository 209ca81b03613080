package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.compress.Codec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.archive.CompressionTest.last;

class RawCleanerTest {

    @TempDir
    Path tmp;

    ArchiveFixture fx;
    CatalogFile ok;
    CatalogFile tapeMissing;
    CatalogFile tapeCorrupt;
    CatalogFile onlyCompressed;
    CatalogFile onlyOnDisk;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ArchiveFixture(tmp, 3);
        List<CatalogFile> files = fx.shipped(5, 1);
        assertThat(fx.compression(Codec.BZIP2, 4).run(b -> { }).compressed()).isEqualTo(4);
        assertThat(fx.mover(3).move().onTape()).isEqualTo(3);
        files = files.stream().map(f -> fx.row(f.lfn())).toList();
        ok = files.get(0);
        tapeMissing = files.get(1);
        tapeCorrupt = files.get(2);
        onlyCompressed = files.get(3);
        onlyOnDisk = files.get(4);
        assertThat(List.of(ok, tapeMissing, tapeCorrupt)).allMatch(f -> f.state() == FileState.ON_TAPE);
        assertThat(onlyCompressed.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(onlyOnDisk.state()).isEqualTo(FileState.ON_DISK_STORAGE);

        Files.delete(fx.onTape(tapeMissing.compressedName()));
        ArchiveFixture.flipByte(fx.onTape(tapeCorrupt.compressedName()), 50);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private RawCleaner cleaner() {
        return new RawCleaner(fx.catalog, fx.storage, fx.tape);
    }

    @Test
    void deletesTheRawCopyOnlyWhereTheTapeCopyIsConfirmed() throws Exception {
        int deleted = cleaner().clean(100);

        assertThat(deleted).isEqualTo(1);

        // confirmed on tape: raw copy gone, compressed copies stay, the catalog says why
        assertThat(fx.inStorage(ok.lfn())).doesNotExist();
        assertThat(fx.inStorage(ok.compressedName())).exists();
        assertThat(fx.onTape(ok.compressedName())).exists();
        CatalogFile okAfter = fx.row(ok.lfn());
        assertThat(okAfter.rawDeletedAt()).isNotNull();
        assertThat(okAfter.state()).isEqualTo(FileState.ON_TAPE);
        FileEvent ev = last(fx.events(ok.lfn()));
        assertThat(ev.action()).isEqualTo("delete-raw");
        assertThat(ev.ok()).isTrue();
        assertThat(ev.message()).contains(fx.tape.urlOf(ok.compressedName())).contains(ok.compressedAdler32());
        List<FileEvent> history = fx.events(ok.lfn());
        List<FileEvent> facts = history.subList(history.size() - 3, history.size() - 1);
        assertThat(facts).as("two independent facts, both recorded before the delete").extracting(FileEvent::action)
                .containsExactly("raw-cleanup-check", "raw-cleanup-check");
        assertThat(facts.get(0).message()).startsWith("fact 1: the catalog has the compressed copy ON_TAPE");
        assertThat(facts.get(1).message()).startsWith("fact 2: the tape endpoint reports").contains(ok.compressedAdler32());

        // tape copy missing: raw kept, error recorded
        assertThat(fx.inStorage(tapeMissing.lfn())).exists();
        CatalogFile missingAfter = fx.row(tapeMissing.lfn());
        assertThat(missingAfter.rawDeletedAt()).isNull();
        assertThat(missingAfter.lastError()).startsWith("raw copy kept").contains("no file")
                .contains(fx.tape.urlOf(tapeMissing.compressedName()));
        assertThat(last(fx.events(tapeMissing.lfn()))).satisfies(e -> {
            assertThat(e.action()).isEqualTo("delete-raw");
            assertThat(e.ok()).isFalse();
        });

        // tape copy corrupted (same size): raw kept, error names the checksums
        assertThat(fx.inStorage(tapeCorrupt.lfn())).exists();
        assertThat(ArchiveFixture.adler32(fx.inStorage(tapeCorrupt.lfn()))).isEqualTo(tapeCorrupt.adler32());
        CatalogFile corruptAfter = fx.row(tapeCorrupt.lfn());
        assertThat(corruptAfter.rawDeletedAt()).isNull();
        assertThat(corruptAfter.lastError()).startsWith("raw copy kept").contains("adler32")
                .contains("expected " + tapeCorrupt.compressedAdler32());

        // files not ON_TAPE are never touched
        for (CatalogFile f : List.of(onlyCompressed, onlyOnDisk)) {
            assertThat(fx.inStorage(f.lfn())).exists();
            CatalogFile after = fx.row(f.lfn());
            assertThat(after.rawDeletedAt()).isNull();
            assertThat(after.lastError()).isNull();
            assertThat(fx.events(f.lfn())).noneMatch(e -> e.action().equals("delete-raw"));
        }
    }

    @Test
    void aRawCopyStaysWhileTheDaqCopyIsStillThere() throws Exception {
        // a run killed between recording the shipped copy and deleting the DAQ file: the late delete (clean) needs the raw
        // storage copy as its evidence, so the raw copy must outlive the DAQ copy even once the file is ON_TAPE
        fx.catalog.inTransaction(c -> {
            try (var ps = c.prepareStatement("UPDATE files SET local_deleted_at = NULL WHERE id = ?")) {
                ps.setLong(1, ok.id());
                return ps.executeUpdate();
            }
        }, "undoing the DAQ delete of " + ok.lfn());

        assertThat(cleaner().clean(100)).isZero();
        assertThat(fx.inStorage(ok.lfn())).exists();
        assertThat(fx.row(ok.lfn()).rawDeletedAt()).isNull();

        fx.catalog.markLocalDeleted(fx.row(ok.lfn()), "the DAQ copy deleted late");
        assertThat(cleaner().clean(100)).isEqualTo(1);
        assertThat(fx.inStorage(ok.lfn())).doesNotExist();
    }

    @Test
    void aTapeCopyStillOnlyOnTheTapeBuffersDiskIsNotEnough() throws Exception {
        // a tape endpoint that, like EOS+CTA before migration, reports the file but no tape copy yet
        BuiltinMoverTest.CorruptingEndpoint real = new BuiltinMoverTest.CorruptingEndpoint(fx.tapeRoot);
        org.migdal.dm.storage.StorageEndpoint notYetOnTape = new org.migdal.dm.storage.StorageEndpoint() {
            @Override
            public java.util.List<org.migdal.dm.storage.StorageEntry> list(String directory)
                    throws org.migdal.dm.storage.StorageException {
                return real.list(directory);
            }

            @Override
            public java.net.URI base() {
                return real.base();
            }

            @Override
            public Sent put(java.io.InputStream source, long size, String path, boolean overwrite) {
                throw new AssertionError("raw cleanup never writes");
            }

            @Override
            public void moveIntoPlace(String temp, String path, boolean overwrite, org.migdal.dm.storage.Fence fence) {
                throw new AssertionError("raw cleanup never writes");
            }

            @Override
            public java.util.Optional<org.migdal.dm.storage.RemoteFile> stat(String path) throws org.migdal.dm.storage.StorageException {
                return real.stat(path).map(r -> new org.migdal.dm.storage.RemoteFile(r.path(), r.size(), true, false));
            }

            @Override
            public org.migdal.dm.storage.Checksum checksum(String path) throws org.migdal.dm.storage.StorageException {
                return real.checksum(path);
            }

            @Override
            public java.io.InputStream open(String path) throws org.migdal.dm.storage.StorageException {
                return real.open(path);
            }

            @Override
            public void delete(String path) {
                throw new AssertionError("raw cleanup never deletes on tape");
            }
        };

        int deleted = new RawCleaner(fx.catalog, fx.storage, notYetOnTape).clean(100);

        assertThat(deleted).isZero();
        assertThat(fx.inStorage(ok.lfn())).exists();
        assertThat(fx.row(ok.lfn()).rawDeletedAt()).isNull();
        assertThat(fx.row(ok.lfn()).lastError()).contains("not yet on tape");
    }

    @Test
    void aTapeCopyOfTheWrongSizeKeepsTheRawCopy() throws Exception {
        Path t = fx.onTape(ok.compressedName());
        Files.write(t, java.util.Arrays.copyOf(Files.readAllBytes(t), (int) Files.size(t) + 1));

        cleaner().clean(100);

        assertThat(fx.inStorage(ok.lfn())).exists();
        assertThat(fx.row(ok.lfn()).lastError()).contains((ok.compressedSize() + 1) + " bytes");
    }

    @Test
    void aRepairedTapeCopyLetsTheNextCleanupProceedAndDoneFilesAreNotRevisited() throws Exception {
        cleaner().clean(100);
        int okEvents = fx.events(ok.lfn()).size();
        Files.copy(fx.inStorage(tapeCorrupt.compressedName()), fx.onTape(tapeCorrupt.compressedName()),
                StandardCopyOption.REPLACE_EXISTING);

        int deleted = cleaner().clean(100);

        assertThat(deleted).isEqualTo(1);
        assertThat(fx.inStorage(tapeCorrupt.lfn())).doesNotExist();
        assertThat(fx.row(tapeCorrupt.lfn()).rawDeletedAt()).isNotNull();
        assertThat(fx.row(tapeCorrupt.lfn()).lastError()).isNull();
        assertThat(fx.inStorage(tapeMissing.lfn())).exists();
        assertThat(fx.events(ok.lfn())).hasSize(okEvents);
    }
    @Test
    void aRefusedOrFailingRawDeleteDoesNotGrowHistoryOverFiveCycles() throws Exception {
        org.migdal.dm.storage.StorageEndpoint refusingDeletes = new org.migdal.dm.storage.ForwardingEndpoint(fx.storage) {
            @Override
            public void delete(String path) throws org.migdal.dm.storage.StorageException {
                throw new org.migdal.dm.storage.StorageException(org.migdal.dm.storage.StorageException.Kind.DENIED,
                        fx.storage.urlOf(path), "permission denied");
            }
        };
        RawCleaner refusing = new RawCleaner(fx.catalog, refusingDeletes, fx.tape);
        refusing.clean(100);
        int okEvents = fx.events(ok.lfn()).size();
        int missingEvents = fx.events(tapeMissing.lfn()).size();
        int corruptEvents = fx.events(tapeCorrupt.lfn()).size();

        for (int cycle = 2; cycle <= 5; cycle++) {
            assertThat(refusing.clean(100)).isZero();
        }

        assertThat(fx.events(ok.lfn())).as("checks and the failed delete, once").hasSize(okEvents);
        assertThat(fx.events(tapeMissing.lfn())).hasSize(missingEvents);
        assertThat(fx.events(tapeCorrupt.lfn())).hasSize(corruptEvents);
        assertThat(last(fx.events(ok.lfn()))).satisfies(e -> {
            assertThat(e.action()).isEqualTo("delete-raw");
            assertThat(e.message()).contains("permission denied");
            assertThat(e.repeats()).isEqualTo(4);
        });
        assertThat(last(fx.events(tapeMissing.lfn())).repeats()).isEqualTo(4);
        assertThat(fx.inStorage(ok.lfn())).exists();
    }
}
