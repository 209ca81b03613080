package org.migdal.dm.testinfra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real XRootD 5 server on loopback for integration tests and benches ({@code bench ship}):
 * <ul>
 *   <li>{@link #startPlain()}: xroot + XrdHttp over plain HTTP, no authentication, writable, adler32.</li>
 *   <li>{@link #startSecure}: xroot with GSI + XrdHttp over HTTPS asking for a client certificate; only the
 *       grid-mapped DNs may do anything ({@code ofs.authorize} + {@code acc.authdb}), so anonymous access is refused
 *       (403); adler32.</li>
 * </ul>
 * Each instance lives in its own directory under {@code java.io.tmpdir} (mode 755, owned by {@code xrootd}), on free
 * ports, runs as the {@code xrootd} user when started as root ({@code xrootd -R xrootd}: same PID), is waited for by
 * bounded polling (a real HTTP request), and is stopped by {@link #close()} (SIGTERM, then SIGKILL) which also deletes
 * its directory. Needs the Debian packages xrootd-server, xrootd-server-plugins and xrootd-plugins (scripts/test
 * installs them).
 */
public final class XrootdServer implements AutoCloseable {
    /** The local user the grid-mapped DN becomes on the secure server. */
    public static final String MAPPED_USER = "testuser";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Path dir;
    private volatile Process process;
    private final List<String> command;
    private final int xrootPort;
    private final int httpPort;
    private final boolean tls;
    private final Thread shutdownHook;

    private XrootdServer(Path dir, Process process, List<String> command, int xrootPort, int httpPort, boolean tls) {
        this.dir = dir;
        this.process = process;
        this.command = List.copyOf(command);
        this.xrootPort = xrootPort;
        this.httpPort = httpPort;
        this.tls = tls;
        this.shutdownHook = new Thread(this::kill, "stop xrootd on port " + xrootPort);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** TLS material of the secure server: host certificate and key (PEM), the hashed CA dir, and the DNs let in. */
    public record Tls(Path hostCert, Path hostKey, Path caDir, List<String> allowedDns) {
        public Tls {
            allowedDns = List.copyOf(allowedDns);
        }
    }

    /** Why a server cannot be started here, or empty if xrootd looks installed. */
    public static Optional<String> unavailableReason() {
        for (String lib : List.of("libXrdHttp-5.so", "libXrdSecgsi-5.so")) {
            if (Stream.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")
                    .noneMatch(d -> Files.exists(Path.of(d, lib)))) {
                return Optional.of(lib + " is missing: apt-get install xrootd-server-plugins xrootd-plugins (scripts/test does)");
            }
        }
        if (Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .noneMatch(d -> Files.isExecutable(Path.of(d, "xrootd")))) {
            return Optional.of("xrootd is not installed: apt-get install xrootd-server (scripts/test does)");
        }
        return Optional.empty();
    }

    /** Plain xroot + HTTP, no authentication, writable, adler32 (testinfra §2). */
    public static XrootdServer startPlain() throws IOException {
        return start(Optional.empty());
    }

    /** xroot/GSI + HTTPS requiring a client certificate, authorization by grid-mapfile + authdb (testinfra §4a). */
    public static XrootdServer startSecure(Tls tls) throws IOException {
        return start(Optional.of(tls));
    }

    private static XrootdServer start(Optional<Tls> tls) throws IOException {
        unavailableReason().ifPresent(r -> {
            throw new IllegalStateException("cannot start an XRootD test server: " + r);
        });
        IOException last = null;
        for (int attempt = 0; attempt < 4; attempt++) { // a port taken between choosing and binding: choose again
            Path dir = Files.createTempDirectory("xrootd-test-");
            try {
                return startIn(dir, tls);
            } catch (PortTakenException e) {
                last = e;
                deleteTree(dir);
            } catch (IOException | RuntimeException e) {
                deleteTree(dir);
                throw e;
            }
        }
        throw last;
    }

    private static final class PortTakenException extends IOException {
        private static final long serialVersionUID = 1L;

        PortTakenException(String m) {
            super(m);
        }
    }

    private static XrootdServer startIn(Path dir, Optional<Tls> tls) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String sub : List.of("data", "admin", "run", "log", "grid")) {
            Files.createDirectories(dir.resolve(sub));
        }
        int[] ports = freePorts(2);
        int xrootPort = ports[0];
        int httpPort = ports[1];
        StringBuilder cfg = new StringBuilder();
        cfg.append("all.export /\n")
                .append("oss.localroot ").append(dir.resolve("data")).append('\n')
                .append("all.adminpath ").append(dir.resolve("admin")).append('\n')
                .append("all.pidpath ").append(dir.resolve("run")).append('\n')
                .append("xrd.port ").append(xrootPort).append('\n')
                .append("xrd.network nodnr\n")
                .append("xrd.allow host localhost\n")
                .append("xrootd.chksum adler32\n");
        if (tls.isPresent()) {
            Path grid = dir.resolve("grid");
            Path certs = grid.resolve("certificates");
            copyTree(tls.get().caDir(), certs);
            Path cert = Files.copy(tls.get().hostCert(), grid.resolve("hostcert.pem"));
            Path key = Files.copy(tls.get().hostKey(), grid.resolve("hostkey.pem"));
            StringBuilder gridmap = new StringBuilder();
            for (String dn : tls.get().allowedDns()) {
                gridmap.append('"').append(dn).append("\" ").append(MAPPED_USER).append('\n');
            }
            Path mapfile = Files.writeString(grid.resolve("grid-mapfile"), gridmap);
            Path authdb = Files.writeString(dir.resolve("authdb"), "u " + MAPPED_USER + " / a\n");
            cfg.append("xrd.tls ").append(cert).append(' ').append(key).append('\n')
                    .append("xrd.tlsca certdir ").append(certs).append('\n')
                    .append("xrootd.seclib libXrdSec.so\n")
                    .append("sec.protocol gsi -certdir:").append(certs).append(" -cert:").append(cert).append(" -key:")
                    .append(key).append(" -gridmap:").append(mapfile).append(" -gmapopt:trymap -crl:0\n")
                    .append("sec.protbind * only gsi\n")
                    .append("xrd.protocol XrdHttp:").append(httpPort).append(" libXrdHttp.so\n")
                    .append("http.cadir ").append(certs).append('\n')
                    .append("http.cert ").append(cert).append('\n')
                    .append("http.key ").append(key).append('\n')
                    .append("http.gridmap ").append(mapfile).append('\n')
                    .append("ofs.authorize 1\n")
                    .append("acc.authdb ").append(authdb).append('\n')
                    .append("acc.audit deny\n");
        } else {
            cfg.append("xrd.protocol XrdHttp:").append(httpPort).append(" libXrdHttp.so\n");
        }
        Path config = Files.writeString(dir.resolve("xrootd.cfg"), cfg);
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            chownTree(dir, "xrootd");
        }
        if (tls.isPresent()) {
            Files.setPosixFilePermissions(dir.resolve("grid/hostkey.pem"), PosixFilePermissions.fromString("rw-------"));
        }
        List<String> cmd = new ArrayList<>(List.of("xrootd"));
        if (root) {
            cmd.addAll(List.of("-R", "xrootd")); // xrootd refuses to run as root; -R drops to xrootd in the same PID
        }
        cmd.addAll(List.of("-c", config.toString(), "-l", dir.resolve("log/xrootd.log").toString()));
        Process p = launch(cmd, dir);
        XrootdServer server = new XrootdServer(dir, p, cmd, xrootPort, httpPort, tls.isPresent());
        try {
            server.awaitReady();
            return server;
        } catch (IOException | RuntimeException e) {
            String log = server.log();
            server.kill();
            server.removeHook();
            if (log.contains("address already in use")) {
                throw new PortTakenException("port taken: " + log);
            }
            throw e;
        }
    }

    private static Process launch(List<String> cmd, Path dir) throws IOException {
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/stdout").toFile())).start();
    }

    /** Stops the server as an outage would (connections refused from now on), keeping its data for {@link #restart()}. */
    public void stop() {
        kill();
    }

    /** Starts the stopped server again on the same ports with the same data; returns once it answers. */
    public void restart() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException("xrootd on port " + xrootPort + " is still running");
        }
        process = launch(command, dir);
        awaitReady();
    }

    private void awaitReady() throws IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        String lastProblem = "no attempt";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("xrootd exited with rc " + process.exitValue() + " before answering:\n" + log());
            }
            try {
                if (httpAnswers() && tcpAnswers(xrootPort)) {
                    return;
                }
                lastProblem = "no HTTP answer";
            } catch (IOException e) {
                lastProblem = e.toString();
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS); // returns at once if the server dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for xrootd", e);
            }
        }
        throw new IOException("xrootd did not answer within " + START_TIMEOUT + " (" + lastProblem + "):\n" + log());
    }

    /** XrdHttp answers plain HTTP even on its TLS port (it spots TLS itself), so a plain request proves it is serving. */
    private boolean httpAnswers() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", httpPort), 1000);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write("HEAD / HTTP/1.0\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] head = s.getInputStream().readNBytes(8);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.");
        }
    }

    private static boolean tcpAnswers(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        }
    }

    public int xrootPort() {
        return xrootPort;
    }

    public int httpPort() {
        return httpPort;
    }

    /** {@code https://localhost:<port>} for the secure server, {@code http://localhost:<port>} for the plain one. */
    public String httpBase() {
        return (tls ? "https" : "http") + "://localhost:" + httpPort;
    }

    /** {@code root://localhost:<port>}. */
    public String rootBase() {
        return "root://localhost:" + xrootPort;
    }

    /** Where the server keeps the files ({@code oss.localroot}): URL path {@code /a/b} is {@code dataDir()/a/b}. */
    public Path dataDir() {
        return dir.resolve("data");
    }

    public Path directory() {
        return dir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The server's log (xrootd.log, then its stdout/stderr), or what could be read of it. */
    public String log() {
        StringBuilder sb = new StringBuilder();
        for (String f : List.of("log/xrootd.log", "log/stdout")) {
            try {
                Path p = dir.resolve(f);
                if (Files.exists(p)) {
                    sb.append("==> ").append(f).append(" <==\n").append(Files.readString(p, StandardCharsets.ISO_8859_1));
                }
            } catch (IOException e) {
                sb.append("(cannot read ").append(f).append(": ").append(e).append(")\n");
            }
        }
        return sb.toString();
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and deletes its directory. */
    @Override
    public void close() {
        kill();
        removeHook();
        deleteTree(dir);
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook runs
        }
    }

    private void kill() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy(); // SIGTERM
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0); // all interfaces, as xrootd binds
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void chownTree(Path root, String user) throws IOException {
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal u = lookup.lookupPrincipalByName(user);
        GroupPrincipal g = lookup.lookupPrincipalByGroupName(user);
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                PosixFileAttributeView v = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
                v.setOwner(u);
                v.setGroup(g);
            }
        }
    }

    private static void deleteTree(Path root) {
        try {
            org.migdal.dm.bench.Scratch.delete(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
