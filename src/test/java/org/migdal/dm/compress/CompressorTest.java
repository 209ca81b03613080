package org.migdal.dm.compress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.storage.Adler32s;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.zip.Adler32;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CompressorTest {

    @TempDir
    Path tmp;

    /** Three 128 KiB camera frames, as the DAQ writes them. */
    private byte[] frames() throws IOException {
        List<Path> files = new SyntheticRuns(42).writeRun(tmp.resolve("daq"), "Fe55",
                LocalDateTime.of(2022, 8, 3, 14, 54, 47), 1, 3 * 256 * 256 * 2);
        return Files.readAllBytes(files.get(0));
    }

    private static String adler(byte[] b) {
        Adler32 a = new Adler32();
        a.update(b);
        return String.format("%08x", a.getValue());
    }

    private static byte[] decompress(Codec codec, Path file) throws IOException {
        try (InputStream in = codec.decompressing(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void roundTripOfCameraFramesReproducesTheRawBytesAndTheirAdler32(Codec codec) throws IOException {
        byte[] raw = frames();
        assertThat(raw).hasSize(3 * 256 * 256 * 2);
        Path out = tmp.resolve("f" + codec.suffix());

        Compressor.Result r = new Compressor(codec, 9).compress(new ByteArrayInputStream(raw), out);

        byte[] stored = Files.readAllBytes(out);
        assertThat(r.rawBytes()).isEqualTo(raw.length);
        assertThat(r.rawAdler32()).isEqualTo(adler(raw));
        assertThat(r.compressedBytes()).isEqualTo(stored.length).isEqualTo(Files.size(out));
        assertThat(r.compressedAdler32()).isEqualTo(adler(stored));
        assertThat(r.compressedBytes()).as("16-bit frames with a pedestal compress").isLessThan(raw.length * 3L / 4);

        assertThat(decompress(codec, out)).isEqualTo(raw);
        Adler32s.Sum check = new Compressor(codec, 9).decompressedSum(out);
        assertThat(check.bytes()).isEqualTo(raw.length);
        assertThat(check.adler32().value()).isEqualTo(adler(raw));
    }

    @Test
    void bzip2OutputIsARealBzip2StreamWithTheRequestedBlockSize() throws IOException {
        Path out = tmp.resolve("f.bz2");
        new Compressor(Codec.BZIP2, 9).compress(new ByteArrayInputStream(frames()), out);
        byte[] head = Arrays.copyOf(Files.readAllBytes(out), 4);
        assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("BZh9");
    }

    @Test
    void gzipOutputIsReadByTheJdksOwnGzipReader() throws IOException {
        byte[] raw = frames();
        Path out = tmp.resolve("f.gz");
        new Compressor(Codec.GZIP, 9).compress(new ByteArrayInputStream(raw), out);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(out))) {
            assertThat(in.readAllBytes()).isEqualTo(raw);
        }
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void emptyInputRoundTrips(Codec codec) throws IOException {
        Path out = tmp.resolve("empty" + codec.suffix());
        Compressor c = new Compressor(codec, 9);

        Compressor.Result r = c.compress(new ByteArrayInputStream(new byte[0]), out);

        assertThat(r.rawBytes()).isZero();
        assertThat(r.rawAdler32()).isEqualTo("00000001").isEqualTo(adler(new byte[0]));
        assertThat(r.compressedBytes()).isPositive().isEqualTo(Files.size(out));
        assertThat(r.compressedAdler32()).isEqualTo(adler(Files.readAllBytes(out)));
        assertThat(decompress(codec, out)).isEmpty();
        assertThat(c.decompressedSum(out)).isEqualTo(new Adler32s.Sum(0, org.migdal.dm.storage.Checksum.adler32("00000001")));
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aDamagedCompressedFileNeverPassesTheDecompressionCheck(Codec codec) throws IOException {
        byte[] raw = frames();
        Path out = tmp.resolve("f" + codec.suffix());
        Compressor c = new Compressor(codec, 9);
        c.compress(new ByteArrayInputStream(raw), out);
        byte[] z = Files.readAllBytes(out);
        z[z.length / 2] ^= 0x10;
        Files.write(out, z);

        Adler32s.Sum sum;
        try {
            sum = c.decompressedSum(out);
        } catch (IOException expected) {
            return; // the codec's own CRC caught it
        }
        assertThat(sum).isNotEqualTo(new Adler32s.Sum(raw.length, org.migdal.dm.storage.Checksum.adler32(adler(raw))));
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void aTruncatedCompressedFileFailsToDecompress(Codec codec) throws IOException {
        Path out = tmp.resolve("f" + codec.suffix());
        Compressor c = new Compressor(codec, 9);
        c.compress(new ByteArrayInputStream(frames()), out);
        byte[] z = Files.readAllBytes(out);
        Files.write(out, Arrays.copyOf(z, z.length - 20));

        assertThatThrownBy(() -> c.decompressedSum(out)).isInstanceOf(IOException.class);
    }

    @ParameterizedTest
    @EnumSource(Codec.class)
    void concatenatedStreamsAreReadToTheEnd(Codec codec) throws IOException {
        byte[] a = "first member ".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] b = "second member".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        for (byte[] part : List.of(a, b)) {
            try (OutputStream z = codec.compressing(new NonClosing(both), 6)) {
                z.write(part);
            }
        }
        Path out = tmp.resolve("cat" + codec.suffix());
        Files.write(out, both.toByteArray());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(a);
        expected.write(b);

        assertThat(new Compressor(codec, 6).decompressedSum(out))
                .isEqualTo(new Adler32s.Sum(expected.size(), org.migdal.dm.storage.Checksum.adler32(adler(expected.toByteArray()))));
    }

    @Test
    void codecNamesAndSuffixes() {
        assertThat(Codec.named("bzip2")).isEqualTo(Codec.BZIP2);
        assertThat(Codec.named("GZIP")).isEqualTo(Codec.GZIP);
        assertThat(Codec.BZIP2.suffix()).isEqualTo(".bz2");
        assertThat(Codec.GZIP.suffix()).isEqualTo(".gz");
        assertThatThrownBy(() -> Codec.named("lz4")).isInstanceOf(IllegalArgumentException.class);
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
