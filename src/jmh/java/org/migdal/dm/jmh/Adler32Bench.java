package org.migdal.dm.jmh;

import org.migdal.dm.storage.Adler32s;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.zip.Adler32;

/** Adler32 of 1 MiB of camera data: on a heap array, on a direct buffer, and through our stream helper {@link Adler32s#of}. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class Adler32Bench {
    private byte[] heap;
    private ByteBuffer direct;

    @Setup
    public void setUp() throws IOException {
        heap = CameraData.oneMiB();
        direct = ByteBuffer.allocateDirect(heap.length);
        direct.put(heap).flip();
    }

    @Benchmark
    public long heapArray() {
        Adler32 a = new Adler32();
        a.update(heap, 0, heap.length);
        return a.getValue();
    }

    @Benchmark
    public long directBuffer() {
        Adler32 a = new Adler32();
        a.update(direct.duplicate());
        return a.getValue();
    }

    @Benchmark
    public Adler32s.Sum adler32sOfStream() throws IOException {
        return Adler32s.of(new ByteArrayInputStream(heap));
    }
}
