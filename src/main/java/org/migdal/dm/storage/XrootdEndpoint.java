package org.migdal.dm.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * An xroot storage ({@code root://host:port//abs/base}, {@code roots://…}) driven through the standard XRootD client
 * tools {@code xrdcp} and {@code xrdfs} (Debian xrootd-client), each run from an argument list with a deadline; exit
 * codes and output are mapped to {@link StorageException.Kind}s.
 *
 * <h2>Upload design (verified against xrdcp/xrdfs 5.5.3, see XrootdEndpointIT and ShipOverXrootdLaunchesIT)</h2>
 * One tool launch per upload: the source is read once, in this thread, and piped to
 * {@code xrdcp --posc --path - URL} while its adler32 is computed here ({@code --path} creates missing folders). xrdcp
 * is not asked for a checksum: the adler32 the storage reports is compared once, by the caller's {@link CopyCheck} of
 * the copy in place ({@code --cksum adler32} would make the server compute and xrdcp compare a second time). Every
 * metadata command ({@code stat}, {@code query checksum}, {@code mv}, {@code rm}) goes over an xrdfs session kept
 * open between commands ({@link Xrdfs}): a round trip, not a launch.
 * <p>
 * The upload goes to a hidden temporary name next to the target ({@link StorageNames}) and is renamed
 * into place ({@code xrdfs mv}) only after the byte count equals the declared size, xrdcp exited 0, and the storage's
 * own size of the temporary file equals what was sent ({@link StagedUpload.TempCheck#SIZE}). Why not POSC on the
 * final name alone: when this JVM dies, xrdcp sees end-of-input and closes the file <em>cleanly</em>, so a truncated
 * file would carry the final name; and a killed xrdcp leaves a POSC file visible under its name (stock XRootD keeps it
 * for {@code ofs.persist hold}, 600 s by default, flagged POSCPending). POSC is still used, on the temporary name, so
 * an abandoned upload is removed by the server even if this process cannot remove it; an abandoned upload is also
 * removed right away with {@code xrdfs rm}. {@code mv} overwrites silently on stock XRootD, so without
 * {@code overwrite} the target is checked before the upload and again just before the rename (a window of
 * milliseconds; two writers of one name are excluded by the catalog's claims).
 *
 * <h2>Credentials and environment</h2>
 * Only from {@link StorageAuth}: {@code X509_USER_PROXY}/{@code X509_CERT_DIR} and {@code BEARER_TOKEN} are set in
 * the child's environment, never on its command line; credential variables inherited from this process are removed
 * so the tools never pick up a credential the policy did not choose (with no proxy configured,
 * {@code X509_USER_PROXY} points at a file that does not exist, so GSI cannot fall back to
 * {@code /tmp/x509up_u<uid>}). Every child gets {@code XRD_CONNECTIONRETRY=1}, {@code XRD_CONNECTIONWINDOW} and
 * {@code XRD_REQUESTTIMEOUT}: without them a dead port makes the tools hang for 8 minutes.
 */
public final class XrootdEndpoint implements StorageEndpoint {
    public static final Duration DEFAULT_CONNECT_WINDOW = Duration.ofSeconds(10);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);

    /** Credential variables the tools read; never inherited, only set from {@link StorageAuth}. */
    static final List<String> CREDENTIAL_VARIABLES = List.of("X509_USER_PROXY", "X509_USER_CERT", "X509_USER_KEY",
            "BEARER_TOKEN", "BEARER_TOKEN_FILE", "XDG_RUNTIME_DIR");
    /** Where X509_USER_PROXY points when no proxy is configured (must not exist). */
    static final String NO_PROXY = "/nonexistent/migdal-dm-no-proxy-configured";

    static final int EXCERPT = 600;

    private final URI base;
    private final String scheme;
    private final String authority;
    private final String basePath;
    private final StorageAuth auth;
    private final Duration connectWindow;
    private final Duration requestTimeout;
    private final Path toolDir;
    private final Xrdfs xrdfs;
    private final AtomicLong launches = new AtomicLong();
    private volatile BiConsumer<List<String>, Map<String, String>> launchObserver = (argv, env) -> {
    };

    public XrootdEndpoint(URI base, StorageAuth auth) {
        this(base, auth, DEFAULT_CONNECT_WINDOW, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * @param connectWindow  how long the tools try to connect ({@code XRD_CONNECTIONWINDOW}; one attempt)
     * @param requestTimeout how long one request may wait for an answer ({@code XRD_REQUESTTIMEOUT}); a tool that
     *                       runs longer than the sum of both plus a margin (or, uploading, makes no progress for that
     *                       long) is killed
     */
    public XrootdEndpoint(URI base, StorageAuth auth, Duration connectWindow, Duration requestTimeout) {
        this(base, auth, connectWindow, requestTimeout, null);
    }

    /** As above, running {@code xrdcp} and {@code xrdfs} from {@code toolDir} instead of the PATH (tests, benches). */
    XrootdEndpoint(URI base, StorageAuth auth, Duration connectWindow, Duration requestTimeout, Path toolDir) {
        String s = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        if (!s.equals("root") && !s.equals("roots")) {
            throw new IllegalArgumentException("not a root:// or roots:// URL: " + base);
        }
        if (base.getHost() == null || base.getRawAuthority() == null) {
            throw new IllegalArgumentException("xroot URL " + base + " has no host");
        }
        if (base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("xroot base URL " + base + " must not carry ?query or #fragment");
        }
        if (connectWindow.toSeconds() < 1 || requestTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("xroot timeouts are whole seconds, at least 1");
        }
        this.base = base;
        this.scheme = s;
        this.authority = base.getRawAuthority();
        String p = base.getPath() == null ? "" : base.getPath().replaceAll("/+", "/");
        this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
        this.auth = auth;
        this.connectWindow = connectWindow;
        this.requestTimeout = requestTimeout;
        this.toolDir = toolDir;
        this.xrdfs = new Xrdfs(hostArg(), this::builder, operationTimeout());
    }

    @Override
    public URI base() {
        return base;
    }

    /** The exact xroot URL of a relative path: {@code root://host:port//abs/path}. */
    @Override
    public String urlOf(String path) {
        try {
            return xrootUrl(serverPath(path));
        } catch (StorageException e) {
            return StorageEndpoint.super.urlOf(path);
        }
    }

    // ---------------------------------------------------------------- put

    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
        return put(source, size, path, overwrite, Fence.NONE);
    }

    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite, Fence fence) throws StorageException {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        String url = xrootUrl(serverPath(path));
        return StagedUpload.run(this, path, overwrite, fence, StagedUpload.TempCheck.SIZE, new StagedUpload.Steps() {
            @Override
            public Sent upload(String temp) throws StorageException {
                List<String> argv = List.of("xrdcp", "--nopbar", "--posc", "--path", "-", xrootUrl(serverPath(temp)));
                Process p;
                try {
                    p = builder(argv).start();
                } catch (IOException e) {
                    throw new StorageException(StorageException.Kind.OTHER, url, "cannot run xrdcp (apt-get install "
                            + "xrootd-client): " + e.getMessage(), e);
                }
                return new XrdcpFeed(operationTimeout()).feed(p, argv, source, size, url);
            }

            @Override
            public void rename(String temp, String target, boolean replace) throws StorageException {
                XrootdEndpoint.this.rename(serverPath(temp), serverPath(target), url, replace);
            }
        });
    }

    private int waitFor(Process p) throws StorageException {
        return XrdcpFeed.waitFor(p, operationTimeout());
    }

    @Override
    public void moveIntoPlace(String temp, String path, boolean overwrite, Fence fence) throws StorageException {
        String url = urlOf(path);
        StorageNames.checkLength(path, url);
        if (!overwrite && stat(path).isPresent()) {
            throw new StorageException(StorageException.Kind.EXISTS, url, "already exists and overwrite was not asked");
        }
        fence.check();
        rename(serverPath(temp), serverPath(path), url, overwrite);
    }

    private void rename(String temp, String target, String url, boolean overwrite) throws StorageException {
        XrootdCommand.Result r = xrdfs(url, "mv", temp, target);
        if (r.rc() == 0) {
            return;
        }
        StorageException e = error(r, url, "rename into place failed", "mv", temp, target);
        if (overwrite && e.kind() == StorageException.Kind.EXISTS) {
            // a server whose rename refuses an existing target (dCache, EOS may): remove it, then rename
            delete(relativeOf(target));
            XrootdCommand.Result again = xrdfs(url, "mv", temp, target);
            if (again.rc() == 0) {
                return;
            }
            throw error(again, url, "rename into place failed", "mv", temp, target);
        }
        throw e;
    }

    // ---------------------------------------------------------------- stat, checksum

    @Override
    public Optional<RemoteFile> stat(String path) throws StorageException {
        String sp = serverPath(path);
        String url = xrootUrl(sp);
        Optional<XrootdStat> st = statRaw(sp, url);
        if (st.isEmpty()) {
            return Optional.empty();
        }
        if (st.get().isDirectory() || st.get().isOther()) {
            throw new StorageException(StorageException.Kind.OTHER, url, "is not a regular file (xrdfs stat flags "
                    + st.get().flags() + ")");
        }
        if (st.get().poscPending()) {
            throw new StorageException(StorageException.Kind.TRANSIENT, url, "is an upload in progress or abandoned"
                    + " (POSCPending, " + st.get().size() + " bytes so far); not a complete file");
        }
        return Optional.of(st.get().toRemoteFile(path));
    }

    /**
     * The xroot stat flag {@code BackUpExists} (kXR_bkpexist), which EOS+CTA sets iff the file has its tape replica
     * (storage-servers.md §3.1). {@code Offline} is never taken as proof: dCache sets it for disk-only files too (§2.2).
     */
    @Override
    public TapeResidency tapeResidency(String path, RemoteFile stat) throws StorageException {
        String url = urlOf(path);
        return Boolean.TRUE.equals(stat.onTape()) ? TapeResidency.onTape("xroot stat BackUpExists at " + url)
                : TapeResidency.notOnTape("xroot stat at " + url + " shows no BackUpExists flag (no tape copy reported)");
    }

    /** Stat of an absolute server path, any type; empty when missing. */
    private Optional<XrootdStat> statRaw(String sp, String url) throws StorageException {
        XrootdCommand.Result r = xrdfs(url, "stat", sp);
        if (r.rc() != 0) {
            StorageException e = error(r, url, "stat failed", "stat", sp);
            if (e.kind() == StorageException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        try {
            return Optional.of(XrootdStat.parse(r.stdout()));
        } catch (IllegalArgumentException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, e.getMessage(), e);
        }
    }

    @Override
    public Checksum checksum(String path) throws StorageException {
        String sp = serverPath(path);
        return Checksum.adler32(checksumRaw(sp, xrootUrl(sp)));
    }

    private String checksumRaw(String sp, String url) throws StorageException {
        // cks.type: dCache otherwise answers with its "strongest" checksum (md5 …); stock XRootD and EOS ignore it
        XrootdCommand.Result r = xrdfs(url, "query", "checksum", sp + "?cks.type=adler32");
        if (r.rc() != 0) {
            throw error(r, url, "checksum query failed", "query", "checksum", sp + "?cks.type=adler32");
        }
        return parseChecksumReply(r.stdout(), url);
    }

    /** {@code "adler32 <hex>"} → 8 lowercase hex digits; another algorithm or a garbled value is refused. */
    static String parseChecksumReply(String reply, String url) throws StorageException {
        String[] parts = reply.strip().split("\\s+");
        if (parts.length < 2) {
            throw new StorageException(StorageException.Kind.OTHER, url, "unreadable checksum reply '"
                    + XrootdCommand.excerpt(reply, 200) + "'");
        }
        if (!parts[0].equalsIgnoreCase("adler32")) {
            throw new StorageException(StorageException.Kind.OTHER, url, "storage answered with a " + parts[0]
                    + " checksum, not adler32: '" + XrootdCommand.excerpt(reply, 200) + "'");
        }
        try {
            return Adler32s.normalise(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "unreadable adler32 in reply '"
                    + XrootdCommand.excerpt(reply, 200) + "': " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- open

    @Override
    public InputStream open(String path) throws StorageException {
        String sp = serverPath(path);
        String url = xrootUrl(sp);
        List<String> argv = List.of("xrdcp", "--silent", url, "-");
        Process p;
        try {
            p = builder(argv).start();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "cannot run xrdcp: " + e.getMessage(), e);
        }
        XrootdCommand.Drain err = XrootdCommand.Drain.start(p.getErrorStream(), XrootdCommand.MAX_CAPTURE, "stderr");
        try {
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // xrdcp does not read its stdin here
        }
        // wait for the first byte (or the end) so that a missing file, refused access or a dead server is a typed
        // StorageException here and not an IOException at the first read; a watchdog bounds this wait
        AtomicBoolean firstByte = new AtomicBoolean();
        AtomicBoolean killed = new AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(operationTimeout().toMillis(), TimeUnit.MILLISECONDS) && !firstByte.get()) {
                    killed.set(true);
                    p.destroyForcibly();
                }
            } catch (InterruptedException ignored) {
                // the first byte arrived
            }
        }, "xrdcp-open-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        PushbackInputStream in = new PushbackInputStream(p.getInputStream(), 1);
        int first;
        try {
            first = in.read();
        } catch (IOException e) {
            first = -1;
        } finally {
            firstByte.set(true);
            watchdog.interrupt();
        }
        if (first < 0) {
            int rc = waitFor(p);
            if (rc != 0) {
                String text = err.text();
                StorageException.Kind kind = rc == -1 || killed.get() ? StorageException.Kind.TRANSIENT : classify(rc, text);
                throw new StorageException(kind, url, "read failed (rc " + rc + "); command: "
                        + XrootdCommand.describe(argv) + "; output: " + XrootdCommand.excerpt(text, EXCERPT));
            }
            return InputStream.nullInputStream();
        }
        try {
            in.unread(first);
        } catch (IOException e) {
            XrootdCommand.kill(p);
            throw new StorageException(StorageException.Kind.OTHER, url, "cannot buffer the first byte", e);
        }
        return new ReadStream(in, p, err, argv, url);
    }

    /** xrdcp's stdout; the end of data is only accepted once xrdcp exits 0. Closing early kills xrdcp. */
    private final class ReadStream extends FilterInputStream {
        private final Process process;
        private final XrootdCommand.Drain err;
        private final List<String> argv;
        private final String url;
        private boolean checkedEnd;

        ReadStream(InputStream in, Process process, XrootdCommand.Drain err, List<String> argv, String url) {
            super(in);
            this.process = process;
            this.err = err;
            this.argv = argv;
            this.url = url;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                atEnd();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r < 0) {
                atEnd();
            }
            return r;
        }

        private void atEnd() throws IOException {
            if (checkedEnd) {
                return;
            }
            int rc;
            try {
                rc = waitFor(process);
            } catch (StorageException e) {
                throw new IOException(e.getMessage(), e);
            }
            checkedEnd = true;
            if (rc != 0) {
                throw new IOException(url + ": read failed (rc " + rc + "), the data is incomplete; command: "
                        + XrootdCommand.describe(argv) + "; output: " + XrootdCommand.excerpt(err.text(), EXCERPT));
            }
        }

        @Override
        public void close() throws IOException {
            if (process.isAlive()) {
                XrootdCommand.kill(process);
            }
            super.close();
        }
    }

    // ---------------------------------------------------------------- delete, mkdirs, list

    @Override
    public void delete(String path) throws StorageException {
        String sp = serverPath(path);
        String url = xrootUrl(sp);
        XrootdCommand.Result r = xrdfs(url, "rm", sp);
        if (r.rc() != 0) {
            StorageException e = error(r, url, "delete failed", "rm", sp);
            if (e.kind() != StorageException.Kind.NOT_FOUND) {
                throw e;
            }
        }
    }

    /** Creates a folder and its parents; an existing folder is fine. */
    public void mkdirs(String path) throws StorageException {
        String sp = serverPath(path);
        String url = xrootUrl(sp);
        XrootdCommand.Result r = xrdfs(url, "mkdir", "-p", sp);
        if (r.rc() != 0) {
            StorageException e = error(r, url, "mkdir failed", "mkdir", "-p", sp);
            // stock XRootD answers "exists" for an existing folder whose mode differs: fine if it is a folder
            if (e.kind() == StorageException.Kind.EXISTS
                    && statRaw(sp, url).map(XrootdStat::isDirectory).orElse(false)) {
                return;
            }
            throw e;
        }
    }

    /** The entries of a folder ({@code xrdfs ls -l}); NOT_FOUND when the folder is missing. */
    @Override
    public List<StorageEntry> list(String dir) throws StorageException {
        String sp = dir.isEmpty() || dir.equals("/") ? (basePath.isEmpty() ? "/" : basePath) : serverPath(dir);
        String url = xrootUrl(sp);
        XrootdCommand.Result r = xrdfs(url, "ls", "-l", sp);
        if (r.rc() != 0) {
            throw error(r, url, "listing failed", "ls", "-l", sp);
        }
        List<StorageEntry> entries = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) {
                entries.add(parseListLine(line, url));
            }
        }
        return entries;
    }

    private static final DateTimeFormatter LS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    /** {@code -rw-r--r-- owner group 6 2026-11-28 21:25:23 /sp ace/x y.txt} (the path may hold spaces). */
    StorageEntry parseListLine(String line, String url) throws StorageException {
        String[] f = line.strip().split("\\s+", 7);
        if (f.length < 7 || !f[3].matches("\\d+")) {
            throw new StorageException(StorageException.Kind.OTHER, url, "unreadable xrdfs ls -l line '" + line + "'");
        }
        Instant modified;
        try {
            modified = LocalDateTime.parse(f[4] + " " + f[5], LS_TIME).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "unreadable time in xrdfs ls -l line '"
                    + line + "'", e);
        }
        // xrdfs prints the exact name after the time, separated by one space
        int at = line.indexOf(f[4] + " " + f[5]) + (f[4] + " " + f[5]).length() + 1;
        String full = line.substring(Math.min(at, line.length()));
        StorageEntry.Type type = f[0].startsWith("d") ? StorageEntry.Type.DIRECTORY
                : f[0].startsWith("-") ? StorageEntry.Type.FILE : StorageEntry.Type.OTHER;
        return new StorageEntry("/" + relativeOf(full), type, type == StorageEntry.Type.DIRECTORY ? -1 : Long.parseLong(f[3]),
                modified);
    }

    // ---------------------------------------------------------------- paths, processes, errors

    /** Absolute server path of a relative path, refusing anything that leaves the base or that xroot cannot carry. */
    String serverPath(String path) throws StorageException {
        String rel = path.startsWith("/") ? path.substring(1) : path;
        String shown = StorageEndpoint.super.urlOf(path);
        if (rel.isEmpty()) {
            throw new StorageException(StorageException.Kind.OTHER, shown, "empty path");
        }
        for (int i = 0; i < rel.length(); i++) {
            char c = rel.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new StorageException(StorageException.Kind.OTHER, shown, "path holds a control character");
            }
        }
        if (rel.indexOf('?') >= 0) {
            throw new StorageException(StorageException.Kind.OTHER, shown,
                    "path holds '?', which xroot takes for the start of opaque CGI; refused");
        }
        for (String seg : rel.split("/", -1)) {
            if (seg.equals("..") || seg.equals(".")) {
                throw new StorageException(StorageException.Kind.DENIED, shown, "path leaves the storage base "
                        + base + " or is not normalised; refused");
            }
        }
        return (basePath.isEmpty() ? "" : basePath) + "/" + rel.replaceAll("/+", "/");
    }

    private String relativeOf(String serverPath) {
        if (!basePath.isEmpty() && serverPath.startsWith(basePath + "/")) {
            return serverPath.substring(basePath.length() + 1);
        }
        return serverPath.startsWith("/") ? serverPath.substring(1) : serverPath;
    }

    /** {@code root://host:port//abs/path}: the double slash marks an absolute path. */
    String xrootUrl(String serverPath) {
        return scheme + "://" + authority + "/" + serverPath;
    }

    /** What xrdfs gets as its host: the URL without a path, so roots:// keeps its TLS. */
    String hostArg() {
        return scheme + "://" + authority;
    }

    /** Metadata operations are killed after this long; an upload after this long without progress. */
    Duration operationTimeout() {
        return connectWindow.plus(requestTimeout).plusSeconds(15);
    }

    /** One xrdfs command, over a kept session ({@link Xrdfs}). */
    private XrootdCommand.Result xrdfs(String url, String... args) throws StorageException {
        List<String> argv = new ArrayList<>(List.of("xrdfs", hostArg()));
        argv.addAll(List.of(args));
        XrootdCommand.Result r;
        try {
            r = xrdfs.run(args);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "cannot run xrdfs (apt-get install xrootd-client): "
                    + e.getMessage(), e);
        }
        if (r.timedOut()) {
            throw new StorageException(StorageException.Kind.TRANSIENT, url, "no answer within "
                    + operationTimeout().toSeconds() + " s, killed; command: " + XrootdCommand.describe(argv)
                    + "; output: " + XrootdCommand.excerpt(r.output(), EXCERPT));
        }
        return r;
    }

    private StorageException error(XrootdCommand.Result r, String url, String what, String... args) {
        List<String> argv = new ArrayList<>(List.of("xrdfs", hostArg()));
        argv.addAll(List.of(args));
        return new StorageException(classify(r.rc(), r.output()), url, what + " (rc " + r.rc() + "); command: "
                + XrootdCommand.describe(argv) + "; output: " + XrootdCommand.excerpt(r.output(), EXCERPT));
    }

    /** The process for a tool: argument list as given, environment with timeouts and the configured credentials. */
    ProcessBuilder builder(List<String> argv) {
        List<String> command = new ArrayList<>(argv);
        if (toolDir != null) {
            command.set(0, toolDir.resolve(argv.get(0)).toString());
        }
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        CREDENTIAL_VARIABLES.forEach(env::remove);
        env.put("XRD_CONNECTIONRETRY", "1");
        env.put("XRD_CONNECTIONWINDOW", Long.toString(connectWindow.toSeconds()));
        env.put("XRD_REQUESTTIMEOUT", Long.toString(requestTimeout.toSeconds()));
        env.put("XRD_TIMEOUTRESOLUTION", "1");
        env.put("X509_USER_PROXY", auth.proxyFile().map(p -> p.toAbsolutePath().toString()).orElse(NO_PROXY));
        auth.certDir().ifPresent(d -> env.put("X509_CERT_DIR", d.toAbsolutePath().toString()));
        auth.bearerToken().ifPresent(t -> env.put("BEARER_TOKEN", t));
        launchObserver.accept(List.copyOf(argv), Map.copyOf(env));
        launches.incrementAndGet();
        return pb;
    }

    /** How many tool processes ({@code xrdcp}, {@code xrdfs}) this endpoint has started so far. */
    public long launches() {
        return launches.get();
    }

    /** Ends the kept xrdfs sessions. */
    @Override
    public void close() {
        xrdfs.close();
    }

    /** Tests: sees every argument list and environment a tool is started with. */
    void observeLaunches(BiConsumer<List<String>, Map<String, String>> observer) {
        this.launchObserver = observer;
    }

    /**
     * Maps a tool's exit code and output to a kind. The words come first: xrdfs exits 52 both for "Auth failed" and
     * for "Operation expired", and prints some errors (rm) on stdout. Codes: xrdcp/xrdfs 50 error, 51 fatal
     * (connection), 52 authentication (or expiry), 53 checksum, 54 no such file; kXR codes in brackets, e.g. [3011].
     */
    static StorageException.Kind classify(int rc, String output) {
        String t = output.toLowerCase(Locale.ROOT);
        if (t.contains("[3018]") || t.contains("file exists") || t.contains("already exists")) {
            return StorageException.Kind.EXISTS;
        }
        if (t.contains("[3011]") || t.contains("no such file") || t.contains("does not exist")) {
            return StorageException.Kind.NOT_FOUND;
        }
        if (t.contains("[3009]") || t.contains("[3021]") || t.contains("no space") || t.contains("quota")) {
            return StorageException.Kind.NO_SPACE;
        }
        if (rc == 53 || t.contains("checksum error") || t.contains("[3019]")) {
            return StorageException.Kind.CORRUPT;
        }
        if (t.contains("auth failed") || t.contains("[3010]") || t.contains("[3030]") || t.contains("[3028]")
                || t.contains("permission denied") || t.contains("not authorized") || t.contains("unable to authenticate")) {
            return StorageException.Kind.DENIED;
        }
        if (t.contains("connection error") || t.contains("operation expired") || t.contains("socket error") || t.contains("socket timeout")
                || t.contains("timed out") || t.contains("connection refused") || t.contains("[3024]")
                || t.contains("[3012]") || t.contains("[3034]") || t.contains("[3035]") || t.contains("stream error")) {
            return StorageException.Kind.TRANSIENT;
        }
        return switch (rc) {
            case 54 -> StorageException.Kind.NOT_FOUND;
            case 52 -> StorageException.Kind.DENIED;
            case 51 -> StorageException.Kind.TRANSIENT;
            default -> StorageException.Kind.OTHER;
        };
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
