package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.migdal.dm.security.Proxies;
import org.migdal.dm.security.TestPki;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A contract-test FTS3 REST server on 127.0.0.1 (HTTPS, host certificate for localhost from {@link TestPki}, client
 * certificate wanted), answering in the exact formats of {@code ../shared/reference/fts3.md}: Python-style JSON
 * separators, streamed (chunked) lists, {@code "200 Ok"} per-job statuses, 207 multi-status, the single-id 404 body,
 * Flask JSON errors {@code {"status": …, "message": …}}, Werkzeug HTML middleware errors, 419 delegation errors, and the
 * delegation trio with a CSR from a key it keeps and the §5 checks on the uploaded chain.
 *
 * <p>Jobs progress only when the test says so ({@link #advance}): SUBMITTED → ACTIVE → ARCHIVING (when
 * {@code archive_timeout > 0}) → FINISHED, or FAILED where a file's scripted outcome says so
 * ({@link #failFirstAttemptOf}). {@link #purge} makes a job unknown (404). {@link #failNext} scripts one faulty reply;
 * {@link Fault#CUT_AFTER_STORE}/{@link Fault#HOLD_AFTER_STORE} store a submission and then lose the reply. Every
 * request is counted ({@link #requests(String)}).
 *
 * <p>TEST CODE ONLY: the client certificate chain is checked by a small trust manager of its own (each certificate
 * signed by the next, the last by the test CA, all within validity), because the JDK's PKIX rejects RFC 3820 proxy
 * chains presented by clients.
 */
public final class FtsContractServer implements AutoCloseable {
    public static final String BASE_ID = "01874efb-4735-4595-bc9c-591aef8240c9";
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
    private static final ObjectMapper M = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final Pattern UA = Pattern.compile("fts-.+/(\\d+)\\.(\\d+)");

    /** The probe body, exactly as reference §1 shows it. */
    static final String PROBE_BODY = "{\"delegation\": {\"major\": 1, \"minor\": 0, \"patch\": 0}, "
            + "\"api\": {\"major\": 3, \"minor\": 13, \"patch\": 4}, "
            + "\"core\": {\"major\": \"3\", \"minor\": \"13\", \"patch\": \"2\"}, "
            + "\"schema\": {\"major\": 9, \"minor\": 1, \"patch\": 0}, "
            + "\"_links\": {\"curies\": [{\"name\": \"fts\", \"href\": \"https://gitlab.cern.ch/fts/fts3\"}], "
            + "\"fts:whoami\": {\"href\": \"/whoami\", \"title\": \"Check user certificate\"}, "
            + "\"fts:job\": {\"href\": \"/jobs/{id}\", \"title\": \"Job information\", \"templated\": true, \"hints\": {\"allow\": [\"GET\", \"DELETE\"]}}, "
            + "\"fts:jobsubmit\": {\"href\": \"/jobs\", \"hints\": {\"allow\": [\"POST\"], \"representations\": [\"fts:submitschema\"]}}}}";

    /** Scripted faulty replies. */
    public enum Fault {
        /** Werkzeug HTML 503 (DB connection pool timeout). */
        HTML_503,
        /** Middleware HTML 403 {@code Invalid credentials (...)}. */
        HTML_403_INVALID_CREDENTIALS,
        /** Middleware HTML 403 {@code The user does not belong to any authorized vo}. */
        HTML_403_VO,
        /** Middleware HTML 401 {@code A valid X509 certificate or proxy is needed}. */
        HTML_401,
        /** Flask JSON 500. */
        JSON_500,
        /** Submission: store the job, then close the connection without a reply. */
        CUT_AFTER_STORE,
        /** Submission: store the job, then hold the reply until {@link #releaseHeld()} (the client times out first). */
        HOLD_AFTER_STORE
    }

    /** What happens to a file when it is advanced. */
    public record Outcome(String failReason, boolean existsOnTape) {
        static final Outcome OK = new Outcome(null, false);
    }

    private record User(String dn, String method, String dlgId, List<String> vos, List<String> fqans) {
        boolean anonymous() {
            return "unauthenticated".equals(method);
        }
    }

    private record Delegation(Instant termination, List<X509Certificate> chain) {
    }

    private static final class StoredFile {
        long fileId;
        int index;
        String source;
        String dest;
        String checksum;
        Long userFilesize;
        JsonNode metadata;
        String activity;
        String state;
        String reason; // null until url-copy or the archive poller reports one (fts-rest-flask sends null, not "")
        Instant start;
        Instant finish;
        Instant archiveStart;
        Instant archiveFinish;
        Long filesize;
        Outcome outcome = Outcome.OK;
        String[] misreport; // {dest_surl, filesize, checksum} reported instead, null parts unchanged
    }

    private static final class StoredJob {
        String id;
        String state;
        String reason;
        String dn;
        String dlgId;
        String vo;
        Instant submitTime;
        Instant finished;
        int priority;
        String verify;
        String overwriteFlag;
        boolean dstFileReport;
        int archiveTimeout;
        int bringOnline;
        int copyPin;
        int retry;
        int retryDelay;
        ObjectNode jobMetadata;
        Long maxTimeInQueue;
        boolean cancel;
        boolean forbidden;
        final List<StoredFile> files = new ArrayList<>();
    }

    private final HttpsServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fts-contract-server");
        t.setDaemon(true);
        return t;
    });
    private final TestPki.Layout pki;
    private final String gridmapVo;
    private volatile Clock clock = Clock.systemUTC();
    private volatile java.util.function.BiConsumer<String, String> dataMover = (source, destination) -> { };
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong fileIds = new AtomicLong(8872390000L);

    private final Map<String, StoredJob> jobs = new ConcurrentHashMap<>();
    private final Map<String, Delegation> delegations = new ConcurrentHashMap<>();
    private final Map<String, KeyPair> credentialCache = new ConcurrentHashMap<>();
    private final Map<String, String> csrCache = new ConcurrentHashMap<>();
    private final Map<String, String[]> tokens = new ConcurrentHashMap<>(); // token -> {iss, sub}
    private final Map<String, Deque<Outcome>> outcomes = new ConcurrentHashMap<>();
    private final Map<String, Deque<Object>> faults = new ConcurrentHashMap<>();
    private volatile String lastUploadBody = "";
    private volatile CountDownLatch held = new CountDownLatch(1);
    private volatile List<X509Certificate> lastUpload = List.of();
    private volatile List<X509Certificate> lastClientChain = List.of();

    private final AtomicInteger total = new AtomicInteger();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private FtsContractServer(TestPki.Layout pki, String gridmapVo) throws IOException, GeneralSecurityException {
        this.pki = pki;
        this.gridmapVo = gridmapVo;
        SSLContext ssl = serverContext(pki);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = ssl.getDefaultSSLParameters();
                p.setWantClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a server whose certificate users map to VO {@code gridmapVo} (null: the delegation id, a "virtual VO"). */
    public static FtsContractServer start(TestPki.Layout pki, String gridmapVo) {
        try {
            return new FtsContractServer(pki, gridmapVo);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the FTS3 contract server", e);
        }
    }

    /** {@code https://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        releaseHeld();
        server.stop(0);
        pool.shutdownNow();
    }

    // ------------------------------------------------------------------ test controls

    /** Accepts this bearer token as user {@code sub} of issuer {@code iss} (method oauth2). */
    public void acceptToken(String token, String iss, String sub) {
        tokens.put(token, new String[] {iss, sub});
    }

    /** The next request whose "METHOD /first-segment" (e.g. {@code "POST /jobs"}, {@code "GET /"}) matches gets this fault. */
    public void failNext(String methodAndSegment, Fault fault) {
        faults.computeIfAbsent(methodAndSegment, k -> new ArrayDeque<>()).add(fault);
    }

    /** A Flask JSON error {@code {"status": "<code> <Name>", "message": message}} as the next reply to that request. */
    public void failNextJson(String methodAndSegment, int status, String message) {
        faults.computeIfAbsent(methodAndSegment, k -> new ArrayDeque<>()).add(new JsonFault(status, message));
    }

    private record JsonFault(int status, String message) {
    }

    /** The raw body of the last successful credential upload. */
    public String lastUploadBody() {
        return lastUploadBody;
    }

    public void releaseHeld() {
        held.countDown();
    }

    /** The first job that contains this destination fails with {@code reason} (at ARCHIVING if it starts so). */
    public void failFirstAttemptOf(String destination, String reason) {
        outcomes.computeIfAbsent(destination, k -> new ArrayDeque<>()).add(new Outcome(reason, false));
    }

    /** The first job that contains this destination finds it already on tape and fails with a dst_file report. */
    public void destinationExistsOnTape(String destination) {
        outcomes.computeIfAbsent(destination, k -> new ArrayDeque<>()).add(new Outcome(
                "DESTINATION [17] Destination file exists and overwrite is not enabled", true));
    }

    /** Moves every non-terminal file of the job one step on, then recomputes the job state (reference §3.1). */
    public synchronized void advance(String jobId) {
        StoredJob j = jobs.get(jobId);
        if (j == null) {
            throw new IllegalArgumentException("no job " + jobId);
        }
        Instant now = clock.instant();
        for (StoredFile f : j.files) {
            switch (f.state) {
                case "SUBMITTED", "STAGING" -> f.state = "ACTIVE";
                case "ACTIVE" -> {
                    f.finish = now;
                    if (f.start == null) {
                        f.start = now;
                    }
                    Outcome o = f.outcome;
                    if (o.failReason() != null && !o.failReason().startsWith("ARCHIVING")) {
                        f.state = "FAILED";
                        f.reason = o.failReason();
                        if (o.existsOnTape() && j.dstFileReport && j.archiveTimeout > 0 && f.metadata instanceof ObjectNode md) {
                            ObjectNode d = md.putObject("dst_file");
                            d.put("file_size", f.userFilesize == null ? 0 : f.userFilesize);
                            d.put("checksum_type", "ADLER32");
                            putNullable(d, "checksum_value", f.checksum.contains(":") ? f.checksum.substring(f.checksum.indexOf(':') + 1) : null);
                            d.put("file_on_tape", true);
                            d.put("file_on_disk", false);
                        }
                    } else {
                        f.filesize = f.userFilesize;
                        dataMover.accept(f.source, f.dest);
                        if (j.archiveTimeout > -1) {
                            f.state = "ARCHIVING";
                            f.archiveStart = now;
                        } else {
                            f.state = "FINISHED";
                        }
                    }
                }
                case "ARCHIVING" -> {
                    f.archiveFinish = now;
                    if (f.outcome.failReason() != null) {
                        f.state = "FAILED";
                        f.reason = f.outcome.failReason();
                    } else {
                        f.state = "FINISHED";
                    }
                }
                default -> {
                }
            }
            if ("ACTIVE".equals(f.state) && f.start == null) {
                f.start = now;
            }
        }
        recompute(j, now);
    }

    /**
     * From now on the row of {@code destination} in job {@code jobId} reports another destination, size or checksum
     * (null: unchanged), as a row about some other file would: what a client must not take for its own file.
     */
    public synchronized void misreport(String jobId, String destination, String dest, Long filesize, String checksum) {
        StoredFile f = jobs.get(jobId).files.stream().filter(x -> x.dest.equals(destination)).findFirst().orElseThrow();
        f.misreport = new String[] {dest, filesize == null ? null : String.valueOf(filesize), checksum};
    }

    /**
     * Stands in for the data movement a real FTS does (this server never touches bytes): called with source and
     * destination URL when a file's copy completes (ACTIVE → ARCHIVING or FINISHED). A test whose storages are real
     * folders behind these URLs copies the file there.
     */
    public void onCopied(java.util.function.BiConsumer<String, String> mover) {
        this.dataMover = mover;
    }

    /** Advances until the job is terminal. */
    public void complete(String jobId) {
        for (int i = 0; i < 10 && !FtsStates.isJobTerminal(jobs.get(jobId).state); i++) {
            advance(jobId);
        }
    }

    /** The FTS cleaner moved the job away: it is unknown from now on (404). */
    public void purge(String jobId) {
        jobs.remove(jobId);
    }

    /** Checks of this job by anyone answer 403 (per-item "403 Forbidden" in bulk). */
    public void forbid(String jobId) {
        jobs.get(jobId).forbidden = true;
    }

    public String jobState(String jobId) {
        StoredJob j = jobs.get(jobId);
        return j == null ? null : j.state;
    }

    public int jobCount() {
        return jobs.size();
    }

    public List<String> jobIds() {
        return List.copyOf(jobs.keySet());
    }

    /** Sets (or with null removes) the delegation of {@code dlgId}, as if a proxy ending then had been delegated. */
    public void setDelegation(String dlgId, Instant termination) {
        if (termination == null) {
            delegations.remove(dlgId);
        } else {
            delegations.put(dlgId, new Delegation(termination, List.of()));
        }
    }

    public Optional<Instant> delegationEnd(String dlgId) {
        return Optional.ofNullable(delegations.get(dlgId)).map(Delegation::termination);
    }

    /** The chain of the last successful {@code PUT /delegation/{id}/credential}. */
    public List<X509Certificate> lastUploadedChain() {
        return lastUpload;
    }

    /** The TLS client certificate chain of the last request that presented one (the proxy first). */
    public List<X509Certificate> lastClientChain() {
        return lastClientChain;
    }

    /** The public key behind the cached CSR of this delegation id. */
    public RSAPublicKey csrPublicKey(String dlgId) {
        return (RSAPublicKey) credentialCache.get(dlgId).getPublic();
    }

    public void setClock(Clock c) {
        this.clock = c;
    }

    /** All requests so far. */
    public int requests() {
        return total.get();
    }

    /** Requests whose "METHOD /first-segment" is {@code key}, e.g. {@code "GET /jobs"}. */
    public int requests(String key) {
        AtomicInteger a = counts.get(key);
        return a == null ? 0 : a.get();
    }

    /** "METHOD raw-path?query" of every request, in order. */
    public List<String> requestLog() {
        synchronized (log) {
            return List.copyOf(log);
        }
    }

    public void resetCounts() {
        total.set(0);
        counts.clear();
        log.clear();
    }

    // ------------------------------------------------------------------ dispatch

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            URI reqUri = ex.getRequestURI();
            String rawPath = reqUri.getRawPath() == null ? "" : reqUri.getRawPath();
            if (reqUri.getScheme() == null && reqUri.getRawAuthority() != null) {
                rawPath = "//" + reqUri.getRawAuthority() + rawPath; // "//jobs/x" parses as authority "jobs"
            }
            String query = ex.getRequestURI().getRawQuery();
            log.add(method + " " + rawPath + (query == null ? "" : "?" + query));
            String path = rawPath.replaceAll("/{2,}", "/"); // the Python client sends //jobs (reference §0)
            String[] seg = path.length() <= 1 ? new String[0] : path.substring(1).split("/", -1);
            String key = method + " /" + (seg.length == 0 ? "" : seg[0]);
            total.incrementAndGet();
            counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            byte[] body = ex.getRequestBody().readAllBytes();

            Object scripted = null;
            Deque<Object> q = faults.get(key);
            if (q != null) {
                synchronized (q) {
                    scripted = q.poll();
                }
            }
            if (scripted instanceof JsonFault jf) {
                flaskError(ex, jf.status(), jf.message());
                return;
            }
            Fault fault = (Fault) scripted;
            if (fault != null && fault != Fault.CUT_AFTER_STORE && fault != Fault.HOLD_AFTER_STORE) {
                sendFault(ex, fault);
                return;
            }
            User user = authenticate(ex);
            if (user == null) {
                return; // an HTML 403 was sent
            }
            if (seg.length == 0) {
                if (method.equals("GET")) {
                    sendRaw(ex, 200, "application/json", PROBE_BODY, false);
                } else {
                    flaskError(ex, 405, "The method is not allowed for the requested URL.");
                }
                return;
            }
            switch (seg[0]) {
                case "whoami" -> whoami(ex, user);
                case "delegation" -> delegation(ex, user, method, seg, body);
                case "jobs" -> jobsRoute(ex, user, method, seg, query, body, fault);
                default -> flaskError(ex, 404, "The requested URL was not found on the server. If you entered the URL"
                        + " manually please check your spelling and try again.");
            }
        } catch (RuntimeException e) {
            // an unexpected server-side failure: answer 500 like Flask, so a test sees it
            try {
                flaskError(ex, 500, e.toString());
            } catch (IOException | RuntimeException ignored) {
                // the reply was already on its way
            }
        }
    }

    private void jobsRoute(HttpExchange ex, User user, String method, String[] seg, String query, byte[] body, Fault fault)
            throws IOException {
        if (seg.length == 1 || (seg.length == 2 && seg[1].isEmpty())) {
            if (method.equals("POST") || method.equals("PUT")) {
                submit(ex, user, body, fault);
            } else {
                flaskError(ex, 405, "The method is not allowed for the requested URL.");
            }
            return;
        }
        if (seg.length == 2) {
            switch (method) {
                case "GET" -> getJobs(ex, user, seg[1], query);
                case "DELETE" -> cancel(ex, user, seg[1]);
                default -> flaskError(ex, 405, "The method is not allowed for the requested URL.");
            }
            return;
        }
        if (seg.length == 3 && seg[2].equals("files") && method.equals("GET")) {
            getFiles(ex, user, seg[1]);
            return;
        }
        flaskError(ex, 404, "No such field");
    }

    // ------------------------------------------------------------------ authentication

    private User authenticate(HttpExchange ex) throws IOException {
        String authz = ex.getRequestHeaders().getFirst("Authorization");
        if (authz != null && authz.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String tok = authz.substring(7).strip();
            String[] who = tokens.get(tok);
            if (who != null) {
                String dlg = sha1Hex(who[0] + who[1]).substring(0, 16);
                return new User(who[1], "oauth2", dlg, List.of(gridmapVo == null ? dlg : gridmapVo), List.of());
            }
            if (tok.startsWith("invalid")) {
                html(ex, 403, "Forbidden", "Invalid credentials (Token is invalid: Signature verification failed)");
                return null;
            }
            // silently rejected: fall through (reference §6)
        }
        if (ex instanceof HttpsExchange hx) {
            try {
                Certificate[] peer = hx.getSSLSession().getPeerCertificates();
                List<X509Certificate> chain = new ArrayList<>();
                for (Certificate c : peer) {
                    chain.add((X509Certificate) c);
                }
                lastClientChain = List.copyOf(chain);
                X509Certificate ee = chain.stream().filter(c -> !Proxies.isProxy(c)).findFirst().orElse(chain.get(chain.size() - 1));
                String dn = Proxies.openSslName(ee.getSubjectX500Principal());
                String dlg = sha1Hex(dn).substring(0, 16);
                return new User(dn, "certificate", dlg, List.of(gridmapVo == null ? dlg : gridmapVo), List.of());
            } catch (SSLPeerUnverifiedException e) {
                // no client certificate
            }
        }
        return new User("anon", "unauthenticated", null, List.of(), List.of());
    }

    private void whoami(HttpExchange ex, User u) throws IOException {
        ObjectNode o = F.objectNode();
        o.put("user_dn", u.dn());
        ArrayNode dns = o.putArray("dn"); // fts-rest-flask lists the DN as gridsite and as mod_ssl give it
        dns.add(u.dn());
        if (u.dn().startsWith("/")) {
            dns.add(rfc2253(u.dn()));
        }
        o.put("base_id", BASE_ID);
        ArrayNode voms = o.putArray("voms_cred");
        u.fqans().forEach(voms::add);
        ArrayNode vos = o.putArray("vos");
        u.vos().forEach(vos::add);
        ArrayNode vosId = o.putArray("vos_id");
        u.vos().forEach(v -> vosId.add(DeterministicIds.uuid5(UUID.fromString(BASE_ID), v).toString()));
        o.putArray("roles");
        ObjectNode level = o.putObject("level");
        if ("oauth2".equals(u.method())) {
            level.put("transfer", "all");
            level.put("datamanagement", "all");
        } else if (!u.anonymous()) {
            level.put("transfer", "vo");
            level.put("datamanagement", "all");
        }
        if (u.dlgId() == null) {
            o.putNull("delegation_id");
        } else {
            o.put("delegation_id", u.dlgId());
        }
        o.put("method", u.method());
        o.put("is_root", false);
        if ("oauth2".equals(u.method())) {
            o.put("oauth2_scope", "fts");
            o.put("wlcg_profile", "1.0");
        }
        sendJson(ex, 200, o, false);
    }

    // ------------------------------------------------------------------ delegation (reference §5)

    private void delegation(HttpExchange ex, User u, String method, String[] seg, byte[] body) throws IOException {
        if (seg.length < 2) {
            flaskError(ex, 404, "No such field");
            return;
        }
        String dlg = seg[1];
        if (!dlg.equals(u.dlgId())) { // fts-rest-flask checks the id first, for every method (anonymous: no id)
            flaskError(ex, 403, "The requested ID and the credentials ID do not match");
            return;
        }
        if (seg.length == 2 && method.equals("GET")) {
            Delegation d = delegations.get(dlg);
            if (d == null) {
                Matcher m = UA.matcher(String.valueOf(ex.getRequestHeaders().getFirst("User-Agent")));
                boolean newClient = m.find() && (Integer.parseInt(m.group(1)) > 3
                        || (Integer.parseInt(m.group(1)) == 3 && Integer.parseInt(m.group(2)) >= 12));
                sendRaw(ex, 200, "application/json", newClient ? "[]" : "null", false);
                return;
            }
            ObjectNode o = F.objectNode();
            o.put("termination_time", fmt(d.termination()));
            o.putArray("voms_attrs").add(""); // no VOMS attributes: "" split on "\n" (fts-rest-flask)
            sendJson(ex, 200, o, false);
            return;
        }
        if (u.anonymous() || "oauth2".equals(u.method())) {
            flaskError(ex, 403, "Certificate required");
            return;
        }
        if (!dlg.equals(u.dlgId())) {
            flaskError(ex, 403, "The requested ID and the credentials ID do not match");
            return;
        }
        if (seg.length == 2 && method.equals("DELETE")) {
            if (delegations.remove(dlg) == null) {
                flaskError(ex, 404, "Delegated credentials not found");
            } else {
                ex.sendResponseHeaders(204, -1);
            }
            return;
        }
        if (seg.length == 3 && seg[2].equals("request") && method.equals("GET")) {
            String pem = csrCache.computeIfAbsent(dlg, k -> newCsr(k));
            ex.getResponseHeaders().set("X-Delegation-ID", dlg);
            sendRaw(ex, 200, "text/plain", pem, false);
            return;
        }
        if (seg.length == 3 && seg[2].equals("credential") && (method.equals("PUT") || method.equals("POST"))) {
            KeyPair cached = credentialCache.get(dlg);
            if (cached == null) {
                flaskError(ex, 400, "No credential cache found");
                return;
            }
            List<X509Certificate> chain;
            try {
                chain = readCerts(new String(body, StandardCharsets.US_ASCII));
                String problem = validateProxy(chain, cached);
                if (problem != null) {
                    flaskError(ex, 400, "Could not process the proxy: " + problem);
                    return;
                }
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                flaskError(ex, 400, "Could not process the proxy: " + e.getMessage());
                return;
            }
            Instant end = chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
            delegations.put(dlg, new Delegation(end, chain));
            lastUpload = List.copyOf(chain);
            lastUploadBody = new String(body, StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(201, -1);
            return;
        }
        flaskError(ex, 404, "No such field");
    }

    private String newCsr(String dlg) {
        try {
            KeyPair kp = credentialCache.computeIfAbsent(dlg, k -> {
                try {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(2048, random);
                    return g.generateKeyPair();
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            });
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Dummy").build();
            PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject, kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate()));
            StringWriter sw = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
                w.writeObject(csr);
            }
            return sw.toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a CSR", e);
        }
    }

    /** The checks of fts-rest {@code _validate_proxy}, in order (reference §5 step 5); null when the chain is good. */
    static String validateProxy(List<X509Certificate> chain, KeyPair cached) {
        if (chain.size() < 2) {
            return "the proxy chain must have at least two certificates";
        }
        X509Certificate first = chain.get(0);
        BigInteger modulus = ((RSAPublicKey) first.getPublicKey()).getModulus();
        BigInteger keyModulus = cached.getPrivate() instanceof RSAPrivateCrtKey k ? k.getModulus()
                : ((RSAPublicKey) cached.getPublic()).getModulus();
        if (!modulus.equals(keyModulus)) {
            return "the public key of the proxy does not match the private key of the request";
        }
        try {
            first.verify(chain.get(1).getPublicKey());
        } catch (GeneralSecurityException e) {
            return "the proxy is not signed by the next certificate of the chain";
        }
        X500Name subject = X500Name.getInstance(first.getSubjectX500Principal().getEncoded());
        X500Name issuer = X500Name.getInstance(first.getIssuerX500Principal().getEncoded());
        var srdn = subject.getRDNs();
        var irdn = issuer.getRDNs();
        if (srdn.length != irdn.length + 1) {
            return "the proxy subject is not the issuer plus one RDN";
        }
        for (int i = 0; i < irdn.length; i++) {
            if (!srdn[i].equals(irdn[i])) {
                return "the proxy subject is not the issuer plus one RDN";
            }
        }
        if (!BCStyle.CN.equals(srdn[srdn.length - 1].getFirst().getType())) {
            return "the last RDN of the proxy subject is not a CN";
        }
        return null;
    }

    static List<X509Certificate> readCerts(String pem) throws IOException, GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(new JcaX509CertificateConverter().getCertificate(h));
                } else {
                    throw new IOException("unexpected PEM object " + o.getClass().getSimpleName() + " in the upload");
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ submission (reference §2)

    private void submit(HttpExchange ex, User u, byte[] body, Fault fault) throws IOException {
        if (u.anonymous()) {
            flaskError(ex, 403, "Not enough permissions");
            return;
        }
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        if (ex.getRequestMethod().equals("POST")
                && (ct == null || !(ct.startsWith("application/json") || ct.startsWith("application/x-www-form-urlencoded")))) {
            flaskError(ex, 400, "Expecting application/json or application/x-www-form-urlencoded");
            return;
        }
        JsonNode req;
        try {
            req = M.readTree(body);
            if (req == null || !req.isObject()) {
                throw new IOException("not an object");
            }
        } catch (IOException e) {
            flaskError(ex, 400, "Badly formatted JSON request");
            return;
        }
        if (req.has("delete") && !req.get("delete").isNull()) {
            flaskError(ex, 405, "Deletion jobs are no longer supported by FTS");
            return;
        }
        JsonNode params = req.has("params") && req.get("params").isObject() ? req.get("params") : F.objectNode();
        if ("oauth2".equals(u.method())) {
            if (params.path("archive_timeout").asInt(-1) > 0) {
                flaskError(ex, 400, "Requests to archive to tape using token authentication are not supported");
                return;
            }
            if (params.path("bring_online").asInt(-1) > 0) {
                flaskError(ex, 400, "Requests to retrieve from tape using token authentication are not supported");
                return;
            }
        } else {
            Delegation d = delegations.get(u.dlgId());
            Instant now = clock.instant();
            if (d == null) {
                flaskError(ex, 419, "No delegation found for \"" + u.dn() + "\"");
                return;
            }
            long left = Duration.between(now, d.termination()).getSeconds();
            if (left <= 0) {
                flaskError(ex, 419, "The delegated credentials expired " + (-left) + " seconds ago (" + u.dlgId() + ")");
                return;
            }
            if (left < 3600) {
                flaskError(ex, 419, "The delegated credentials has less than one hour left (" + u.dlgId() + ")");
                return;
            }
        }
        JsonNode files = req.get("files");
        if (files == null || files.isNull()) {
            flaskError(ex, 400, "No transfers operations specified");
            return;
        }
        if (!files.isArray() || files.isEmpty()) {
            flaskError(ex, 400, "No valid pairs available");
            return;
        }
        for (JsonNode f : files) {
            if (!f.has("sources")) {
                flaskError(ex, 400, "Missing parameter: 'sources'");
                return;
            }
            if (!f.has("destinations")) {
                flaskError(ex, 400, "Missing parameter: 'destinations'");
                return;
            }
            for (String k : List.of("sources", "destinations")) {
                for (JsonNode url : f.get(k)) {
                    String problem = urlProblem(url.asText());
                    if (problem != null) {
                        flaskError(ex, 400, "Invalid value within the request: " + problem);
                        return;
                    }
                }
            }
        }
        boolean ow = params.path("overwrite").asBoolean(false);
        boolean owDisk = params.path("overwrite_when_only_on_disk").asBoolean(false);
        boolean owRetry = params.path("overwrite_on_retry").asBoolean(false);
        boolean owHop = params.path("overwrite_hop").asBoolean(false);
        int flags = (ow ? 1 : 0) + (owDisk ? 1 : 0) + (owRetry ? 1 : 0) + (owHop ? 1 : 0);
        if (flags >= 2 && !(flags == 2 && owDisk && owHop)) {
            flaskError(ex, 400, "Incompatible overwrite flags used at the same time");
            return;
        }
        int archiveTimeout = params.path("archive_timeout").isNull() ? -1 : params.path("archive_timeout").asInt(-1);
        if (owDisk) {
            boolean ok = archiveTimeout > 0;
            for (JsonNode f : files) {
                for (JsonNode d : f.get("destinations")) {
                    String s = d.asText().toLowerCase(Locale.ROOT);
                    ok &= s.startsWith("https://") || s.startsWith("davs://");
                }
            }
            if (!ok) {
                flaskError(ex, 400, "Malformed request: overwrite-when-only-on-disk requires archive_timeout"
                        + " and https/davs destinations");
                return;
            }
        }
        String idGen = params.path("id_generator").asText("standard");
        String sid = params.path("sid").isNull() ? null : params.path("sid").asText(null);
        String id;
        if ("deterministic".equals(idGen)) {
            if (sid == null || sid.isEmpty()) {
                flaskError(ex, 400, "Malformed request: the deterministic id generator needs a sid");
                return;
            }
            id = DeterministicIds.uuid5(DeterministicIds.uuid5(UUID.fromString(BASE_ID), u.vos().get(0)), sid).toString();
        } else {
            id = uuid1Like();
        }
        StoredJob j = new StoredJob();
        j.id = id;
        j.dn = u.dn();
        j.dlgId = u.dlgId();
        j.vo = u.vos().get(0);
        j.submitTime = clock.instant();
        j.priority = Math.max(1, Math.min(5, params.path("priority").asInt(3)));
        JsonNode vc = params.path("verify_checksum");
        boolean anyChecksum = false;
        for (JsonNode f : files) {
            anyChecksum |= f.hasNonNull("checksum") && !f.get("checksum").asText().isEmpty();
        }
        if (vc.isBoolean()) {
            j.verify = vc.asBoolean() ? "b" : (anyChecksum ? "t" : "n");
        } else if (vc.isTextual() && !vc.asText().isEmpty()) {
            j.verify = vc.asText().substring(0, 1);
        } else {
            j.verify = anyChecksum ? "t" : "n";
        }
        j.overwriteFlag = ow ? "Y" : owDisk ? (owHop ? "Q" : "D") : owRetry ? "R" : owHop ? "M" : null;
        j.dstFileReport = params.path("dst_file_report").asBoolean(false);
        j.archiveTimeout = archiveTimeout;
        j.bringOnline = params.path("bring_online").isNull() ? -1 : params.path("bring_online").asInt(-1);
        j.copyPin = params.path("copy_pin_lifetime").isNull() ? -1 : params.path("copy_pin_lifetime").asInt(-1);
        j.retry = params.path("retry").asInt(0);
        j.retryDelay = params.path("retry_delay").asInt(0);
        JsonNode jm = params.get("job_metadata");
        j.jobMetadata = jm instanceof ObjectNode on ? on.deepCopy() : F.objectNode();
        if (jm != null && jm.isTextual()) {
            j.jobMetadata.put("label", jm.asText());
        }
        j.jobMetadata.put("auth_method", u.method());
        if (params.hasNonNull("max_time_in_queue")) {
            j.maxTimeInQueue = j.submitTime.getEpochSecond() + 3600L * params.get("max_time_in_queue").asLong();
        }
        boolean staging = j.bringOnline > 0 || j.copyPin > 0;
        j.state = staging ? "STAGING" : "SUBMITTED";
        int index = 0;
        for (JsonNode f : files) {
            for (JsonNode s : f.get("sources")) {
                for (JsonNode d : f.get("destinations")) {
                    StoredFile sf = new StoredFile();
                    sf.fileId = fileIds.incrementAndGet();
                    sf.index = index;
                    sf.source = s.asText();
                    sf.dest = d.asText();
                    sf.checksum = f.hasNonNull("checksum") ? f.get("checksum").asText() : "ADLER32";
                    sf.userFilesize = f.hasNonNull("filesize") ? f.get("filesize").asLong() : null;
                    JsonNode md = f.get("metadata");
                    if (md != null && md.isTextual()) {
                        ObjectNode l = F.objectNode();
                        l.put("label", md.asText());
                        md = l;
                    }
                    sf.metadata = md == null ? NullNode.getInstance() : md.deepCopy();
                    sf.activity = f.path("activity").asText("default");
                    sf.state = j.state;
                    Deque<Outcome> q = outcomes.get(sf.dest);
                    if (q != null) {
                        synchronized (q) {
                            Outcome o = q.poll();
                            if (o != null) {
                                sf.outcome = o;
                            }
                        }
                    }
                    j.files.add(sf);
                }
            }
            index++;
        }
        synchronized (this) {
            if (jobs.containsKey(id)) {
                flaskError(ex, 409, "The sid provided by the user is duplicated");
                return;
            }
            jobs.put(id, j);
        }
        if (fault == Fault.CUT_AFTER_STORE) {
            return; // the exchange is closed without a reply: the connection is cut
        }
        if (fault == Fault.HOLD_AFTER_STORE) {
            try {
                held.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ObjectNode o = F.objectNode();
        o.put("job_id", id);
        sendJson(ex, 200, o, false);
    }

    private static String urlProblem(String url) {
        URI u;
        try {
            u = new URI(url);
        } catch (Exception e) {
            return "Missing scheme (" + url + ")";
        }
        if (u.getScheme() == null) {
            return "Missing scheme (" + url + ")";
        }
        if (u.getScheme().equals("file")) {
            return "Can not transfer local files";
        }
        if (u.getHost() == null) {
            return "Missing host (" + url + ")";
        }
        if (u.getPath() == null || u.getPath().isEmpty()) {
            return "Missing path (" + url + ")";
        }
        return null;
    }

    private String uuid1Like() {
        long t = clock.millis();
        return String.format("%08x-%04x-11f1-%04x-02fc%08x", t & 0xffffffffL, (t >>> 32) & 0xffff,
                0x8000 | random.nextInt(0x3fff), random.nextInt() & 0xffffffffL);
    }

    // ------------------------------------------------------------------ status, files, cancel (reference §3)

    private void getJobs(HttpExchange ex, User u, String idsPart, String query) throws IOException {
        if (u.anonymous()) {
            flaskError(ex, 500, "list index out of range"); // fts-rest logs vos[0] (reference §0)
            return;
        }
        List<String> fields = null;
        if (query != null) {
            for (String kv : query.split("&")) {
                if (kv.startsWith("files=")) {
                    fields = List.of(java.net.URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8).split(","));
                }
            }
        }
        boolean multi = idsPart.contains(",");
        List<String> ids = new ArrayList<>();
        for (String s : idsPart.split(",")) {
            if (!s.isEmpty()) {
                ids.add(s);
            }
        }
        ArrayNode out = F.arrayNode();
        boolean anyFailed = false;
        synchronized (this) {
            for (String id : ids) {
                StoredJob j = jobs.get(id);
                if (j == null) {
                    out.add(perJobError(id, "404 Not Found", "No job with the id \"" + id + "\" has been found"));
                    anyFailed = true;
                } else if (j.forbidden) {
                    out.add(perJobError(id, "403 Forbidden", "Not enough permissions to check the job \"" + id + "\""));
                    anyFailed = true;
                } else {
                    ObjectNode o = jobJson(j);
                    o.put("http_status", "200 Ok");
                    if (fields != null) {
                        ArrayNode fs = o.putArray("files");
                        for (StoredFile f : j.files) {
                            ObjectNode full = fileJson(j, f);
                            ObjectNode sub = F.objectNode();
                            for (String k : fields) {
                                if (full.has(k)) {
                                    sub.set(k, full.get(k));
                                }
                            }
                            fs.add(sub);
                        }
                    }
                    out.add(o);
                }
            }
        }
        if (!multi) {
            JsonNode single = out.get(0);
            int status = single.path("http_status").asText().startsWith("404") ? 404
                    : single.path("http_status").asText().startsWith("403") ? 403 : 200;
            sendJson(ex, status, single, false);
            return;
        }
        sendJson(ex, anyFailed ? 207 : 200, out, true);
    }

    private void getFiles(HttpExchange ex, User u, String id) throws IOException {
        StoredJob j = jobs.get(id);
        if (j == null) {
            flaskError(ex, 404, "No job with the id \"" + id + "\" has been found");
            return;
        }
        ArrayNode out = F.arrayNode();
        synchronized (this) {
            for (StoredFile f : j.files) {
                out.add(fileJson(j, f));
            }
        }
        sendJson(ex, 200, out, true);
    }

    private void cancel(HttpExchange ex, User u, String id) throws IOException {
        if (u.anonymous()) {
            flaskError(ex, 403, "Not enough permissions");
            return;
        }
        if (id.contains(",")) {
            flaskError(ex, 400, "this contract server cancels one job at a time");
            return;
        }
        StoredJob j = jobs.get(id);
        if (j == null) {
            sendJson(ex, 404, perJobError(id, "404 Not Found", "No job with the id \"" + id + "\" has been found"), false);
            return;
        }
        ObjectNode o;
        synchronized (this) {
            if (FtsStates.isJobTerminal(j.state)) {
                o = jobJson(j);
                o.put("http_status", "304 Not Modified");
                o.put("http_message", "The job is in a terminal state");
            } else {
                Instant now = clock.instant();
                for (StoredFile f : j.files) {
                    if (!FtsStates.isFileTerminal(f.state)) {
                        f.state = "CANCELED";
                        f.reason = "Job canceled by the user";
                        f.finish = now;
                    }
                }
                j.cancel = true;
                j.state = "CANCELED";
                j.reason = "Job canceled by the user";
                j.finished = now;
                o = jobJson(j);
                o.put("http_status", "200 Ok");
                o.putNull("http_message");
            }
        }
        sendJson(ex, 200, o, false);
    }

    private static ObjectNode perJobError(String id, String status, String message) {
        ObjectNode o = F.objectNode();
        o.put("job_id", id);
        o.put("http_status", status);
        o.put("http_message", message);
        return o;
    }

    private void recompute(StoredJob j, Instant now) {
        boolean allTerminal = j.files.stream().allMatch(f -> FtsStates.isFileTerminal(f.state));
        if (allTerminal) {
            long finished = j.files.stream().filter(f -> f.state.equals("FINISHED")).count();
            long failed = j.files.stream().filter(f -> f.state.equals("FAILED")).count();
            long canceled = j.files.stream().filter(f -> f.state.equals("CANCELED")).count();
            if (finished == j.files.size()) {
                j.state = "FINISHED";
                j.reason = "";
            } else {
                if (finished > 0 && failed > 0) {
                    j.state = "FINISHEDDIRTY";
                } else if (finished == 0 && failed > 0) {
                    j.state = "FAILED";
                } else if (canceled > 0) {
                    j.state = "CANCELED";
                } else {
                    j.state = "FINISHEDDIRTY";
                }
                j.reason = "One or more files failed. Please have a look at the details for more information";
            }
            j.finished = now;
            return;
        }
        boolean allArchiving = j.files.stream().filter(f -> !FtsStates.isFileTerminal(f.state))
                .allMatch(f -> f.state.equals("ARCHIVING"));
        boolean anyStarted = j.files.stream().anyMatch(f -> !f.state.equals("SUBMITTED") && !f.state.equals("STAGING"));
        j.state = allArchiving ? "ARCHIVING" : anyStarted ? "ACTIVE" : j.state;
    }

    private static String se(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getHost();
    }

    private ObjectNode jobJson(StoredJob j) {
        ObjectNode o = F.objectNode();
        o.put("job_id", j.id);
        String src = j.files.stream().map(f -> se(f.source)).distinct().count() == 1 ? se(j.files.get(0).source) : null;
        String dst = j.files.stream().map(f -> se(f.dest)).distinct().count() == 1 ? se(j.files.get(0).dest) : null;
        putNullable(o, "source_se", src);
        putNullable(o, "dest_se", dst);
        o.put("job_state", j.state);
        o.put("job_type", "N");
        o.put("cancel_job", j.cancel);
        o.put("submit_host", "fts-rest-01.example.org");
        o.put("user_dn", j.dn);
        o.put("cred_id", j.dlgId);
        o.put("vo_name", j.vo);
        putNullable(o, "reason", j.reason);
        o.put("submit_time", fmt(j.submitTime));
        o.put("priority", j.priority);
        if (j.maxTimeInQueue == null) {
            o.putNull("max_time_in_queue");
        } else {
            o.put("max_time_in_queue", j.maxTimeInQueue);
        }
        o.putNull("destination_spacetoken");
        o.putNull("internal_job_params");
        o.put("dst_file_report", j.dstFileReport);
        putNullable(o, "overwrite_flag", j.overwriteFlag);
        putNullable(o, "job_finished", j.finished == null ? null : fmt(j.finished));
        o.putNull("source_spacetoken");
        o.put("copy_pin_lifetime", j.copyPin);
        o.put("verify_checksum", j.verify);
        o.put("bring_online", j.bringOnline);
        o.put("archive_timeout", j.archiveTimeout);
        o.putNull("target_qos");
        o.set("job_metadata", j.jobMetadata.deepCopy());
        o.put("retry", j.retry);
        o.put("retry_delay", j.retryDelay);
        o.putNull("os_project_id");
        return o;
    }

    private ObjectNode fileJson(StoredJob j, StoredFile f) {
        ObjectNode o = F.objectNode();
        o.put("file_id", f.fileId);
        o.put("hashed_id", (int) (f.fileId % 65536));
        o.put("file_index", f.index);
        o.put("job_id", j.id);
        o.putNull("dest_surl_uuid");
        o.put("vo_name", j.vo);
        o.put("source_se", se(f.source));
        o.put("dest_se", se(f.dest));
        o.put("priority", j.priority);
        o.put("file_state", f.state);
        putNullable(o, "transfer_host", f.start == null ? null : "fts-node-03.example.org");
        o.put("source_surl", f.source);
        o.put("dest_surl", f.misreport != null && f.misreport[0] != null ? f.misreport[0] : f.dest);
        o.putNull("staging_host");
        putNullable(o, "reason", f.reason);
        o.put("recoverable", false);
        Long size = f.misreport != null && f.misreport[1] != null && f.filesize != null ? Long.valueOf(f.misreport[1]) : f.filesize;
        if (size == null) {
            o.putNull("filesize");
        } else {
            o.put("filesize", size);
        }
        o.put("checksum", f.misreport != null && f.misreport[2] != null ? f.misreport[2] : f.checksum);
        putNullable(o, "finish_time", f.finish == null ? null : fmt(f.finish));
        putNullable(o, "start_time", f.start == null ? null : fmt(f.start));
        putNullable(o, "archive_start_time", f.archiveStart == null ? null : fmt(f.archiveStart));
        putNullable(o, "archive_finish_time", f.archiveFinish == null ? null : fmt(f.archiveFinish));
        o.put("internal_file_params", "nostreams:1,timeout:3600,buffersize:0");
        if (f.start == null) {
            o.putNull("pid");
        } else {
            o.put("pid", 1834211);
        }
        if (f.finish == null) {
            o.putNull("tx_duration");
            o.putNull("throughput");
        } else {
            o.put("tx_duration", 365.2);
            o.put("throughput", 5.61);
        }
        o.put("retry", 0);
        if (f.userFilesize == null) {
            o.putNull("user_filesize");
        } else {
            o.put("user_filesize", f.userFilesize);
        }
        o.set("file_metadata", f.metadata.deepCopy());
        o.putNull("staging_metadata");
        o.putNull("archive_metadata");
        o.putNull("staging_start");
        o.putNull("staging_finished");
        o.put("selection_strategy", "auto");
        o.putNull("bringonline_token");
        putNullable(o, "log_file", f.start == null ? null : "/var/log/fts3/transfers/" + f.fileId);
        o.put("log_debug", 0);
        o.put("activity", f.activity);
        o.putNull("scitag");
        o.putNull("src_token_id");
        o.putNull("dst_token_id");
        o.putNull("file_state_initial");
        // no "retries": fts-rest-flask 3.13 does not serialise the retries backref in file rows
        return o;
    }

    /** {@code /DC=org/DC=test/CN=Test User} as mod_ssl writes it: {@code CN=Test User,DC=test,DC=org}. */
    static String rfc2253(String slashDn) {
        List<String> rdns = new ArrayList<>(List.of(slashDn.substring(1).split("/")));
        Collections.reverse(rdns);
        return String.join(",", rdns);
    }

    private static void putNullable(ObjectNode o, String k, String v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    static String fmt(Instant i) {
        return TIME.format(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
    }

    // ------------------------------------------------------------------ replies

    private void sendFault(HttpExchange ex, Fault f) throws IOException {
        switch (f) {
            case HTML_503 -> html(ex, 503, "Service Unavailable", "The server is temporarily unable to service your request"
                    + " due to maintenance downtime or capacity problems.  Please try again later.");
            case HTML_403_INVALID_CREDENTIALS -> html(ex, 403, "Forbidden",
                    "Invalid credentials (The certificate has been revoked)");
            case HTML_403_VO -> html(ex, 403, "Forbidden", "The user does not belong to any authorized vo");
            case HTML_401 -> html(ex, 401, "Unauthorized", "A valid X509 certificate or proxy is needed");
            case JSON_500 -> flaskError(ex, 500, "(OperationalError) (2006, 'MySQL server has gone away')");
            default -> throw new IllegalStateException(f.toString());
        }
    }

    /** A Werkzeug 2.0 HTML error page (reference §4). */
    private static void html(HttpExchange ex, int status, String name, String description) throws IOException {
        String body = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>" + status + " " + name
                + "</title>\n<h1>" + name + "</h1>\n<p>" + description + "</p>\n";
        sendRaw(ex, status, "text/html; charset=utf-8", body, false);
    }

    private static final Map<Integer, String> REASONS = Map.ofEntries(Map.entry(400, "Bad Request"),
            Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"), Map.entry(405, "Method Not Allowed"),
            Map.entry(409, "Conflict"), Map.entry(419, "Authentication Timeout"), Map.entry(500, "Internal Server Error"));

    /** A Flask-level JSON error {@code {"status": "<code> <Name>", "message": "..."}} (reference §4). */
    private static void flaskError(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode o = F.objectNode();
        o.put("status", status + " " + REASONS.getOrDefault(status, "Error"));
        o.put("message", message);
        sendJson(ex, status, o, false);
    }

    private static void sendJson(HttpExchange ex, int status, JsonNode n, boolean streamed) throws IOException {
        sendRaw(ex, status, "application/json", PyJson.dumps(n), streamed);
    }

    private static void sendRaw(HttpExchange ex, int status, String contentType, String body, boolean streamed)
            throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, streamed ? 0 : b.length); // 0: chunked, no Content-Length (streamed lists)
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    private static String sha1Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ TLS (test only)

    private static SSLContext serverContext(TestPki.Layout pki) throws GeneralSecurityException, IOException {
        char[] pw = "test-only".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("host", pki.host().key(), pw, new Certificate[] {pki.host().cert(), caCert(pki)});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {new ProxyChainTrustManager(caCert(pki))},
                new SecureRandom());
        return ctx;
    }

    private static X509Certificate caCert(TestPki.Layout pki) throws IOException, GeneralSecurityException {
        try (InputStream in = java.nio.file.Files.newInputStream(pki.caCert())) {
            return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /**
     * TEST ONLY: accepts a client chain in which each certificate is within its validity and signed by the next, and the
     * last is signed by the test CA; RFC 3820 proxies included.
     */
    static final class ProxyChainTrustManager extends X509ExtendedTrustManager {
        private final X509Certificate ca;

        ProxyChainTrustManager(X509Certificate ca) {
            this.ca = ca;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no client certificate");
            }
            try {
                for (int i = 0; i < chain.length; i++) {
                    chain[i].checkValidity();
                    X509Certificate signer = i + 1 < chain.length ? chain[i + 1] : ca;
                    if (!chain[i].getIssuerX500Principal().equals(signer.getSubjectX500Principal())) {
                        throw new CertificateException("issuer of " + chain[i].getSubjectX500Principal() + " is not "
                                + signer.getSubjectX500Principal());
                    }
                    chain[i].verify(signer.getPublicKey());
                }
            } catch (GeneralSecurityException e) {
                throw new CertificateException("client chain refused: " + e.getMessage(), e);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("server side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("server side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("server side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[] {ca};
        }
    }
}
