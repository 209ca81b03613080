package org.migdal.dm.compress;

import org.migdal.dm.storage.Adler32s;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Compresses a raw stream to a file in one pass, taking the adler32 of the raw bytes read and of the
 * compressed bytes written; then proves the result by decompressing it in-process.
 */
public final class Compressor {
    private final Codec codec;
    private final int level;

    public Compressor(Codec codec, int level) {
        this.codec = codec;
        this.level = level;
    }

    public Codec codec() {
        return codec;
    }

    public int level() {
        return level;
    }

    /** Adler32 and size of the raw input and of the compressed output. */
    public record Result(long rawBytes, String rawAdler32, long compressedBytes, String compressedAdler32) {
    }

    public Result compress(InputStream raw, Path target) throws IOException {
        Adler32 rawSum = new Adler32();
        Adler32 outSum = new Adler32();
        long rawBytes = 0;
        CountingOutputStream counter;
        try (CheckedInputStream in = new CheckedInputStream(new BufferedInputStream(raw, 1 << 20), rawSum);
             OutputStream file = Files.newOutputStream(target);
             CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(file, 1 << 20), outSum)) {
            counter = new CountingOutputStream(checked);
            try (OutputStream z = codec.compressing(counter, level)) {
                byte[] buf = new byte[1 << 20];
                int r;
                while ((r = in.read(buf)) > 0) {
                    z.write(buf, 0, r);
                    rawBytes += r;
                }
            }
        }
        return new Result(rawBytes, Adler32s.hex(rawSum.getValue()), counter.count, Adler32s.hex(outSum.getValue()));
    }

    /** Decompresses a file in-process and returns the size and adler32 of what it reproduces. */
    public Adler32s.Sum decompressedSum(Path compressed) throws IOException {
        try (InputStream in = codec.decompressing(new BufferedInputStream(Files.newInputStream(compressed), 1 << 20))) {
            return Adler32s.of(in);
        }
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush(); // the outer try closes the file
        }
    }
}
