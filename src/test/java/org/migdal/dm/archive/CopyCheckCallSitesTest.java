package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.RecallStore;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.daq.LocalCopies;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.ForwardingEndpoint;
import org.migdal.dm.storage.RemoteFile;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.migdal.dm.transfer.Shipper;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every stage that believes a copy asks {@link org.migdal.dm.storage.CopyCheck}: a storage that reports a size one byte
 * off, or another adler32, for the copy the stage just made or relies on, is refused at each call site (ship, delete
 * the DAQ copy, compress, built-in tape copy, raw clean-up, recall arrival), with a message naming the URL and the
 * expected and found values. The bytes stored are right: only what the storage <em>says</em> is wrong.
 */
class CopyCheckCallSitesTest {
    @TempDir
    Path tmp;
    ArchiveFixture fx;

    enum Lie { SIZE, CHECKSUM }

    /** A real folder whose stat or checksum reports a wrong value for names ending in {@code suffix}, once {@link #lying}. */
    static final class LyingEndpoint extends ForwardingEndpoint {
        final Lie lie;
        final String suffix;
        volatile boolean lying = true;

        LyingEndpoint(FileEndpoint real, Lie lie, String suffix) {
            super(real);
            this.lie = lie;
            this.suffix = suffix;
        }

        private boolean applies(String path) {
            return lying && path.endsWith(suffix);
        }

        @Override
        public Optional<RemoteFile> stat(String path) throws StorageException {
            Optional<RemoteFile> r = real.stat(path);
            return lie == Lie.SIZE && applies(path) ? r.map(x -> new RemoteFile(x.path(), x.size() + 1, x.onDisk(), x.onTape())) : r;
        }

        @Override
        public Checksum checksum(String path) throws StorageException {
            Checksum c = real.checksum(path);
            return lie == Lie.CHECKSUM && applies(path) ? Checksum.adler32(Long.parseLong(c.value(), 16) ^ 0x10000L) : c;
        }
    }

    @AfterEach
    void tearDown() {
        if (fx != null) {
            fx.close();
        }
    }

    private static String wrong(Lie lie) {
        return lie == Lie.SIZE ? "bytes, expected" : "has adler32";
    }

    @ParameterizedTest
    @EnumSource(Lie.class)
    void shippingKeepsTheDaqCopyWhenTheStorageCopyDoesNotConfirm(Lie lie) throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        new SyntheticRuns(7).writeRun(fx.daqRoot, "Fe55", LocalDateTime.of(2022, 8, 3, 14, 54, 47), 1, ArchiveFixture.FRAME);
        Files.writeString(fx.daqRoot.resolve("ReadyToTransfer"), "");
        assertThat(new Scanner(fx.daq, fx.catalog, Clock.systemUTC()).scan().registered()).isEqualTo(1);
        LyingEndpoint storage = new LyingEndpoint(fx.storage, lie, ".dat");

        assertThat(new Shipper(fx.daq, 1, fx.catalog, storage).ship(b -> { }).shipped()).isZero();

        CatalogFile f = fx.catalog.list(FileFilter.all(10)).get(0);
        assertThat(f.state()).isNotEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(fx.daqRoot.resolve(f.localPath())).exists();
        assertThat(f.lastError()).contains(storage.urlOf(f.lfn())).contains(wrong(lie)).contains("DAQ copy kept");
    }

    @ParameterizedTest
    @EnumSource(Lie.class)
    void theDaqCopyIsNotDeletedWhenTheStorageCopyNoLongerConfirms(Lie lie) throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        new SyntheticRuns(7).writeRun(fx.daqRoot, "Fe55", LocalDateTime.of(2022, 8, 3, 14, 54, 47), 1, ArchiveFixture.FRAME);
        Files.writeString(fx.daqRoot.resolve("ReadyToTransfer"), "");
        new Scanner(fx.daq, fx.catalog, Clock.systemUTC()).scan();
        // shipped and confirmed by a process that crashed before deleting the DAQ copy
        CatalogFile claimed = fx.catalog.claim(Stage.SHIP, 1).get(0);
        Path local = fx.daqRoot.resolve(claimed.localPath());
        StorageEndpoint.Sent sent;
        try (InputStream in = Files.newInputStream(local)) {
            sent = fx.storage.put(in, Files.size(local), claimed.lfn(), false);
        }
        CatalogFile f = fx.catalog.advance(claimed, FileState.ON_DISK_STORAGE, Changes.none().adler32(sent.adler32().value()), "ship",
                "test: confirmed, then the process died");
        LyingEndpoint storage = new LyingEndpoint(fx.storage, lie, ".dat");

        assertThat(new LocalCopies(fx.daq, fx.catalog, storage).delete(f)).isEqualTo(LocalCopies.Outcome.REFUSED);

        assertThat(local).exists();
        assertThat(fx.row(f.lfn()).lastError()).contains("DAQ copy not deleted").contains(storage.urlOf(f.lfn())).contains(wrong(lie));
        storage.lying = false;
        assertThat(new LocalCopies(fx.daq, fx.catalog, storage).delete(f)).isEqualTo(LocalCopies.Outcome.DELETED);
    }

    @ParameterizedTest
    @EnumSource(Lie.class)
    void compressionIsNotConfirmedWhenTheUploadedCopyDoesNot(Lie lie) throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(1, 1);
        LyingEndpoint disk = new LyingEndpoint(fx.storage, lie, ".bz2");
        Compression c = new Compression(fx.catalog, disk, new org.migdal.dm.compress.Compressor(Codec.BZIP2, 9), fx.executor,
                fx.workDir, 10);

        assertThat(c.run(b -> { }).compressed()).isZero();

        CatalogFile f = fx.catalog.list(FileFilter.all(10)).get(0);
        assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(f.compressedName()).isNull();
        assertThat(f.lastError()).contains(disk.urlOf(f.lfn() + ".bz2")).contains(wrong(lie));
    }

    @ParameterizedTest
    @EnumSource(Lie.class)
    void theBuiltinMoverNeverSetsOnTapeForACopyThatDoesNotConfirm(Lie lie) throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(1, 1);
        assertThat(fx.compression(Codec.BZIP2, 10).run(b -> { }).compressed()).isEqualTo(1);
        LyingEndpoint tape = new LyingEndpoint(fx.tape, lie, ".bz2");

        assertThat(new BuiltinMover(fx.catalog, fx.storage, tape, 10).move().onTape()).isZero();

        CatalogFile f = fx.catalog.list(FileFilter.all(10)).get(0);
        assertThat(f.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(f.tapeEvidence()).isNull();
        assertThat(f.lastError()).contains(tape.urlOf(f.compressedName())).contains(wrong(lie));
    }

    @ParameterizedTest
    @EnumSource(Lie.class)
    void theRawCopyIsKeptWhenTheTapeCopyDoesNotConfirm(Lie lie) throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(1, 1);
        assertThat(fx.compression(Codec.BZIP2, 10).run(b -> { }).compressed()).isEqualTo(1);
        assertThat(fx.mover(10).move().onTape()).isEqualTo(1);
        CatalogFile f = fx.catalog.list(FileFilter.all(10)).get(0);
        assertThat(f.tapeEvidence()).isEqualTo("size+adler32 only (file:// tape, no residency information)");
        LyingEndpoint tape = new LyingEndpoint(fx.tape, lie, ".bz2");

        assertThat(new RawCleaner(fx.catalog, fx.storage, tape).clean(10)).isZero();

        assertThat(fx.inStorage(f.lfn())).exists();
        assertThat(fx.row(f.lfn()).lastError()).startsWith("raw copy kept").contains(tape.urlOf(f.compressedName())).contains(wrong(lie));
    }

    @ParameterizedTest
    @EnumSource(Lie.class)
    void aRecallIsNotDoneWhenWhatArrivedDoesNotConfirm(Lie lie) throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(1, 1);
        assertThat(fx.compression(Codec.BZIP2, 10).run(b -> { }).compressed()).isEqualTo(1);
        assertThat(fx.mover(10).move().onTape()).isEqualTo(1);
        CatalogFile f = fx.catalog.list(FileFilter.all(10)).get(0);
        RecallStore recalls = new RecallStore(fx.catalog, Clock.systemUTC(), Duration.ofMinutes(30), 2);
        LyingEndpoint dest = new LyingEndpoint(new FileEndpoint(Files.createDirectories(tmp.resolve("recalled")).toUri()), lie, ".bz2");
        assertThat(recalls.request(f, dest.base().toString())).isTrue();

        Recaller.Report r = new Recaller(fx.catalog, recalls, fx.tape, url -> dest).run(10);

        assertThat(r.done()).isZero();
        assertThat(recalls.of(f.id())).singleElement().satisfies(x ->
                assertThat(x.lastError()).contains(dest.urlOf(f.compressedName())).contains(wrong(lie)).contains("as archived"));
    }
}
