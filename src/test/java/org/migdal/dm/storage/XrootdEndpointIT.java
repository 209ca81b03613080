package org.migdal.dm.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.testinfra.XrootdServer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link XrootdEndpoint} against real XRootD 5 servers on loopback (plain, and GSI with a test PKI), cross-checked with
 * independent clients: {@code xrdfs query checksum}, {@code curl} over the server's HTTP port, and the server's data
 * directory itself.
 */
class XrootdEndpointIT {
    @TempDir
    static Path shared;

    private static XrootdServer plain;
    private static XrootdEndpoint ep;

    @BeforeAll
    static void start() throws Exception {
        plain = XrootdServer.startPlain();
        ep = new XrootdEndpoint(URI.create(plain.rootBase() + "//migdal"), StorageAuth.none());
    }

    @AfterAll
    static void stop() {
        if (plain != null) {
            plain.close();
        }
    }

    private final String dir = "it-" + UUID.randomUUID();

    // ---------------------------------------------------------------- helpers

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String adler(byte[] b) {
        Adler32 a = new Adler32();
        a.update(b);
        return String.format("%08x", a.getValue());
    }

    record Run(int rc, String out, String err) {
    }

    /** An independent client run (never through the endpoint), with the 8-minute-hang guard. */
    static Run run(List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(Map.of("XRD_CONNECTIONRETRY", "1", "XRD_CONNECTIONWINDOW", "5", "XRD_REQUESTTIMEOUT", "30"));
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readQuietly(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readQuietly(p.getErrorStream()));
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", cmd).isTrue();
        return new Run(p.exitValue(), new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
    }

    private static byte[] readQuietly(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Bounded polling: re-checks every few milliseconds (parking the thread), fails after {@code max}. */
    static void await(String what, Duration max, BooleanSupplier condition) {
        Instant end = Instant.now().plus(max);
        while (!condition.getAsBoolean()) {
            assertThat(Instant.now()).as("waiting for: " + what).isBefore(end);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
    }

    static List<ProcessHandle> xrdcpChildren() {
        return ProcessHandle.current().descendants()
                .filter(h -> h.isAlive() && h.info().command().orElse("").endsWith("xrdcp")).toList();
    }

    /** The URL path of a relative path on the plain server, percent-encoded for curl. */
    static String httpUrl(String rel) {
        String p = "/migdal/" + rel;
        return plain.httpBase() + Arrays.stream(p.split("/", -1))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }

    /** Every file (not folder) the server holds below a relative folder, as relative paths. */
    static List<String> filesOnServerDisk(String relDir) throws IOException {
        Path d = plain.dataDir().resolve("migdal").resolve(relDir);
        if (!Files.exists(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).map(p -> d.relativize(p).toString()).sorted().toList();
        }
    }

    static StorageException.Kind kindOf(Throwable t) {
        return ((StorageException) t).kind();
    }

    // ---------------------------------------------------------------- round trip, independent clients

    @Test
    void roundTripCheckedByXrdfsCurlAndTheServersDisk() throws Exception {
        byte[] data = bytes(5 * 1024 * 1024 + 17, 11);
        String path = dir + "/2208/220803/MIG_Fe55_data_220803T145447.CAL.0000.dat";

        StorageEndpoint.Sent sent = ep.put(new ByteArrayInputStream(data), data.length, path, false);

        assertThat(sent).isEqualTo(new StorageEndpoint.Sent(data.length, Checksum.adler32(adler(data))));
        assertThat(ep.stat(path)).contains(new RemoteFile(path, data.length, true, false));
        assertThat(ep.checksum(path).value()).isEqualTo(adler(data));
        // xrdfs, asked directly and without the cks.type CGI, reports the adler32 of java.util.zip.Adler32
        Run q = run(List.of("xrdfs", "localhost:" + plain.xrootPort(), "query", "checksum", "/migdal/" + path));
        assertThat(q.rc()).as(q.err()).isZero();
        assertThat(q.out().strip()).isEqualTo("adler32 " + adler(data));
        // curl over XrdHttp, an independent client and protocol, reads the same bytes
        Path got = shared.resolve("curl-" + UUID.randomUUID());
        Run c = run(List.of("curl", "-sS", "-f", "-o", got.toString(), httpUrl(path)));
        assertThat(c.rc()).as(c.err()).isZero();
        assertThat(got).hasBinaryContent(data);
        // and the server's disk holds exactly one file: no temporary left beside it
        assertThat(filesOnServerDisk(dir)).containsExactly("2208/220803/MIG_Fe55_data_220803T145447.CAL.0000.dat");
        try (InputStream in = ep.open(path)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        ep.delete(path);
        assertThat(ep.stat(path)).isEmpty();
        assertThat(filesOnServerDisk(dir)).isEmpty();
        ep.delete(path);
    }

    /**
     * Metadata commands go over a kept xrdfs session: quoting survives double blanks, both kinds of quote (a name holding
     * both is run one-shot), a long name; a session whose xrdfs died is replaced, and a failure in one command does not
     * spill into the next.
     */
    @Test
    void theKeptXrdfsSessionCarriesAwkwardNamesAndIsReplacedWhenItDies() throws Exception {
        List<String> names = List.of("two  blanks.dat", "it's.dat", "say \"hi\".dat", "both ' and \".dat",
                "x".repeat(200) + ".dat", "[localhost:1094] > .dat");
        for (String name : names) {
            byte[] data = bytes(1000 + name.length(), name.hashCode());
            String path = dir + "/q/" + name;
            ep.put(new ByteArrayInputStream(data), data.length, path, false);
            assertThat(ep.stat(path)).as(name).hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(data.length));
            assertThat(ep.checksum(path).value()).as(name).isEqualTo(adler(data));
            assertThat(plain.dataDir().resolve("migdal").resolve(path)).as(name).hasBinaryContent(data);
        }
        assertThat(ep.list(dir + "/q")).extracting(StorageEntry::name).containsExactlyInAnyOrderElementsOf(names);
        String missing = dir + "/q/missing.dat";
        assertThatThrownBy(() -> ep.checksum(missing)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.NOT_FOUND));
        assertThat(ep.checksum(dir + "/q/it's.dat").value()).as("the next command has its own answer").hasSize(8);

        List<ProcessHandle> sessions = ProcessHandle.current().descendants()
                .filter(h -> h.isAlive() && h.info().command().orElse("").endsWith("xrdfs")).toList();
        assertThat(sessions).isNotEmpty();
        sessions.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : sessions) {
            h.onExit().get(10, TimeUnit.SECONDS);
        }
        // a read-only command that finds its session dead is run once more on a new one
        assertThat(ep.stat(dir + "/q/two  blanks.dat")).isPresent();
        for (String name : names) {
            ep.delete(dir + "/q/" + name);
        }
        assertThat(filesOnServerDisk(dir + "/q")).isEmpty();
    }

    @Test
    void namesWithSpacesAndUnicodeReadBackWithCurl() throws Exception {
        byte[] data = "MIGDAL ünïcødé ✓ %20 & # ;".repeat(100).getBytes(StandardCharsets.UTF_8);
        String path = dir + "/MIG_Run 12 (retake)/MIG_ünïcode ✓ 50% #1 0000.dat";
        ep.put(new ByteArrayInputStream(data), data.length, path, false);

        assertThat(plain.dataDir().resolve("migdal").resolve(path)).hasBinaryContent(data);
        Path got = shared.resolve("curl-" + UUID.randomUUID());
        Run c = run(List.of("curl", "-sS", "-f", "-o", got.toString(), httpUrl(path)));
        assertThat(c.rc()).as(c.err()).isZero();
        assertThat(got).hasBinaryContent(data);
        assertThat(ep.checksum(path).value()).isEqualTo(adler(data));
        assertThat(ep.list(dir + "/MIG_Run 12 (retake)")).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/" + path);
            assertThat(e.size()).isEqualTo(data.length);
            assertThat(e.directory()).isFalse();
        });
    }

    @Test
    void zeroByteFile() throws Exception {
        String path = dir + "/empty.dat";
        assertThat(ep.put(InputStream.nullInputStream(), 0, path, false)).isEqualTo(new StorageEndpoint.Sent(0, Checksum.adler32("00000001")));
        assertThat(ep.stat(path)).contains(new RemoteFile(path, 0, true, false));
        assertThat(ep.checksum(path).value()).isEqualTo("00000001");
        try (InputStream in = ep.open(path)) {
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(plain.dataDir().resolve("migdal").resolve(path)).isEmptyFile();
    }

    @Test
    void overwriteIsRefusedUnlessAsked() throws Exception {
        String path = dir + "/once.dat";
        byte[] first = bytes(1000, 1);
        byte[] second = bytes(3000, 2);
        ep.put(new ByteArrayInputStream(first), first.length, path, false);
        assertThatThrownBy(() -> ep.put(new ByteArrayInputStream(second), second.length, path, false))
                .satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.EXISTS))
                .hasMessageContaining(ep.urlOf(path));
        assertThat(plain.dataDir().resolve("migdal").resolve(path)).hasBinaryContent(first);

        assertThat(ep.put(new ByteArrayInputStream(second), second.length, path, true).adler32().value()).isEqualTo(adler(second));
        assertThat(plain.dataDir().resolve("migdal").resolve(path)).hasBinaryContent(second);
        assertThat(ep.checksum(path).value()).isEqualTo(adler(second));
        assertThat(filesOnServerDisk(dir)).containsExactly("once.dat");
    }

    // ---------------------------------------------------------------- partial uploads

    @Test
    void aSourceThatFailsMidwayLeavesNothing() throws Exception {
        String path = dir + "/broken.dat";
        long declared = 16L * 1024 * 1024;
        InputStream failing = new StorageContract.FailingSource(declared / 2);
        assertThatThrownBy(() -> ep.put(failing, declared, path, false)).isInstanceOf(StorageException.class)
                .hasMessageContaining("DAQ disk read error").hasMessageContaining(ep.urlOf(path));
        assertThat(ep.stat(path)).isEmpty();
        assertThat(filesOnServerDisk(dir)).isEmpty();
    }

    @Test
    void aSourceShorterOrLongerThanDeclaredLeavesNothing() throws Exception {
        byte[] data = bytes(300_000, 5);
        String shortPath = dir + "/short.dat";
        assertThatThrownBy(() -> ep.put(new ByteArrayInputStream(data), data.length + 1, shortPath, false))
                .satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.CORRUPT))
                .hasMessageContaining("300000 bytes");
        String longPath = dir + "/long.dat";
        assertThatThrownBy(() -> ep.put(new ByteArrayInputStream(data), data.length - 1, longPath, false))
                .satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.CORRUPT));
        assertThat(ep.stat(shortPath)).isEmpty();
        assertThat(ep.stat(longPath)).isEmpty();
        assertThat(filesOnServerDisk(dir)).isEmpty();
    }

    /** xrdcp killed mid-upload (e.g. by the OOM killer): the put fails and the final name never appears. */
    @Test
    void aKilledXrdcpLeavesNothingUnderTheName() throws Exception {
        String path = dir + "/killed.dat";
        long declared = 64L * 1024 * 1024;
        CountDownLatch half = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        InputStream stalling = new InputStream() {
            long given;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (given >= declared / 2) {
                    half.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                int n = (int) Math.min(len, declared - given);
                if (n <= 0) {
                    return -1;
                }
                Arrays.fill(b, off, off + n, (byte) 3);
                given += n;
                return n;
            }
        };
        CompletableFuture<StorageEndpoint.Sent> put = CompletableFuture.supplyAsync(() -> {
            try {
                return ep.put(stalling, declared, path, false);
            } catch (StorageException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(half.await(60, TimeUnit.SECONDS)).isTrue();
        List<ProcessHandle> xrdcp = xrdcpChildren();
        assertThat(xrdcp).hasSize(1);
        // while the upload runs, the final name does not exist; only a hidden temporary does
        assertThat(ep.stat(path)).isEmpty();
        assertThat(filesOnServerDisk(dir)).singleElement().asString().matches(n -> StorageNames.isTemp(Path.of(n).getFileName().toString()), "a temporary name");
        xrdcp.get(0).destroyForcibly();
        xrdcp.get(0).onExit().get(10, TimeUnit.SECONDS);
        release.countDown();
        assertThatThrownBy(put::join).hasRootCauseInstanceOf(StorageException.class)
                .hasMessageContaining(ep.urlOf(path));
        assertThat(ep.stat(path)).isEmpty();
        assertThat(filesOnServerDisk(dir)).as("the temporary is removed before put returns").isEmpty();
    }

    /**
     * Another client's POSC upload that was abandoned stays visible under its name on stock XRootD (ofs.persist hold,
     * 600 s) flagged POSCPending: stat must not present it as a complete file.
     */
    @Test
    void anAbandonedPoscUploadIsNotTakenForAFile() throws Exception {
        String path = dir + "/foreign-posc.dat";
        ProcessBuilder pb = new ProcessBuilder("xrdcp", "--nopbar", "-P", "-", plain.rootBase() + "//migdal/" + path);
        pb.environment().putAll(Map.of("XRD_CONNECTIONRETRY", "1", "XRD_CONNECTIONWINDOW", "5", "XRD_REQUESTTIMEOUT", "30"));
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(new byte[9 * 1024 * 1024]); // more than one 8 MiB chunk: xrdcp writes the first chunk
            in.flush();
            Path onDisk = plain.dataDir().resolve("migdal").resolve(path);
            await("xrdcp wrote its first chunk", Duration.ofSeconds(20), () -> {
                try {
                    return Files.exists(onDisk) && Files.size(onDisk) > 0;
                } catch (IOException e) {
                    return false;
                }
            });
            p.destroyForcibly();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } catch (IOException ignored) {
            // the pipe broke because xrdcp was killed: expected
        }
        assertThatThrownBy(() -> ep.stat(path)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.TRANSIENT))
                .hasMessageContaining("POSCPending");
    }

    // ---------------------------------------------------------------- missing, errors

    @Test
    void missingFilesAreNotFound() throws Exception {
        String path = dir + "/nope.dat";
        assertThat(ep.stat(path)).isEmpty();
        assertThatThrownBy(() -> ep.checksum(path)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.NOT_FOUND))
                .hasMessageContaining(ep.urlOf(path)).hasMessageContaining("xrdfs").hasMessageContaining("[3011]");
        assertThatThrownBy(() -> ep.open(path)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.NOT_FOUND))
                .hasMessageContaining(ep.urlOf(path)).hasMessageContaining("xrdcp");
        assertThatThrownBy(() -> ep.list(dir + "/no-such-dir")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.NOT_FOUND));
        ep.delete(path);
    }

    @Test
    void aFolderIsNotAFile() throws Exception {
        ep.mkdirs(dir + "/a/b/c");
        ep.mkdirs(dir + "/a/b/c");
        assertThat(plain.dataDir().resolve("migdal").resolve(dir + "/a/b/c")).isDirectory();
        assertThatThrownBy(() -> ep.stat(dir + "/a/b")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.OTHER));
        byte[] data = bytes(10, 3);
        ep.put(new ByteArrayInputStream(data), data.length, dir + "/a/f.dat", false);
        assertThat(ep.list(dir + "/a")).extracting(StorageEntry::path, StorageEntry::directory)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("/" + dir + "/a/b", true),
                        org.assertj.core.groups.Tuple.tuple("/" + dir + "/a/f.dat", false));
    }

    @Test
    void closingAStreamEarlyStopsXrdcpAndAKilledReaderIsAnError() throws Exception {
        byte[] data = bytes(48 * 1024 * 1024, 9);
        String path = dir + "/big.dat";
        ep.put(new ByteArrayInputStream(data), data.length, path, false);

        InputStream in = ep.open(path);
        assertThat(in.readNBytes(1000)).isEqualTo(Arrays.copyOf(data, 1000));
        assertThat(xrdcpChildren()).hasSize(1);
        in.close();
        assertThat(xrdcpChildren()).as("close() kills and reaps xrdcp").isEmpty();

        // xrdcp dying mid-stream is an IOException naming the URL, never a silent short end
        try (InputStream in2 = ep.open(path)) {
            assertThat(in2.readNBytes(1000)).hasSize(1000);
            xrdcpChildren().forEach(ProcessHandle::destroyForcibly);
            assertThatThrownBy(in2::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining(ep.urlOf(path));
        }
    }

    @Test
    void aServerThatIsNotListeningIsTransientWithinSeconds() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        XrootdEndpoint dead = new XrootdEndpoint(URI.create("root://127.0.0.1:" + port + "//migdal"), StorageAuth.none());
        Instant t0 = Instant.now();
        assertThatThrownBy(() -> dead.stat("x.dat")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.TRANSIENT))
                .hasMessageContaining("root://127.0.0.1:" + port + "//migdal/x.dat");
        assertThatThrownBy(() -> dead.put(new ByteArrayInputStream(new byte[10]), 10, "x.dat", true))
                .satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.TRANSIENT))
                .hasMessageContaining("Connection error");
        assertThatThrownBy(() -> dead.open("x.dat")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.TRANSIENT));
        assertThatThrownBy(() -> dead.checksum("x.dat")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.TRANSIENT));
        assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(10));
    }

    /** A port that accepts but never speaks xroot: the tools give up after the configured windows, not 8 minutes. */
    @Test
    void aServerThatNeverAnswersIsTransientWithinTheConfiguredWindow() throws Exception {
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress("127.0.0.1", 0));
            List<Socket> held = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (IOException ignored) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            XrootdEndpoint mute = new XrootdEndpoint(URI.create("root://127.0.0.1:" + silent.getLocalPort() + "//m"),
                    StorageAuth.none(), Duration.ofSeconds(2), Duration.ofSeconds(2));
            Instant t0 = Instant.now();
            assertThatThrownBy(() -> mute.stat("x.dat")).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.TRANSIENT));
            assertThatThrownBy(() -> mute.put(new ByteArrayInputStream(new byte[10]), 10, "y.dat", true))
                    .satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.TRANSIENT));
            assertThat(Duration.between(t0, Instant.now())).isLessThan(Duration.ofSeconds(30));
            for (Socket s : held) {
                s.close();
            }
        }
    }

    // ---------------------------------------------------------------- credentials

    @Test
    void theTokenIsOnlyInTheChildEnvironment() throws Exception {
        String token = "eyJ0eXAiOiJKV1QifQ.secret-token-" + UUID.randomUUID();
        XrootdEndpoint withToken = new XrootdEndpoint(URI.create(plain.rootBase() + "//migdal"),
                new StorageAuth(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(token)));
        List<List<String>> argvs = new CopyOnWriteArrayList<>();
        List<Map<String, String>> envs = new CopyOnWriteArrayList<>();
        withToken.observeLaunches((argv, env) -> {
            argvs.add(argv);
            envs.add(env);
        });
        byte[] data = bytes(1000, 8);
        String path = dir + "/tok.dat";
        withToken.put(new ByteArrayInputStream(data), data.length, path, false);
        withToken.stat(path);
        withToken.checksum(path);
        try (InputStream in = withToken.open(path)) {
            in.readAllBytes();
        }
        withToken.list(dir);
        withToken.mkdirs(dir + "/d");
        withToken.delete(path);
        List<String> messages = new ArrayList<>();
        for (String p : List.of(path, dir + "/missing")) {
            try {
                withToken.checksum(p);
            } catch (StorageException e) {
                messages.add(e.getMessage());
            }
        }

        // one xrdcp per upload and read, one kept xrdfs session for every metadata command
        assertThat(argvs).hasSizeGreaterThanOrEqualTo(3);
        assertThat(argvs).allSatisfy(argv -> assertThat(String.join(" ", argv)).doesNotContain(token)
                .doesNotContain("secret-token"));
        assertThat(argvs).extracting(a -> a.get(0)).containsOnly("xrdcp", "xrdfs").contains("xrdcp", "xrdfs");
        assertThat(envs).allSatisfy(env -> {
            assertThat(env).containsEntry("BEARER_TOKEN", token).containsEntry("XRD_CONNECTIONRETRY", "1")
                    .containsEntry("XRD_CONNECTIONWINDOW", "10").containsEntry("XRD_REQUESTTIMEOUT", "120")
                    .containsEntry("X509_USER_PROXY", XrootdEndpoint.NO_PROXY).doesNotContainKey("BEARER_TOKEN_FILE");
        });
        assertThat(messages).hasSize(2).allSatisfy(m -> assertThat(m).doesNotContain(token));
        assertThat(withToken.toString()).doesNotContain(token);
    }

    @Test
    void gsiServerAcceptsTheProxyAndRefusesWithoutOne() throws Exception {
        TestPki pki = TestPki.create();
        TestPki.Layout files = pki.writeAll(shared.resolve("pki-" + UUID.randomUUID()));
        try (XrootdServer gsi = XrootdServer.startSecure(new XrootdServer.Tls(files.hostCert(), files.hostKey(),
                files.caDir(), List.of(files.user().openSslSubject())))) {
            String base = "root://localhost:" + gsi.xrootPort() + "//grid";
            XrootdEndpoint withProxy = new XrootdEndpoint(URI.create(base), new StorageAuth(Optional.empty(),
                    Optional.of(files.proxyPkcs1()), Optional.of(files.caDir()), Optional.empty()));
            byte[] data = bytes(2 * 1024 * 1024 + 3, 21);
            String path = dir + "/gsi file ✓.dat";
            assertThat(withProxy.put(new ByteArrayInputStream(data), data.length, path, false).adler32().value()).isEqualTo(adler(data));
            assertThat(withProxy.stat(path)).hasValueSatisfying(r -> assertThat(r.size()).isEqualTo(data.length));
            assertThat(withProxy.checksum(path).value()).isEqualTo(adler(data));
            try (InputStream in = withProxy.open(path)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            assertThat(gsi.dataDir().resolve("grid").resolve(path)).hasBinaryContent(data);
            assertThat(gsi.log()).contains("login as " + XrootdServer.MAPPED_USER);

            // roots:// (TLS for the data as well) with the same proxy
            XrootdEndpoint tls = new XrootdEndpoint(URI.create("roots://localhost:" + gsi.xrootPort() + "//grid"),
                    new StorageAuth(Optional.empty(), Optional.of(files.proxyPkcs1()), Optional.of(files.caDir()), Optional.empty()));
            assertThat(tls.checksum(path).value()).isEqualTo(adler(data));

            XrootdEndpoint anonymous = new XrootdEndpoint(URI.create(base), new StorageAuth(Optional.empty(),
                    Optional.empty(), Optional.of(files.caDir()), Optional.empty()));
            assertThatThrownBy(() -> anonymous.stat(path)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.DENIED))
                    .hasMessageContaining(base);
            assertThatThrownBy(() -> anonymous.put(new ByteArrayInputStream(data), data.length, dir + "/anon.dat", true))
                    .satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.DENIED));
            assertThatThrownBy(() -> anonymous.open(path)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.DENIED));

            XrootdEndpoint expired = new XrootdEndpoint(URI.create(base), new StorageAuth(Optional.empty(),
                    Optional.of(files.expiredProxy()), Optional.of(files.caDir()), Optional.empty()));
            assertThatThrownBy(() -> expired.checksum(path)).satisfies(t -> assertThat(kindOf(t)).isEqualTo(StorageException.Kind.DENIED));
            assertThat(Files.exists(gsi.dataDir().resolve("grid").resolve(dir + "/anon.dat"))).isFalse();

            withProxy.delete(path);
            assertThat(withProxy.stat(path)).isEmpty();
        }
    }
}
