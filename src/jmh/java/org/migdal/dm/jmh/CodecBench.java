package org.migdal.dm.jmh;

import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.Compressor;
import org.migdal.dm.compress.Engine;
import org.migdal.dm.compress.Toolbox;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Each codec on 1 MiB of camera data at its default level: in-process compression and decompression, and the archive's
 * whole kernel ({@link Compressor#compress}: compress to a file and verify by decompressing the same bytes) with the
 * engine {@code auto} (bzip2: the system's programs when found).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class CodecBench {
    @Param({"bzip2", "gzip", "zstd"})
    public String codec;

    private Codec c;
    private byte[] raw;
    private byte[] compressed;
    private Compressor kernel;
    private Path dir;

    @Setup
    public void setUp() throws IOException {
        c = Codec.named(codec);
        raw = CameraData.oneMiB();
        compressed = compress();
        kernel = Toolbox.system(Engine.AUTO).compressor(c, c.defaultLevel());
        dir = Files.createTempDirectory("migdal-jmh-codec");
    }

    @TearDown
    public void tearDown() throws IOException {
        Files.deleteIfExists(dir.resolve("out"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public byte[] compress() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        try (OutputStream z = c.compressing(out, c.defaultLevel())) {
            z.write(raw);
        }
        return out.toByteArray();
    }

    @Benchmark
    public byte[] decompress() throws IOException {
        try (InputStream in = c.decompressing(new ByteArrayInputStream(compressed))) {
            return in.readAllBytes();
        }
    }

    @Benchmark
    public Compressor.Result compressAndVerify() throws IOException {
        return kernel.compress(new ByteArrayInputStream(raw), dir.resolve("out"));
    }
}
