package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.compress.Codec;
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
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.archive.ArchiveFixture.adler32;
import static org.migdal.dm.archive.CompressionTest.last;

class BuiltinMoverTest {

    @TempDir
    Path tmp;

    ArchiveFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new ArchiveFixture(tmp, 3);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private List<CatalogFile> compressed(int n) throws IOException {
        List<CatalogFile> files = fx.shipped(n, 2);
        assertThat(fx.compression(Codec.BZIP2, 150).run(b -> { }).compressed()).isEqualTo(n);
        return files.stream().map(f -> fx.row(f.lfn())).toList();
    }

    @Test
    void compressedFilesGoOnTapeIdenticalToTheCompressedCopy() throws Exception {
        List<CatalogFile> files = compressed(2);

        ArchiveReport r = fx.mover(150).move();

        assertThat(r.onTape()).isEqualTo(2);
        assertThat(r.failed() + r.quarantined()).isZero();
        for (CatalogFile before : files) {
            CatalogFile f = fx.row(before.lfn());
            assertThat(f.state()).isEqualTo(FileState.ON_TAPE);
            assertThat(f.onTapeAt()).isNotNull();
            assertThat(f.tapeTransferId()).isEqualTo("builtin:" + fx.catalog.owner());
            Path onTape = fx.onTape(f.compressedName());
            assertThat(Files.readAllBytes(onTape)).isEqualTo(Files.readAllBytes(fx.inStorage(f.compressedName())));
            assertThat(adler32(onTape)).isEqualTo(f.compressedAdler32());
            FileEvent ev = last(fx.events(f.lfn()));
            assertThat(ev.action()).isEqualTo("tape");
            assertThat(ev.message()).startsWith("copied to tape: ").contains(fx.tape.urlOf(f.compressedName()))
                    .contains("adler32 " + f.compressedAdler32());
        }
        assertThat(ArchiveFixture.filesUnder(fx.tapeRoot)).containsExactlyInAnyOrderElementsOf(
                files.stream().map(f -> f.compressedName().substring(1)).toList());
        // nothing left to do
        assertThat(fx.mover(150).move().onTape()).isZero();
    }

    @Test
    void aTapeCopyAlreadyPresentWithTheRightContentIsAcceptedWithoutCopying() throws Exception {
        CatalogFile f = compressed(1).get(0);
        Path onTape = fx.onTape(f.compressedName());
        Files.createDirectories(onTape.getParent());
        Files.copy(fx.inStorage(f.compressedName()), onTape);
        Object inode = Files.getAttribute(onTape, "unix:ino");

        ArchiveReport r = fx.mover(150).move();

        assertThat(r.onTape()).isEqualTo(1);
        assertThat(fx.row(f.lfn()).state()).isEqualTo(FileState.ON_TAPE);
        assertThat(Files.getAttribute(onTape, "unix:ino")).as("not rewritten").isEqualTo(inode);
        assertThat(last(fx.events(f.lfn())).message()).startsWith("already on tape: ");
    }

    @Test
    void aTapeCopyWithWrongContentIsReplaced() throws Exception {
        CatalogFile f = compressed(1).get(0);
        Path onTape = fx.onTape(f.compressedName());
        Files.createDirectories(onTape.getParent());
        Files.write(onTape, new byte[Math.toIntExact(f.compressedSize())]); // right size, wrong bytes

        ArchiveReport r = fx.mover(150).move();

        assertThat(r.onTape()).isEqualTo(1);
        assertThat(Files.readAllBytes(onTape)).isEqualTo(Files.readAllBytes(fx.inStorage(f.compressedName())));
        assertThat(last(fx.events(f.lfn())).message()).startsWith("copied to tape: ");
    }

    @Test
    void aTapeEndpointReportingAWrongChecksumNeverGivesOnTape() throws Exception {
        CatalogFile f = compressed(1).get(0);
        CorruptingEndpoint badTape = new CorruptingEndpoint(fx.tapeRoot);
        BuiltinMover mover = new BuiltinMover(fx.catalog, fx.storage, badTape, 150);

        ArchiveReport r = mover.move();

        assertThat(r.onTape()).isZero();
        assertThat(r.failed()).isEqualTo(1);
        assertThat(badTape.puts).isEqualTo(1);
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(after.onTapeAt()).isNull();
        assertThat(after.tapeTransferId()).isNull();
        assertThat(after.lastError()).contains("has adler32").contains(badTape.urlOf(f.compressedName()))
                .contains("expected " + f.compressedAdler32());
        FileEvent ev = last(fx.events(f.lfn()));
        assertThat(ev.ok()).isFalse();
        assertThat(ev.action()).isEqualTo("tape");

        // it keeps failing and is quarantined after the last attempt, never ON_TAPE
        mover.move();
        mover.move();
        after = fx.row(f.lfn());
        assertThat(after.state()).isEqualTo(FileState.QUARANTINED);
        assertThat(after.onTapeAt()).isNull();
        assertThat(badTape.puts).isEqualTo(3);
        assertThat(fx.events(f.lfn())).noneMatch(e -> e.action().equals("tape") && e.ok());
    }

    @Test
    void aDamagedCompressedCopyOnDiskStorageIsNotPassedOffAsOnTape() throws Exception {
        CatalogFile f = compressed(1).get(0);
        ArchiveFixture.flipByte(fx.inStorage(f.compressedName()), 100);

        ArchiveReport r = fx.mover(150).move();

        assertThat(r.onTape()).isZero();
        CatalogFile after = fx.row(f.lfn());
        assertThat(after.state()).isNotEqualTo(FileState.ON_TAPE);
        assertThat(after.lastError()).contains("disk storage copy damaged").contains(f.compressedAdler32());
    }

    @Test
    void aMissingCompressedCopyIsAFailureNamingIt() throws Exception {
        CatalogFile f = compressed(1).get(0);
        Files.delete(fx.inStorage(f.compressedName()));

        ArchiveReport r = fx.mover(150).move();

        assertThat(r.onTape()).isZero();
        assertThat(fx.row(f.lfn()).state()).isEqualTo(FileState.COMPRESSED);
        assertThat(fx.row(f.lfn()).lastError()).contains("NOT_FOUND").contains(fx.storage.urlOf(f.compressedName()));
        assertThat(fx.onTape(f.compressedName())).doesNotExist();
    }

    /** A real tape folder whose stored copy gets damaged right after each upload (a bad tape endpoint). */
    static final class CorruptingEndpoint extends ForwardingEndpoint {
        final Path root;
        int puts;

        CorruptingEndpoint(Path root) {
            super(new FileEndpoint(root.toUri()));
            this.root = root;
        }

        @Override
        public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
            Sent sent = real.put(source, size, path, overwrite);
            puts++;
            try {
                ArchiveFixture.flipByte(root.resolve(path.substring(1)), size / 2);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return sent;
        }
    }
}
