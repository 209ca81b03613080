package org.migdal.dm.storage;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileEndpointTest {

    @TempDir
    Path tmp;

    Path root;
    FileEndpoint ep;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectories(tmp.resolve("storage"));
        ep = new FileEndpoint(root.toUri());
    }

    /** From a local file, over many buffers: the sum of what was read once, the stored bytes, and the re-read sum agree. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1 << 20, 9 * (1 << 20) + 7})
    void aLocalFileIsCopiedOnceWithItsSumAndReadBackInTwoHalves(int n) throws Exception {
        byte[] data = bytes(n, n);
        Path source = Files.write(tmp.resolve("src-" + n + ".dat"), data);

        StorageEndpoint.Sent sent = ep.putFile(source, n, "a/b/f.dat", false, Fence.NONE);

        assertThat(sent).isEqualTo(new StorageEndpoint.Sent(n, Checksum.adler32(adler(data))));
        assertThat(root.resolve("a/b/f.dat")).hasBinaryContent(data);
        assertThat(ep.checksum("a/b/f.dat")).isEqualTo(sent.adler32());
        assertThatThrownBy(() -> ep.putFile(source, n, "a/b/f.dat", false, Fence.NONE)).isInstanceOfSatisfying(StorageException.class,
                e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.EXISTS));
        assertThatThrownBy(() -> ep.putFile(tmp.resolve("missing.dat"), n, "a/b/g.dat", false, Fence.NONE))
                .as("a source that cannot be read is the source's problem").isInstanceOf(java.nio.file.NoSuchFileException.class);
        try (Stream<Path> s = Files.list(root.resolve("a/b"))) {
            assertThat(s.map(x -> x.getFileName().toString())).containsExactly("f.dat");
        }
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String adler(byte[] b) {
        Adler32 a = new Adler32();
        a.update(b);
        return String.format("%08x", a.getValue());
    }

    private static StorageEndpoint.Sent put(StorageEndpoint ep, byte[] data, String path, boolean overwrite) throws StorageException {
        return ep.put(new ByteArrayInputStream(data), data.length, path, overwrite);
    }

    /** Every regular file under the root, relative, so leftovers (temporary names) show. */
    private List<String> allFiles() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void putStatChecksumOpenDelete() throws Exception {
        byte[] data = bytes(3 * 1024 * 1024 + 17, 1); // more than one 1 MiB buffer
        String lfn = "/2208/220803/MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat";

        StorageEndpoint.Sent sent = put(ep, data, lfn, false);

        assertThat(sent).isEqualTo(new StorageEndpoint.Sent(data.length, Checksum.adler32(adler(data))));
        Path onDisk = root.resolve(lfn.substring(1));
        assertThat(Files.readAllBytes(onDisk)).isEqualTo(data);
        assertThat(ep.stat(lfn)).get().satisfies(r -> {
            assertThat(r.size()).isEqualTo(data.length);
            assertThat(r.path()).isEqualTo(lfn);
        });
        assertThat(ep.checksum(lfn).value()).isEqualTo(adler(data));
        try (InputStream in = ep.open(lfn)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(ep.urlOf(lfn)).isEqualTo(root.toUri().toString().replaceAll("/$", "") + lfn);
        assertThat(allFiles()).containsExactly(lfn.substring(1));

        ep.delete(lfn);
        assertThat(onDisk).doesNotExist();
        assertThat(ep.stat(lfn)).isEmpty();
        ep.delete(lfn); // deleting a missing file is not an error
    }

    @Test
    void checksumIsReadFromTheStoredBytesNotRemembered() throws Exception {
        byte[] data = bytes(4096, 2);
        put(ep, data, "a/b.dat", false);
        byte[] changed = data.clone();
        changed[100] ^= 1;
        Files.write(root.resolve("a/b.dat"), changed);

        assertThat(ep.checksum("a/b.dat").value()).isEqualTo(adler(changed)).isNotEqualTo(adler(data));
    }

    @Test
    void overwriteIsRefusedUnlessAsked() throws Exception {
        byte[] first = bytes(1000, 3);
        byte[] second = bytes(2000, 4);
        put(ep, first, "x/f.dat", false);

        assertThatThrownBy(() -> put(ep, second, "x/f.dat", false))
                .isInstanceOfSatisfying(StorageException.class, e -> {
                    assertThat(e.kind()).isEqualTo(StorageException.Kind.EXISTS);
                    assertThat(e.url()).endsWith("/x/f.dat");
                });
        assertThat(Files.readAllBytes(root.resolve("x/f.dat"))).isEqualTo(first);
        assertThat(allFiles()).containsExactly("x/f.dat");

        put(ep, second, "x/f.dat", true);
        assertThat(Files.readAllBytes(root.resolve("x/f.dat"))).isEqualTo(second);
        assertThat(ep.checksum("x/f.dat").value()).isEqualTo(adler(second));
        assertThat(allFiles()).containsExactly("x/f.dat");
    }

    @Test
    void aShortSourceLeavesNoFileUnderTheFinalNameAndNoTemporaryFile() throws Exception {
        byte[] data = bytes(10_000, 5);

        assertThatThrownBy(() -> ep.put(new ByteArrayInputStream(data, 0, 6000), data.length, "run/f.dat", false))
                .isInstanceOfSatisfying(StorageException.class,
                        e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.CORRUPT));

        assertThat(root.resolve("run/f.dat")).doesNotExist();
        assertThat(ep.stat("run/f.dat")).isEmpty();
        assertThat(allFiles()).isEmpty();
    }

    @Test
    void aLongSourceIsAbandonedToo() throws Exception {
        byte[] data = bytes(10_000, 6);

        assertThatThrownBy(() -> ep.put(new ByteArrayInputStream(data), 9_999, "run/f.dat", false))
                .isInstanceOf(StorageException.class);

        assertThat(allFiles()).isEmpty();
    }

    @Test
    void aShortOverwriteKeepsTheOldCompleteFile() throws Exception {
        byte[] old = bytes(5000, 7);
        put(ep, old, "f.dat", false);

        assertThatThrownBy(() -> ep.put(new ByteArrayInputStream(bytes(100, 8)), 5000, "f.dat", true))
                .isInstanceOf(StorageException.class);

        assertThat(Files.readAllBytes(root.resolve("f.dat"))).isEqualTo(old);
        assertThat(allFiles()).containsExactly("f.dat");
    }

    @Test
    void aSourceThatBreaksMidwayLeavesNothing() throws Exception {
        InputStream breaking = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (++n > 3 * 1024 * 1024) {
                    throw new IOException("DAQ disk read error");
                }
                return n & 0xff;
            }
        };

        assertThatThrownBy(() -> ep.put(breaking, 8L * 1024 * 1024, "big/f.dat", false))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.getMessage()).contains("DAQ disk read error"));

        assertThat(allFiles()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape.dat", "/../escape.dat", "a/../../escape.dat", "a/b/../../../escape.dat", "", "/", "."})
    void pathsThatLeaveTheBaseAreRefused(String path) throws Exception {
        Files.writeString(tmp.resolve("escape.dat"), "outside");

        assertThatThrownBy(() -> put(ep, bytes(10, 9), path, true))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.DENIED));
        assertThatThrownBy(() -> ep.delete(path))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.DENIED));
        assertThatThrownBy(() -> ep.open(path)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> ep.stat(path)).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> ep.checksum(path)).isInstanceOf(StorageException.class);

        assertThat(tmp.resolve("escape.dat")).hasContent("outside");
        assertThat(allFiles()).isEmpty();
    }

    @Test
    void aSymbolicLinkIsNeverReadAsAStoredFile() throws Exception {
        Path outside = Files.writeString(tmp.resolve("secret.dat"), "outside the base");
        Files.createSymbolicLink(root.resolve("link.dat"), outside);

        assertThatThrownBy(() -> ep.open("link.dat"))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.DENIED));
        assertThatThrownBy(() -> ep.checksum("link.dat")).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> ep.stat("link.dat")).isInstanceOf(StorageException.class);
        ep.delete("link.dat"); // removes the link itself, never its target
        assertThat(outside).hasContent("outside the base");
    }

    @Test
    void aSymlinkedFolderInsideTheBaseDoesNotLeadOutOfIt() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path victim = Files.writeString(elsewhere.resolve("victim.dat"), "not storage");
        Files.createSymbolicLink(root.resolve("run"), elsewhere);

        assertThatThrownBy(() -> ep.delete("run/victim.dat")).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> ep.open("run/victim.dat")).isInstanceOf(StorageException.class);
        assertThatThrownBy(() -> put(ep, bytes(10, 1), "run/new.dat", false)).isInstanceOf(StorageException.class);

        assertThat(victim).hasContent("not storage");
        assertThat(elsewhere.resolve("new.dat")).doesNotExist();
    }

    @Test
    void namesWithSpacesAndUnicode() throws Exception {
        byte[] data = "bytes of a run".getBytes(StandardCharsets.UTF_8);
        String lfn = "/2208/220803/MIG Fe55 données/été ü 日本 ✓.dat";

        put(ep, data, lfn, false);

        assertThat(Files.readAllBytes(root.resolve("2208/220803/MIG Fe55 données/été ü 日本 ✓.dat"))).isEqualTo(data);
        assertThat(ep.stat(lfn)).get().extracting(RemoteFile::size).isEqualTo((long) data.length);
        assertThat(ep.checksum(lfn).value()).isEqualTo(adler(data));
        try (InputStream in = ep.open(lfn)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        ep.delete(lfn);
        assertThat(allFiles()).isEmpty();
    }

    @Test
    void zeroByteFile() throws Exception {
        StorageEndpoint.Sent sent = put(ep, new byte[0], "empty.dat", false);

        assertThat(sent).isEqualTo(new StorageEndpoint.Sent(0, Checksum.adler32("00000001")));
        assertThat(root.resolve("empty.dat")).exists().isEmptyFile();
        assertThat(ep.stat("empty.dat")).get().extracting(RemoteFile::size).isEqualTo(0L);
        assertThat(ep.checksum("empty.dat").value()).isEqualTo("00000001");
    }

    @Test
    void missingFiles() throws Exception {
        assertThat(ep.stat("nope.dat")).isEmpty();
        assertThatThrownBy(() -> ep.open("nope.dat"))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND));
        assertThatThrownBy(() -> ep.checksum("nope.dat"))
                .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND));
    }

    @Test
    void aFolderIsNotAFile() throws Exception {
        Files.createDirectories(root.resolve("2208/220803"));
        assertThatThrownBy(() -> ep.stat("2208/220803")).isInstanceOf(StorageException.class);
    }

    @Test
    void endpointsChooseByScheme() {
        assertThat(Endpoints.open(root.toUri().toString())).isInstanceOf(FileEndpoint.class);
        assertThat(Endpoints.open("root://mover.pp.rl.ac.uk:1094/pnfs/x")).isInstanceOf(XrootdEndpoint.class);
        assertThatThrownBy(() -> Endpoints.open("gopher://x/y")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gopher");
        assertThatThrownBy(() -> Endpoints.open("no scheme")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FileEndpoint(java.net.URI.create("https://x/y"))).isInstanceOf(IllegalArgumentException.class);
    }
}
