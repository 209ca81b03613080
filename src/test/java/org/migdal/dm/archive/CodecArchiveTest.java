package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.Engine;
import org.migdal.dm.compress.Toolbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The archive stage end to end on file:// with each codec, and with a compressing program that cannot be believed. */
class CodecArchiveTest {
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

    @ParameterizedTest
    @EnumSource(value = Codec.class, names = {"ZSTD", "GZIP"})
    void zstdAndGzipCopiesArePutInPlaceWithTheirSuffixAndDecompressToTheRawBytes(Codec codec) throws Exception {
        List<CatalogFile> files = fx.shipped(2, 3);

        ArchiveReport r = fx.compression(codec, codec.defaultLevel(), Toolbox.system(Engine.AUTO), 10).run(b -> { });

        assertThat(r.compressed()).isEqualTo(2);
        for (CatalogFile before : files) {
            CatalogFile f = fx.row(before.lfn());
            assertThat(f.state()).isEqualTo(FileState.COMPRESSED);
            assertThat(f.compressedName()).isEqualTo(f.lfn() + codec.suffix());
            Path z = fx.inStorage(f.compressedName());
            assertThat(f.compressedSize()).isEqualTo(Files.size(z)).isLessThan(f.size());
            assertThat(f.compressedAdler32()).isEqualTo(ArchiveFixture.adler32(z));
            try (InputStream in = codec.decompressing(Files.newInputStream(z))) {
                assertThat(in.readAllBytes()).isEqualTo(Files.readAllBytes(fx.inStorage(f.lfn())));
            }
            assertThat(fx.events(f.lfn()).get(fx.events(f.lfn()).size() - 1).message())
                    .startsWith(codec.name() + " ").contains(codec.id() + " -" + codec.defaultLevel() + " in-process");
        }
        assertThat(ArchiveFixture.filesUnder(fx.workDir)).isEmpty();
    }

    @Test
    void aCompressingProgramWritingGarbageMarksNothingCompressedAndLeavesNoCopy() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = bin.resolve("bzip2");
        // "compresses" by copying; the verifier (the same stand-in with -d) refuses what is not bzip2
        Files.writeString(fake, "#!/bin/sh\ncase \"$1\" in -d) echo 'bzip2: (stdin) is not a bzip2 file.' >&2; exit 2;; *) exec cat;; esac\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<CatalogFile> files = fx.shipped(2, 2);

        ArchiveReport r = fx.compression(Codec.BZIP2, 9, new Toolbox(Engine.NATIVE, List.of(bin)), 10).run(b -> { });

        assertThat(r.compressed()).isZero();
        assertThat(r.failed()).isEqualTo(2);
        for (CatalogFile before : files) {
            CatalogFile f = fx.row(before.lfn());
            assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
            assertThat(f.compressedName()).isNull();
            assertThat(f.lastError()).contains("verify").contains(fake + " -d -c failed: exit status 2")
                    .contains("is not a bzip2 file").contains("not uploaded");
            assertThat(fx.inStorage(f.lfn() + ".bz2")).doesNotExist();
        }
        assertThat(ArchiveFixture.filesUnder(fx.storageRoot)).allMatch(p -> !p.endsWith(".bz2") && !p.contains(".mdm-"));
        assertThat(ArchiveFixture.filesUnder(fx.workDir)).isEmpty();
    }

    @Test
    void aMissingProgramUnderTheNativeEngineFailsTheFileSayingSo() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("nothing"));
        fx.shipped(1, 2);

        ArchiveReport r = fx.compression(Codec.BZIP2, 9, new Toolbox(Engine.NATIVE, List.of(empty)), 10).run(b -> { });

        assertThat(r.compressed()).isZero();
        CatalogFile f = fx.row(fx.catalog.list(org.migdal.dm.catalog.FileFilter.all(10)).get(0).lfn());
        assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(f.lastError()).contains("neither bzip2 nor lbzip2 is in [" + empty + "]");
    }
}
