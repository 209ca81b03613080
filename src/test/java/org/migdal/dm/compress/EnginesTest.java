package org.migdal.dm.compress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.migdal.dm.daq.SyntheticRuns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Each codec with each engine: the system's programs through pipes (bzip2) or in-process, verified on the bytes as they
 * are made; stand-in programs on a folder the test controls show that a missing program falls back (auto) or is refused
 * (native), and that a program that fails or writes garbage is a clear failure, never a wrong copy.
 */
class EnginesTest {
    @TempDir
    Path tmp;

    private byte[] frames() throws IOException {
        List<Path> files = new SyntheticRuns(11).writeRun(tmp.resolve("daq"), "Fe55",
                LocalDateTime.of(2022, 8, 3, 14, 54, 47), 1, 4 * 256 * 256 * 2);
        return Files.readAllBytes(files.get(0));
    }

    private static String adler(byte[] b) {
        Adler32 a = new Adler32();
        a.update(b);
        return String.format("%08x", a.getValue());
    }

    /** A folder holding one executable shell script per name. */
    private Path standIns(String... nameAndScript) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("bin"));
        for (int i = 0; i < nameAndScript.length; i += 2) {
            Path p = dir.resolve(nameAndScript[i]);
            Files.writeString(p, "#!/bin/sh\n" + nameAndScript[i + 1] + "\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    private static Path system(String program) {
        return Programs.which(program, Programs.systemPath()).orElse(null);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void everyCodecWithEveryEngineRoundTripsToAFileNamedWithSpacesAndUnicode(Codec codec) throws IOException {
        byte[] raw = frames();
        for (Engine engine : Engine.values()) {
            if (engine != Engine.JAVA && codec == Codec.BZIP2) {
                assumeTrue(system("bzip2") != null || system("lbzip2") != null, "no bzip2 program on this machine");
            }
            Path out = Files.createDirectories(tmp.resolve("a dir ü " + engine)).resolve("run 1 — Fe55 ✓" + codec.suffix());
            Compressor c = Toolbox.system(engine).compressor(codec, codec.defaultLevel());

            Compressor.Result r = c.compress(new ByteArrayInputStream(raw), out);

            assertThat(c.describe()).contains(codec == Codec.BZIP2 && engine != Engine.JAVA ? "bzip2 -9" : "in-process");
            assertThat(r.rawBytes()).isEqualTo(raw.length);
            assertThat(r.rawAdler32()).isEqualTo(adler(raw));
            assertThat(r.decompressed().bytes()).isEqualTo(raw.length);
            assertThat(r.decompressed().adler32().value()).isEqualTo(adler(raw));
            byte[] stored = Files.readAllBytes(out);
            assertThat(r.compressedBytes()).isEqualTo(stored.length).isLessThan(raw.length / 2);
            assertThat(r.compressedAdler32()).isEqualTo(adler(stored));
            try (InputStream in = codec.decompressing(new ByteArrayInputStream(stored))) {
                assertThat(in.readAllBytes()).isEqualTo(raw); // independently of the verifier
            }
            try (var files = Files.list(out.getParent())) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly(out.getFileName().toString());
            }
        }
    }

    @Test
    void withoutProgramsAutoFallsBackInProcessAndNativeIsRefusedSayingWhy() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Compressor auto = new Toolbox(Engine.AUTO, List.of(empty)).compressor(Codec.BZIP2, 9);
        assertThat(auto.describe()).isEqualTo("bzip2 -9 in-process, verified by decompressing in-process");
        byte[] raw = frames();
        assertThat(auto.compress(new ByteArrayInputStream(raw), tmp.resolve("f.bz2")).decompressed().bytes()).isEqualTo(raw.length);

        assertThatThrownBy(() -> new Toolbox(Engine.NATIVE, List.of(empty)).compressor(Codec.BZIP2, 9))
                .hasMessageContaining("archive.engine is native but neither bzip2 nor lbzip2 is in [" + empty + "]");
    }

    @Test
    void lbzip2AloneBothCompressesAndVerifies() throws IOException {
        Path dir = standIns("lbzip2", "exec /bin/true");
        Programs p = Programs.find(Codec.BZIP2, 7, List.of(dir)).orElseThrow();
        assertThat(p.compress()).containsExactly(dir.resolve("lbzip2").toString(), "-7", "-n", "1", "-c");
        assertThat(p.decompress()).containsExactly(dir.resolve("lbzip2").toString(), "-d", "-n", "1", "-c");
        assertThat(Programs.find(Codec.ZSTD, 3, List.of(dir))).isEmpty();
    }

    @Test
    void aCompressorThatFailsIsAFailureNamingItsStatusAndStderr() throws IOException {
        Path dir = standIns("bzip2", "cat > /dev/null; echo 'bzip2: I/O or other error, bailing out' >&2; exit 2");
        Compressor c = new Toolbox(Engine.NATIVE, List.of(dir)).compressor(Codec.BZIP2, 9);
        Path out = tmp.resolve("f.bz2");

        assertThatThrownBy(() -> c.compress(new ByteArrayInputStream(frames()), out))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(Compressor.VerificationFailed.class)
                .hasMessageContaining(dir.resolve("bzip2") + " -9 -c exited with status 2: bzip2: I/O or other error, bailing out");
    }

    @Test
    void aCompressorWritingGarbageFailsVerification() throws IOException {
        Path realBzip2 = system("bzip2");
        assumeTrue(realBzip2 != null, "no bzip2 on this machine");
        // compresses by copying its input (not bzip2 at all); decompresses with the real program, which refuses it
        Path dir = standIns("bzip2", "case \"$1\" in -d) exec " + realBzip2 + " \"$@\";; *) exec cat;; esac");
        Compressor c = new Toolbox(Engine.NATIVE, List.of(dir)).compressor(Codec.BZIP2, 9);

        assertThatThrownBy(() -> c.compress(new ByteArrayInputStream(frames()), tmp.resolve("f.bz2")))
                .isInstanceOf(Compressor.VerificationFailed.class)
                .hasMessageContaining(dir.resolve("bzip2") + " -d -c failed: exit status 2");
    }

    @Test
    void aDecompressorThatReproducesOtherBytesIsCaught() throws IOException {
        Path realBzip2 = system("bzip2");
        assumeTrue(realBzip2 != null, "no bzip2 on this machine");
        // a verifier that drops the last byte of what it decompresses: the verification must not believe it
        Path dir = standIns("bzip2", "exec " + realBzip2 + " \"$@\"",
                "lbzip2", "exec " + realBzip2 + " -d -c | head -c -1");
        Compressor c = new Toolbox(Engine.AUTO, List.of(dir)).compressor(Codec.BZIP2, 9);
        byte[] raw = frames();

        assertThatThrownBy(() -> c.compress(new ByteArrayInputStream(raw), tmp.resolve("f.bz2")))
                .isInstanceOf(Compressor.VerificationFailed.class)
                .hasMessageContaining("gave " + (raw.length - 1) + " bytes")
                .hasMessageContaining("instead of the " + raw.length + " bytes with adler32 " + adler(raw));
    }

    @Test
    void hungProgramsAreKilledAfterTheStallLimitAndTheFileFails() throws IOException {
        // a compressor and a decompressor that neither read nor write: without the watchdog compress() never returns
        Path dir = standIns("bzip2", "exec sleep 600");
        Compressor c = new Compressor(Codec.BZIP2, 9, Programs.find(Codec.BZIP2, 9, List.of(dir)).orElseThrow(), Duration.ofMillis(300));
        byte[] raw = frames();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                assertThatThrownBy(() -> c.compress(new java.io.ByteArrayInputStream(raw), tmp.resolve("hung.bz2")))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("were killed after 300 ms without progress")
                        .hasMessageContaining(dir.resolve("bzip2").toString()));
    }

    @Test
    void aReadOfTheRawCopyThatNeverReturnsFailsTheFileAfterTheStallLimit() throws Exception {
        assumeTrue(system("bzip2") != null || system("lbzip2") != null, "no bzip2 program on this machine");
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        InputStream hung = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ == 50_000) {
                    try {
                        never.await(); // a storage read that hangs (a dead NFS server)
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                return n & 0xff;
            }
        };
        Compressor c = new Compressor(Codec.BZIP2, 9, Programs.find(Codec.BZIP2, 9, Programs.systemPath()).orElseThrow(),
                Duration.ofMillis(300));
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () ->
                    assertThatThrownBy(() -> c.compress(hung, tmp.resolve("stuck.bz2")))
                            .hasMessageContaining("without progress")
                            .hasMessageContaining("a hung read of the raw copy"));
        } finally {
            never.countDown(); // lets the abandoned feeder thread end
        }
    }

    @Test
    void aFailedReadOfTheRawCopyIsReportedAsItselfNotAsTheProgram() throws IOException {
        assumeTrue(system("bzip2") != null || system("lbzip2") != null, "no bzip2 program on this machine");
        Compressor c = Toolbox.system(Engine.NATIVE).compressor(Codec.BZIP2, 9);
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 100_000) {
                    throw new IOException("storage read failed at byte 100001");
                }
                return n & 0xff;
            }
        };
        assertThatThrownBy(() -> c.compress(failing, tmp.resolve("f.bz2"))).hasMessage("storage read failed at byte 100001");
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aFailedReadInProcessLeavesNoVerifierWaiting(Codec codec) {
        Compressor c = new Compressor(codec, codec.defaultLevel());
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (n++ > 300_000) {
                    throw new IOException("storage read failed");
                }
                return (n * 31) & 0xff;
            }
        };
        assertThatThrownBy(() -> c.compress(failing, tmp.resolve("f" + codec.suffix()))).hasMessage("storage read failed");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> Thread.getAllStackTraces().keySet()
                .stream().noneMatch(t -> t.getName().equals("verify-" + codec.id())));
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void inProcessVerificationRefusesTrailingBytes(Codec codec) throws IOException {
        Verifier v = Verifier.inProcess(codec);
        byte[] raw = frames();
        java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
        try (var out = codec.compressing(z, codec.defaultLevel())) {
            out.write(raw);
        }
        byte[] bytes = z.toByteArray();
        v.write(bytes, 0, bytes.length);
        v.write(new byte[] {1, 2, 3}, 0, 3);
        assertThatThrownBy(v::finish).isInstanceOf(Compressor.VerificationFailed.class);
        v.close();
    }
}
