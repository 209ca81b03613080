package org.migdal.dm.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.security.ProxyLoader;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.security.TlsContexts;
import org.migdal.dm.security.X509Credential;
import org.migdal.dm.testinfra.XrootdServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * {@link DavEndpoint} against real XRootD 5 servers on localhost (testinfra §2, §4a): HTTPS requiring the test proxy
 * as client certificate, and plain HTTP. The adler32 of every upload is cross-checked with an independent client,
 * {@code xrdfs query checksum}, and the stored bytes are compared with the server's data directory.
 */
class DavEndpointIT {
    @TempDir
    static Path shared;

    static TestPki.Layout files;
    static X509Credential proxy;
    static XrootdServer secure;
    static XrootdServer plainServer;
    static DavEndpoint ep;

    @BeforeAll
    static void start() throws Exception {
        files = TestPki.create().writeAll(shared.resolve("pki"));
        proxy = ProxyLoader.load(files.proxyPkcs1());
        secure = XrootdServer.startSecure(new XrootdServer.Tls(files.hostCert(), files.hostKey(), files.caDir(),
                List.of(files.user().openSslSubject())));
        plainServer = XrootdServer.startPlain();
        ep = new DavEndpoint(URI.create(secure.httpBase().replace("https://", "davs://") + "/dav"),
                new StorageAuth(Optional.of(TlsContexts.create(Optional.of(proxy), files.caDir(), false)),
                        Optional.of(files.proxyPkcs1()), Optional.of(files.caDir()), Optional.empty()));
    }

    @AfterAll
    static void stop() {
        for (XrootdServer s : new XrootdServer[] {secure, plainServer}) {
            if (s != null) {
                s.close();
            }
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

    /** {@code xrdfs localhost:<port> query checksum <path>} with the proxy in the child's environment only. */
    private static String xrdfsChecksum(XrootdServer server, String absPath, boolean withProxy) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("xrdfs", "localhost:" + server.xrootPort(), "query", "checksum", absPath)
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("XRD_CONNECTIONRETRY", "1");
        env.put("XRD_CONNECTIONWINDOW", "5");
        env.put("XRD_REQUESTTIMEOUT", "60");
        if (withProxy) {
            env.put("X509_USER_PROXY", files.proxyPkcs1().toString());
            env.put("X509_CERT_DIR", files.caDir().toString());
        }
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("xrdfs finished").isTrue();
        assertThat(p.exitValue()).as("xrdfs rc, output: %s", out).isZero();
        assertThat(out).startsWith("adler32 ");
        return out.substring("adler32 ".length()).trim();
    }

    /** A listing entry as "path size dir" (the modification time is the server's). */
    static String row(String path, long size, boolean directory) {
        return path + " " + size + " " + directory;
    }

    static List<String> rows(List<StorageEntry> entries) {
        return entries.stream().map(e -> row(e.path(), e.size(), e.directory())).toList();
    }

    private static String listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }

    // ---------------------------------------------------------------- round trip

    @Test
    void putStatChecksumOpenDeleteOverHttpsWithTheProxy() throws Exception {
        byte[] data = bytes(3 * 1024 * 1024 + 17, 1);

        StorageEndpoint.Sent sent = ep.put(new ByteArrayInputStream(data), data.length, "/rt/a.bin", false);

        assertThat(sent).isEqualTo(new StorageEndpoint.Sent(data.length, Checksum.adler32(adler(data))));
        assertThat(secure.dataDir().resolve("dav/rt/a.bin")).hasBinaryContent(data);
        assertThat(ep.stat("/rt/a.bin")).contains(new RemoteFile("/rt/a.bin", data.length, null, null));
        assertThat(ep.checksum("/rt/a.bin").value()).isEqualTo(adler(data));
        assertThat(xrdfsChecksum(secure, "/dav/rt/a.bin", true)).isEqualTo(adler(data));
        try (InputStream in = ep.open("rt/a.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(rows(ep.list("/rt"))).containsExactly(row("/rt/a.bin", data.length, false));

        ep.delete("/rt/a.bin");

        assertThat(ep.stat("/rt/a.bin")).isEmpty();
        assertThat(secure.dataDir().resolve("dav/rt/a.bin")).doesNotExist();
        ep.delete("/rt/a.bin"); // already gone: fine
        assertThat(catchThrowableOfType(() -> ep.checksum("/rt/a.bin"), StorageException.class).kind())
                .isEqualTo(StorageException.Kind.NOT_FOUND);
        assertThat(catchThrowableOfType(() -> ep.open("/rt/a.bin"), StorageException.class).kind())
                .isEqualTo(StorageException.Kind.NOT_FOUND);
    }

    @Test
    void namesWithSpacesUnicodeAndReservedCharactersArriveVerbatim() throws Exception {
        List<String> names = List.of("run 1.dat", "ünï©ødé – 日本.dat", "plus+amp&eq=semi;at@.dat", "pct%20hash#q.dat", "tilde~'quote'.dat");
        List<String> expected = new ArrayList<>();
        int i = 0;
        for (String name : names) {
            byte[] data = bytes(1000 + i, 100 + i);
            String path = "/names/dir with space/" + name;
            StorageEndpoint.Sent sent = ep.put(new ByteArrayInputStream(data), data.length, path, false);
            assertThat(sent.adler32().value()).isEqualTo(adler(data));
            assertThat(secure.dataDir().resolve("dav/names/dir with space").resolve(name)).as(name + " in " + listing(secure.dataDir().resolve("dav/names/dir with space"))).hasBinaryContent(data);
            assertThat(ep.checksum(path).value()).as(name).isEqualTo(adler(data));
            assertThat(ep.stat(path)).as(name).map(RemoteFile::size).contains((long) data.length);
            expected.add(row(path, data.length, false));
            i++;
        }
        assertThat(xrdfsChecksum(secure, "/dav/names/dir with space/run 1.dat", true)).isEqualTo(adler(bytes(1000, 100)));
        assertThat(rows(ep.list("/names/dir with space/"))).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(rows(ep.list("/names"))).containsExactly(row("/names/dir with space", -1, true));
        // XrdHttp 5.5 decodes %3F before splitting off the query and would store "q?.dat" as "q": refused up front
        StorageException q = catchThrowableOfType(() -> ep.put(new ByteArrayInputStream(new byte[3]), 3, "/names/q?.dat", false),
                StorageException.class);
        assertThat(q.getMessage()).contains("'?'");
        assertThat(secure.dataDir().resolve("dav/names/q")).doesNotExist();
    }

    @Test
    void anEmptyFileHasAdler32One() throws Exception {
        StorageEndpoint.Sent sent = ep.put(new ByteArrayInputStream(new byte[0]), 0, "/zero/empty.bin", false);

        assertThat(sent).isEqualTo(new StorageEndpoint.Sent(0, Checksum.adler32("00000001")));
        assertThat(ep.stat("/zero/empty.bin")).contains(new RemoteFile("/zero/empty.bin", 0, null, null));
        assertThat(ep.checksum("/zero/empty.bin").value()).isEqualTo("00000001");
        assertThat(xrdfsChecksum(secure, "/dav/zero/empty.bin", true)).isEqualTo("00000001");
    }

    @Test
    void nestedParentsAreCreatedAndMkcolOfExistingCollectionsIsTolerated() throws Exception {
        byte[] data = bytes(4096, 2);
        ep.put(new ByteArrayInputStream(data), data.length, "/n1/n2/n3/n4/f.bin", false);
        assertThat(secure.dataDir().resolve("dav/n1/n2/n3/n4/f.bin")).hasBinaryContent(data);

        ep.mkcols(List.of("mk", "a", "b"), "test");
        ep.mkcols(List.of("mk", "a", "b"), "test"); // exists already
        ep.mkcols(List.of("mk", "a"), "test");
        assertThat(secure.dataDir().resolve("dav/mk/a/b")).isDirectory();
        assertThat(rows(ep.list("/mk/a"))).containsExactly(row("/mk/a/b", -1, true));
    }

    @Test
    void overwriteIsRefusedUnlessAsked() throws Exception {
        byte[] v1 = bytes(10_000, 3);
        byte[] v2 = bytes(12_345, 4);
        ep.put(new ByteArrayInputStream(v1), v1.length, "/ow/f.bin", false);

        StorageException e = catchThrowableOfType(() -> ep.put(new ByteArrayInputStream(v2), v2.length, "/ow/f.bin", false),
                StorageException.class);

        assertThat(e.kind()).isEqualTo(StorageException.Kind.EXISTS);
        assertThat(secure.dataDir().resolve("dav/ow/f.bin")).hasBinaryContent(v1);
        assertThat(ep.put(new ByteArrayInputStream(v2), v2.length, "/ow/f.bin", true).adler32().value()).isEqualTo(adler(v2));
        assertThat(secure.dataDir().resolve("dav/ow/f.bin")).hasBinaryContent(v2);
        assertThat(ep.checksum("/ow/f.bin").value()).isEqualTo(adler(v2));
        assertThat(xrdfsChecksum(secure, "/dav/ow/f.bin", true)).isEqualTo(adler(v2));
    }

    @Test
    void aMissingFileIsEmptyOrNotFound() throws Exception {
        assertThat(ep.stat("/nothing/here.bin")).isEmpty();
        assertThat(catchThrowableOfType(() -> ep.open("/nothing/here.bin"), StorageException.class).kind())
                .isEqualTo(StorageException.Kind.NOT_FOUND);
        assertThat(catchThrowableOfType(() -> ep.checksum("/nothing/here.bin"), StorageException.class).kind())
                .isEqualTo(StorageException.Kind.NOT_FOUND);
        assertThat(catchThrowableOfType(() -> ep.list("/nothing"), StorageException.class).kind())
                .isEqualTo(StorageException.Kind.NOT_FOUND);
        ep.delete("/nothing/here.bin");
    }

    @Test
    void withoutAClientCertificateEverythingIsDeniedAndNothingIsStored() throws Exception {
        DavEndpoint anonymous = new DavEndpoint(URI.create(secure.httpBase() + "/dav"), new StorageAuth(
                Optional.of(TlsContexts.create(Optional.empty(), files.caDir(), false)), Optional.empty(), Optional.empty(), Optional.empty()));
        byte[] data = bytes(1000, 5);

        StorageException put = catchThrowableOfType(() -> anonymous.put(new ByteArrayInputStream(data), data.length, "/anon/f.bin", true),
                StorageException.class);
        StorageException stat = catchThrowableOfType(() -> anonymous.stat("/anon/f.bin"), StorageException.class);

        assertThat(put.kind()).as(put.getMessage()).isEqualTo(StorageException.Kind.DENIED);
        assertThat(put.getMessage()).contains("403");
        assertThat(stat.kind()).isEqualTo(StorageException.Kind.DENIED);
        assertThat(secure.dataDir().resolve("dav/anon")).doesNotExist();

        // the raw PUT itself is refused too (the HEAD in put() would have stopped it before)
        DavPut.Reply r = DavPut.exchange(anonymous.wireUri("/anon/g.bin"), Map.of(),
                new DavPut.Source(new ByteArrayInputStream(data), data.length), true,
                TlsContexts.create(Optional.empty(), files.caDir(), false),
                new DavPut.Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30)));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.bodySent()).as("refused before the body").isFalse();
        assertThat(secure.dataDir().resolve("dav/anon")).doesNotExist();
    }

    // ---------------------------------------------------------------- partial uploads

    /** Gives {@code good} bytes of {@code data}, then fails. */
    private static InputStream failingAfter(byte[] data, int good) {
        return new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= good) {
                    throw new IOException("simulated read error on the DAQ disk");
                }
                int n = Math.min(len, good - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    @Test
    void whatXrdHttpKeepsOfAnAbortedPutIsNeverTheCompleteFile() throws Exception {
        // the raw exchange without the endpoint's clean-up: what does the server itself keep?
        byte[] data = bytes(3 * 1024 * 1024, 6);
        DavPut.Source src = new DavPut.Source(failingAfter(data, 1024 * 1024), data.length);
        assertThatThrownBy(() -> DavPut.exchange(ep.wireUri("/abort/raw.bin"), Map.of(), src, true,
                TlsContexts.create(Optional.of(proxy), files.caDir(), false),
                new DavPut.Limits(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(30))))
                .isInstanceOf(DavPut.SourceProblem.class);

        Path stored = secure.dataDir().resolve("dav/abort/raw.bin");
        // XrdHttp left something (testinfra: a 0-byte file); whatever it is, it is not the complete file
        Optional<RemoteFile> st = ep.stat("/abort/raw.bin");
        assertThat(st).isPresent();
        assertThat(st.get().size()).isLessThan(data.length);
        assertThat(Files.size(stored)).isLessThan(data.length);
        assertThat(ep.checksum("/abort/raw.bin").value()).isNotEqualTo(adler(data));
    }

    @Test
    void aSourceFailingMidwayMakesPutFailAndLeavesNothingThatLooksComplete() throws Exception {
        byte[] data = bytes(3 * 1024 * 1024, 7);

        StorageException e = catchThrowableOfType(() -> ep.put(failingAfter(data, 1024 * 1024), data.length, "/abort/a.bin", false),
                StorageException.class);

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("aborted", "simulated read error", "1048576 of " + data.length, "deleted");
        assertThat(ep.stat("/abort/a.bin")).as("the endpoint removed the leftover").isEmpty();
    }

    @Test
    void aSourceShorterThanDeclaredIsCorruptAndNothingLooksComplete() throws Exception {
        byte[] data = bytes(100_000, 8);

        StorageException e = catchThrowableOfType(() -> ep.put(new ByteArrayInputStream(data), data.length + 500, "/abort/short.bin", false),
                StorageException.class);

        assertThat(e.kind()).isEqualTo(StorageException.Kind.CORRUPT);
        Optional<RemoteFile> st = ep.stat("/abort/short.bin");
        assertThat(st.map(RemoteFile::size).orElse(-1L)).isNotEqualTo((long) data.length + 500);
    }

    @Test
    void aFailedOverwriteLeavesAFileThatDoesNotPassTheShippersCheck() throws Exception {
        byte[] old = bytes(500_000, 9);
        byte[] fresh = bytes(2 * 1024 * 1024, 10);
        ep.put(new ByteArrayInputStream(old), old.length, "/abort/ow.bin", false);

        StorageException e = catchThrowableOfType(() -> ep.put(failingAfter(fresh, 700_000), fresh.length, "/abort/ow.bin", true),
                StorageException.class);

        assertThat(e).isNotNull();
        // the existing file is not deleted by the endpoint; whatever the server kept must fail a stat + checksum check
        Optional<RemoteFile> st = ep.stat("/abort/ow.bin");
        boolean passesCheck = st.isPresent() && st.get().size() == fresh.length && ep.checksum("/abort/ow.bin").value().equals(adler(fresh));
        assertThat(passesCheck).isFalse();
    }

    // ---------------------------------------------------------------- plain HTTP server

    @Test
    void plainHttpViaDavSchemeRoundTripCrossCheckedWithXrdfs() throws Exception {
        DavEndpoint plainEp = (DavEndpoint) Endpoints.open(plainServer.httpBase().replace("http://", "dav://") + "/p/");
        byte[] data = bytes(40 * 1024 * 1024 + 3, 11);

        StorageEndpoint.Sent sent = plainEp.put(new ByteArrayInputStream(data), data.length, "x/y/big.bin", false);

        assertThat(sent.adler32().value()).isEqualTo(adler(data));
        assertThat(plainServer.dataDir().resolve("p/x/y/big.bin")).hasBinaryContent(data);
        assertThat(plainEp.checksum("x/y/big.bin").value()).isEqualTo(adler(data));
        assertThat(xrdfsChecksum(plainServer, "/p/x/y/big.bin", false)).isEqualTo(adler(data));
        try (InputStream in = plainEp.open("x/y/big.bin")) {
            assertThat(Adler32s.of(in)).isEqualTo(new Adler32s.Sum(data.length, org.migdal.dm.storage.Checksum.adler32(adler(data))));
        }
        plainEp.delete("x/y/big.bin");
        assertThat(plainEp.stat("x/y/big.bin")).isEmpty();
    }
}
