package org.migdal.dm.storage;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link StorageEndpoint} keeps, run against each endpoint type ({@code file://}, {@code root://},
 * {@code https://}) on real storage: put/stat/checksum/get/delete, odd names, empty and multi-GiB (sparse) files,
 * no overwrite unless asked, and a partial upload never looks complete.
 */
abstract class StorageContract {

    /** The endpoint under test; each test works below its own random folder. */
    abstract StorageEndpoint endpoint();

    final String root = "/contract-" + UUID.randomUUID();

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String adler(byte[] b) {
        Adler32 a = new Adler32();
        a.update(b);
        return Adler32s.hex(a.getValue());
    }

    static byte[] readAll(StorageEndpoint e, String path) throws Exception {
        try (InputStream in = e.open(path)) {
            return in.readAllBytes();
        }
    }

    @Test
    void putStatChecksumGetDelete() throws Exception {
        StorageEndpoint e = endpoint();
        byte[] data = bytes(3 * 1024 * 1024 + 17, 1);
        String path = root + "/2208/220803/MIG_run/file.dat";

        StorageEndpoint.Sent sent = e.put(new ByteArrayInputStream(data), data.length, path, false);

        assertThat(sent.bytes()).isEqualTo(data.length);
        assertThat(sent.adler32().value()).isEqualTo(adler(data));
        assertThat(e.stat(path)).hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(data.length));
        assertThat(e.checksum(path).value()).isEqualTo(adler(data));
        assertThat(readAll(e, path)).isEqualTo(data);
        e.delete(path);
        assertThat(e.stat(path)).isEmpty();
        e.delete(path); // deleting a missing file is not an error
    }

    @Test
    void namesWithSpacesAndUnicode() throws Exception {
        StorageEndpoint e = endpoint();
        byte[] data = "MIGDAL ünïcødé ✓".getBytes(StandardCharsets.UTF_8);
        String path = root + "/2301/230112/MIG_Run 12 (retake)_230112T090000/MIG_ünïcode ✓ 0000.dat";

        e.put(new ByteArrayInputStream(data), data.length, path, false);

        assertThat(e.stat(path)).hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(data.length));
        assertThat(e.checksum(path).value()).isEqualTo(adler(data));
        assertThat(readAll(e, path)).isEqualTo(data);
        e.delete(path);
        assertThat(e.stat(path)).isEmpty();
    }

    @Test
    void zeroByteFile() throws Exception {
        StorageEndpoint e = endpoint();
        String path = root + "/empty.dat";
        StorageEndpoint.Sent sent = e.put(new ByteArrayInputStream(new byte[0]), 0, path, false);
        assertThat(sent.adler32().value()).isEqualTo("00000001");
        assertThat(e.stat(path)).hasValueSatisfying(r -> assertThat(r.size()).isZero());
        assertThat(e.checksum(path).value()).isEqualTo("00000001");
        assertThat(readAll(e, path)).isEmpty();
    }

    /** Over 2 GiB of mostly zeros (a sparse source), so no 32-bit size survives; streamed, never held in memory. */
    @Test
    void multiGibSparseFile() throws Exception {
        StorageEndpoint e = endpoint();
        long size = (2L << 30) + 4099;
        String path = root + "/sparse.dat";
        Adler32 expected = new Adler32();
        try (InputStream src = new SparseSource(size)) {
            byte[] buf = new byte[1 << 20];
            int r;
            while ((r = src.read(buf)) > 0) {
                expected.update(buf, 0, r);
            }
        }
        StorageEndpoint.Sent sent = e.put(new SparseSource(size), size, path, false);

        assertThat(sent.bytes()).isEqualTo(size);
        assertThat(sent.adler32().value()).isEqualTo(Adler32s.hex(expected.getValue()));
        assertThat(e.stat(path)).hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(size));
        assertThat(e.checksum(path).value()).isEqualTo(Adler32s.hex(expected.getValue()));
        e.delete(path);
    }

    @Test
    void overwriteIsRefusedUnlessAsked() throws Exception {
        StorageEndpoint e = endpoint();
        String path = root + "/once.dat";
        byte[] first = bytes(1000, 2);
        byte[] second = bytes(2000, 3);
        e.put(new ByteArrayInputStream(first), first.length, path, false);

        assertThatThrownBy(() -> e.put(new ByteArrayInputStream(second), second.length, path, false))
                .isInstanceOfSatisfying(StorageException.class, x -> assertThat(x.kind()).isEqualTo(StorageException.Kind.EXISTS))
                .hasMessageContaining("once.dat");
        assertThat(readAll(e, path)).isEqualTo(first);

        e.put(new ByteArrayInputStream(second), second.length, path, true);
        assertThat(readAll(e, path)).isEqualTo(second);
        assertThat(e.checksum(path).value()).isEqualTo(adler(second));
    }

    @Test
    void aPartialUploadNeverLooksComplete() throws Exception {
        StorageEndpoint e = endpoint();
        String path = root + "/partial.dat";
        long declared = 8L * 1024 * 1024;
        InputStream failing = new FailingSource(declared / 2);
        assertThatThrownBy(() -> e.put(failing, declared, path, false)).isInstanceOf(StorageException.class);
        Optional<RemoteFile> after = e.stat(path);
        assertThat(after.isEmpty() || after.get().size() < declared)
                .as("after a failed upload the final name is absent or visibly short, never complete: %s", after).isTrue();

        byte[] shortData = bytes(1000, 4);
        assertThatThrownBy(() -> e.put(new ByteArrayInputStream(shortData), 5000, root + "/short.dat", false))
                .isInstanceOf(StorageException.class);
        Optional<RemoteFile> shortAfter = e.stat(root + "/short.dat");
        assertThat(shortAfter.isEmpty() || shortAfter.get().size() < 5000).as("short source: %s", shortAfter).isTrue();
    }

    @Test
    void missingFiles() throws Exception {
        StorageEndpoint e = endpoint();
        assertThat(e.stat(root + "/nope.dat")).isEmpty();
        assertThatThrownBy(() -> e.checksum(root + "/nope.dat")).isInstanceOfSatisfying(StorageException.class,
                x -> assertThat(x.kind()).isEqualTo(StorageException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> readAll(e, root + "/nope.dat")).isInstanceOf(Exception.class);
    }

    /** A DAQ disk that fails after {@code good} bytes: gives bytes of 7, then throws an IOException. */
    static final class FailingSource extends InputStream {
        private final long good;
        private long given;

        FailingSource(long good) {
            this.good = good;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (given >= good) {
                throw new IOException("DAQ disk read error (simulated by the test)");
            }
            int n = (int) Math.min(len, good - given);
            java.util.Arrays.fill(b, off, off + n, (byte) 7);
            given += n;
            return n;
        }
    }

    /** {@code size} bytes of zeros with a marker every GiB: what a sparse file reads as, without a disk. */
    static final class SparseSource extends InputStream {
        private final long size;
        private long pos;

        SparseSource(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (pos >= size) {
                return -1;
            }
            return value(pos++);
        }

        private static int value(long p) {
            return p % (1L << 30) == 12345 ? 0x5a : 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            long marker = (pos / (1L << 30)) * (1L << 30) + 12345;
            for (long m = marker; m < pos + n; m += 1L << 30) {
                if (m >= pos) {
                    b[off + (int) (m - pos)] = 0x5a;
                }
            }
            pos += n;
            return n;
        }
    }
}
