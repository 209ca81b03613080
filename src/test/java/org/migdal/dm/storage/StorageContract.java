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

    /** Sets a stored file's modification time on the storage's own disk (as a file left days ago would have). */
    abstract void setModified(String path, java.time.Instant when) throws IOException;

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

    /** A last path component of exactly {@code bytes} bytes (UTF-8), DAQ-like, with a 2-byte character in it. */
    static String nameOfBytes(int bytes) {
        String head = "MIG_Fe55_data_220803T145447.CAL.\u00fc.";
        String tail = ".0000.dat";
        int fill = bytes - head.getBytes(StandardCharsets.UTF_8).length - tail.length();
        return head + "x".repeat(fill) + tail;
    }

    /** Defect 9: temp names added 43 bytes, so a 220-byte DAQ name could not be shipped; 255 (NAME_MAX) must work. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {220, 251, 255})
    void namesUpTo255BytesGoAllTheWay(int length) throws Exception {
        StorageEndpoint e = endpoint();
        String name = nameOfBytes(length);
        assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSize(length);
        String path = root + "/2208/220803/MIG_long/" + name;
        byte[] data = bytes(70_000 + length, length);

        StorageEndpoint.Sent sent = e.put(new ByteArrayInputStream(data), data.length, path, false);

        assertThat(sent.adler32().value()).isEqualTo(adler(data));
        assertThat(e.stat(path)).hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(data.length));
        assertThat(e.checksum(path).value()).isEqualTo(adler(data));
        assertThat(readAll(e, path)).isEqualTo(data);
        byte[] again = bytes(1000, length + 1);
        e.put(new ByteArrayInputStream(again), again.length, path, true);
        assertThat(readAll(e, path)).isEqualTo(again);
        e.delete(path);
        assertThat(e.stat(path)).isEmpty();
    }

    @Test
    void aNameLongerThan255BytesIsRefusedNamingTheLimit() {
        StorageEndpoint e = endpoint();
        String path = root + "/" + nameOfBytes(256);
        assertThatThrownBy(() -> e.put(new ByteArrayInputStream(new byte[3]), 3, path, false))
                .isInstanceOfSatisfying(StorageException.class, x -> assertThat(x.kind()).isEqualTo(StorageException.Kind.NAME_TOO_LONG))
                .hasMessageContaining("256 bytes").hasMessageContaining("255");
    }

    /** Defect 4 (storage half): an upload that fails must never destroy the copy already under the name. */
    @Test
    void aFailedOverwriteLeavesThePreviousCopyIntact() throws Exception {
        StorageEndpoint e = endpoint();
        String path = root + "/kept/verified.dat";
        byte[] verified = bytes(300_000, 11);
        e.put(new ByteArrayInputStream(verified), verified.length, path, false);

        assertThatThrownBy(() -> e.put(new FailingSource(1_000_000), 4_000_000, path, true))
                .isInstanceOf(StorageException.class);

        assertThat(readAll(e, path)).isEqualTo(verified);
        assertThat(e.checksum(path).value()).isEqualTo(adler(verified));
    }

    /**
     * Defect 4 (storage half): worker A's lease ran out during its upload, worker B put its verified copy in place, then
     * A's upload failed. A's clean-up must remove only what A created, never B's copy.
     */
    @Test
    void aCopyPutInPlaceByAnotherWorkerDuringAFailedUploadSurvives() throws Exception {
        StorageEndpoint e = endpoint();
        String path = root + "/race/MIG_x.dat";
        byte[] bCopy = bytes(200_000, 12);
        StorageException[] bFailed = new StorageException[1];
        InputStream aSource = new InputStream() {
            long given;
            boolean bDone;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (given >= 2_000_000) {
                    if (!bDone) {
                        bDone = true;
                        try {
                            e.put(new ByteArrayInputStream(bCopy), bCopy.length, path, false); // worker B
                        } catch (StorageException x) {
                            bFailed[0] = x;
                        }
                    }
                    throw new IOException("worker A's DAQ disk failed (simulated by the test)");
                }
                int n = (int) Math.min(len, 2_000_000 - given);
                java.util.Arrays.fill(b, off, off + n, (byte) 3);
                given += n;
                return n;
            }
        };

        assertThatThrownBy(() -> e.put(aSource, 5_000_000, path, false)).isInstanceOf(StorageException.class);

        assertThat(bFailed[0]).as("worker B's upload beside A's").isNull();
        assertThat(readAll(e, path)).as("B's verified copy").isEqualTo(bCopy);
        assertThat(e.checksum(path).value()).isEqualTo(adler(bCopy));
    }

    /** Defect 9: the janitor removes an old orphaned temporary and nothing else, at every endpoint type. */
    @Test
    void theJanitorRemovesOnlyOldOrphanedTemporaries() throws Exception {
        StorageEndpoint e = endpoint();
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        String dir = root + "/jan/2208/220803";
        String old = dir + "/" + StorageNames.newTempName();
        String young = dir + "/" + StorageNames.newTempName();
        String oldData = dir + "/MIG_old_run.dat";
        String lookalike = dir + "/.mdm-abc.part";
        String oldUpper = root + "/jan/" + StorageNames.newTempName();
        for (String p : java.util.List.of(old, young, oldData, lookalike, oldUpper)) {
            e.put(new ByteArrayInputStream(new byte[] {1, 2, 3}), 3, p, false);
        }
        setModified(old, now.minus(java.time.Duration.ofHours(25)));
        setModified(oldUpper, now.minus(java.time.Duration.ofDays(40)));
        setModified(young, now.minus(java.time.Duration.ofHours(23)));
        setModified(oldData, now.minus(java.time.Duration.ofDays(400)));
        setModified(lookalike, now.minus(java.time.Duration.ofDays(400)));
        Janitor janitor = new Janitor(java.time.Duration.ofHours(24), java.time.Clock.fixed(now, java.time.ZoneOffset.UTC));

        Janitor.Report dry = janitor.sweep(e, true);
        assertThat(dry.removed()).contains(old, oldUpper).doesNotContain(young, oldData, lookalike);
        assertThat(e.stat(old)).as("a dry run removes nothing").isPresent();

        Janitor.Report r = janitor.sweep(e, false);

        assertThat(r.removed()).contains(old, oldUpper).doesNotContain(young, oldData, lookalike);
        assertThat(r.problems()).isEmpty();
        assertThat(e.stat(old)).isEmpty();
        assertThat(e.stat(oldUpper)).isEmpty();
        assertThat(e.stat(young)).as("younger than the age limit").isPresent();
        assertThat(e.stat(oldData)).as("not a temporary name").isPresent();
        assertThat(e.stat(lookalike)).as("not exactly a temporary name").isPresent();
    }

    /** Uploads leave no temporary behind, whether they succeed or fail. */
    @Test
    void uploadsLeaveNoTemporaryBehind() throws Exception {
        StorageEndpoint e = endpoint();
        String dir = root + "/clean";
        byte[] data = bytes(10_000, 31);
        e.put(new ByteArrayInputStream(data), data.length, dir + "/ok.dat", false);
        assertThatThrownBy(() -> e.put(new FailingSource(1_000_000), 3_000_000, dir + "/failed.dat", false))
                .isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> e.put(new ByteArrayInputStream(data), data.length + 5, dir + "/short.dat", false))
                .isInstanceOf(StorageException.class);
        assertThat(e.list(dir)).extracting(StorageEntry::name).containsExactly("ok.dat");
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
