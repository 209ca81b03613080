package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.migdal.dm.security.BearerToken;
import org.migdal.dm.security.CredentialException;
import org.migdal.dm.security.TlsContexts;
import org.migdal.dm.security.X509Credential;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A native client of the FTS3 REST API ({@code ../shared/reference/fts3.md}): probe, whoami, submission with
 * deterministic ids, bulk status, file listing, cancel, and X509 proxy delegation.
 *
 * <p>HTTPS only, HTTP/1.1, with the TLS context and parameters of {@link TlsContexts} (grid CA directory, host names
 * always verified). Authentication is the X509 proxy as TLS client identity ({@link X509Auth}), or an
 * {@code Authorization: Bearer} token ({@link TokenAuth}); tape jobs need X509 (reference §6) and are refused
 * client-side in token mode. Redirects are not followed (a token is never sent elsewhere).
 *
 * <p>Every failure is an {@link FtsException} with a {@link FtsException.Kind}. Typical use by a tape mover:
 * <pre>{@code
 * FtsClient fts = FtsClient.create(FtsClient.Settings.of(URI.create("https://lcgfts3.gridpp.rl.ac.uk:8446")),
 *         new FtsClient.X509Auth(ProxyLoader.load(proxyPath)), caDir, false);
 * fts.ensureDelegated();                               // 72 h, renewed under 2 h left
 * for (Submission s : new TapeSubmissionBuilder(...).add(...).build()) {
 *     SubmitResult r = fts.submit(s);                  // deterministic id: never a duplicate job
 * }
 * Map<String, JobLookup> status = fts.jobs(ids, FtsClient.POLL_FILE_FIELDS);   // one request per 100 jobs
 * }</pre>
 * Instances are thread-safe.
 */
public final class FtsClient {
    /** At most this many job ids in one bulk status request (reference §7 {@code fts_bulk}, §8 URL length). */
    public static final int MAX_IDS_PER_REQUEST = 100;

    /**
     * The file fields a poller needs: Rucio's set (§3.5) plus the archive times, and the size (measured and submitted)
     * and checksum that show a row is about our file.
     */
    public static final List<String> POLL_FILE_FIELDS = List.of("file_id", "file_state", "source_surl", "dest_surl",
            "start_time", "finish_time", "archive_start_time", "archive_finish_time", "staging_start", "staging_finished",
            "reason", "filesize", "user_filesize", "checksum", "retry", "file_metadata");

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final Pattern DLG_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern FIELD = Pattern.compile("[a-z_][a-z0-9_]{0,63}");

    /** How to authenticate. */
    public sealed interface Auth permits X509Auth, TokenAuth {
    }

    /** The X509 proxy (or certificate) as TLS client identity; the only mode that can submit tape jobs and delegate. */
    public record X509Auth(X509Credential credential) implements Auth {
        public X509Auth {
            Objects.requireNonNull(credential, "credential");
        }
    }

    /** A WLCG bearer token, asked for on every request so a refreshed token file is picked up. */
    public record TokenAuth(Supplier<BearerToken> token) implements Auth {
        public TokenAuth {
            Objects.requireNonNull(token, "token");
        }
    }

    /**
     * Client settings: the FTS3 endpoint ({@code https://host:8446}), connect and per-request timeouts, the delegation
     * lifetime and the remaining lifetime under which the proxy is delegated again, whether a 419 on submission makes
     * the client delegate and retry once, and the User-Agent.
     */
    public record Settings(URI endpoint, Duration connectTimeout, Duration requestTimeout, Duration delegationLifetime,
                           Duration renewBelow, boolean delegateOn419, String userAgent) {
        public Settings {
            Objects.requireNonNull(endpoint, "endpoint");
            if (!"https".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getHost() == null) {
                throw new IllegalArgumentException("the FTS3 endpoint must be an https:// URL with a host, e.g."
                        + " https://lcgfts3.gridpp.rl.ac.uk:8446 (got " + endpoint.getScheme() + "://" + endpoint.getHost() + ")");
            }
            if (endpoint.getRawUserInfo() != null || endpoint.getRawQuery() != null) {
                throw new IllegalArgumentException("the FTS3 endpoint must not carry user-info or a query");
            }
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(delegationLifetime, "delegationLifetime");
            Objects.requireNonNull(renewBelow, "renewBelow");
            if (userAgent == null || userAgent.isBlank()) {
                userAgent = "migdal-dm";
            }
        }

        /** Defaults: connect 30 s, request 120 s, delegation 72 h renewed under 2 h, delegate on 419. */
        public static Settings of(URI endpoint) {
            return new Settings(endpoint, Duration.ofSeconds(30), Duration.ofSeconds(120), Duration.ofHours(72),
                    Duration.ofHours(2), true, "migdal-dm");
        }

        public Settings withTimeouts(Duration connect, Duration request) {
            return new Settings(endpoint, connect, request, delegationLifetime, renewBelow, delegateOn419, userAgent);
        }

        public Settings withDelegation(Duration lifetime, Duration renewUnder) {
            return new Settings(endpoint, connectTimeout, requestTimeout, lifetime, renewUnder, delegateOn419, userAgent);
        }

        public Settings withDelegateOn419(boolean on) {
            return new Settings(endpoint, connectTimeout, requestTimeout, delegationLifetime, renewBelow, on, userAgent);
        }
    }

    private final Settings settings;
    private final Auth auth;
    private final HttpClient http;
    private final Clock clock;
    private volatile WhoAmI whoami;

    private FtsClient(Settings settings, Auth auth, HttpClient http, Clock clock) {
        this.settings = settings;
        this.auth = auth;
        this.http = http;
        this.clock = clock;
    }

    /**
     * A client for {@code settings.endpoint()}, trusting the CA certificates of {@code caDir} (plus the JDK's when
     * {@code alsoSystemTrust}). In X509 mode the proxy chain is the TLS client identity; in token mode no client
     * certificate is presented.
     */
    public static FtsClient create(Settings settings, Auth auth, Path caDir, boolean alsoSystemTrust) throws CredentialException {
        Optional<X509Credential> identity = auth instanceof X509Auth x ? Optional.of(x.credential()) : Optional.empty();
        SSLContext ssl = TlsContexts.create(identity, caDir, alsoSystemTrust);
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .sslContext(ssl)
                .sslParameters(TlsContexts.parameters())
                .build();
        return new FtsClient(settings, auth, http, Clock.systemUTC());
    }

    public Settings settings() {
        return settings;
    }

    public boolean isTokenMode() {
        return auth instanceof TokenAuth;
    }

    // ------------------------------------------------------------------ endpoint and identity

    /** {@code GET /}: the API, delegation, core and schema versions. */
    public Probe probe() throws FtsException {
        Reply r = send("GET", "/", null, null, null, Set.of(200));
        return parse(r, "GET", n -> {
            if (!n.isObject() || !n.has("api")) {
                throw new IllegalArgumentException("no \"api\" version in the reply to GET /; is this an FTS3 REST endpoint?");
            }
            return Probe.from(n);
        });
    }

    /** {@code GET /whoami}: DN, delegation id, VOs, method, base_id. The answer is kept for later calls. */
    public WhoAmI whoami() throws FtsException {
        Reply r = send("GET", "/whoami", null, null, null, Set.of(200));
        WhoAmI w = parse(r, "GET", n -> {
            if (!n.isObject()) {
                throw new IllegalArgumentException("the reply to /whoami is not an object");
            }
            return WhoAmI.from(n);
        });
        this.whoami = w;
        return w;
    }

    private WhoAmI cachedWhoami() throws FtsException {
        WhoAmI w = whoami;
        return w != null ? w : whoami();
    }

    // ------------------------------------------------------------------ submission

    /**
     * The job id FTS will give a deterministic submission with this sid: {@code uuid5(uuid5(base_id, vos[0]), sid)},
     * with base_id and vos[0] from {@code /whoami} (asked once). Record it before submitting, then a lost reply can
     * never lead to a second job.
     */
    public String expectedJobId(String sid) throws FtsException {
        WhoAmI w = cachedWhoami();
        if (w.baseId() == null || w.primaryVo() == null) {
            throw new FtsException(FtsException.Kind.OTHER, "GET", Http.join(settings.endpoint(), "/whoami", null), 200,
                    null, "/whoami gave no base_id or no VO, so deterministic job ids cannot be computed", null);
        }
        return DeterministicIds.jobId(w.baseId(), w.primaryVo(), sid);
    }

    /**
     * {@code POST /jobs}. Tape jobs ({@code archive_timeout > 0} or {@code bring_online > 0}) are refused in token mode.
     * For a deterministic submission (see {@link JobParams.Builder#deterministic}): a 409 "sid … duplicated" is
     * {@link SubmitResult.Outcome#ALREADY_SUBMITTED} with the deterministic id; a lost reply (timeout, connection cut,
     * 5xx) is followed by a lookup of the deterministic id ({@link SubmitResult.Outcome#RECOVERED} if found) and, if the
     * job is not there, one more POST, which the sid makes safe. In X509 mode a 419 makes the client delegate again
     * and retry once (unless {@link Settings#delegateOn419()} is off).
     */
    public SubmitResult submit(Submission submission) throws FtsException {
        URI url = Http.join(settings.endpoint(), "/jobs", null);
        if (isTokenMode() && submission.params().involvesTape()) {
            throw new FtsException(FtsException.Kind.BAD_REQUEST, "POST", url, 0, null,
                    "refused before sending: tape jobs (archive_timeout > 0 or bring_online > 0) need X509 proxy"
                            + " authentication and delegation; FTS3 does not poll tape with bearer tokens and answers 400"
                            + " \"Requests to archive to tape using token authentication are not supported\"."
                            + " Configure an X509 proxy (X509_USER_PROXY) for the FTS mover", null);
        }
        String expected = submission.params().isDeterministic() ? expectedJobId(submission.sid()) : null;
        try {
            return postOnce(submission, expected);
        } catch (FtsException e) {
            if (e.kind() == FtsException.Kind.DELEGATION && auth instanceof X509Auth && settings.delegateOn419()) {
                delegate(settings.delegationLifetime());
                try {
                    return postOnce(submission, expected);
                } catch (FtsException again) {
                    return recoverOrThrow(submission, expected, again, false);
                }
            }
            return recoverOrThrow(submission, expected, e, true);
        }
    }

    private SubmitResult recoverOrThrow(Submission submission, String expected, FtsException e, boolean mayRepost)
            throws FtsException {
        if (expected == null || e.kind() != FtsException.Kind.UNAVAILABLE) {
            throw e;
        }
        // The request may have reached the server and created the job (reference §8, rucio#1953): look it up.
        Optional<Job> existing;
        try {
            existing = job(expected);
        } catch (FtsException lookupFailed) {
            e.addSuppressed(lookupFailed);
            throw e;
        }
        if (existing.isPresent()) {
            return new SubmitResult(expected, SubmitResult.Outcome.RECOVERED, submission.sid());
        }
        if (!mayRepost) {
            throw e;
        }
        try {
            return postOnce(submission, expected);
        } catch (FtsException again) {
            again.addSuppressed(e);
            throw again;
        }
    }

    private SubmitResult postOnce(Submission submission, String expected) throws FtsException {
        byte[] body = submission.toJson().getBytes(StandardCharsets.UTF_8);
        Reply r;
        try {
            r = send("POST", "/jobs", null, body, "application/json", Set.of(200));
        } catch (FtsException e) {
            if (e.kind() == FtsException.Kind.CONFLICT && expected != null
                    && e.serverMessage().map(m -> m.toLowerCase(java.util.Locale.ROOT).contains("sid")).orElse(false)) {
                return new SubmitResult(expected, SubmitResult.Outcome.ALREADY_SUBMITTED, submission.sid());
            }
            throw e;
        }
        String id = parse(r, "POST", n -> {
            String s = FtsJson.text(n, "job_id");
            if (s == null || s.isBlank()) {
                throw new IllegalArgumentException("no job_id in the reply to POST /jobs");
            }
            return s;
        });
        return new SubmitResult(id, SubmitResult.Outcome.SUBMITTED, submission.sid());
    }

    /** The job submitted with this sid (deterministic id), if FTS knows it. */
    public Optional<Job> jobBySid(String sid) throws FtsException {
        return job(expectedJobId(sid));
    }

    // ------------------------------------------------------------------ status

    /** One job without its files; empty when FTS does not know it (404). */
    public Optional<Job> job(String jobId) throws FtsException {
        JobLookup l = jobs(List.of(jobId), List.of()).get(jobId);
        return switch (l.status()) {
            case FOUND -> Optional.of(l.job());
            case NOT_FOUND -> Optional.empty();
            case ERROR -> throw new FtsException(FtsException.Kind.OTHER, "GET",
                    Http.join(settings.endpoint(), "/jobs/" + jobId, null), 0, l.message(),
                    "job " + jobId + ": " + l.httpStatus(), null);
        };
    }

    /**
     * Bulk status: {@code GET /jobs/{id1},{id2},…?files=f1,f2,…}, at most {@value #MAX_IDS_PER_REQUEST} ids per
     * request, each id asked once. Handles 200, 207 (per-item {@code http_status}) and the single-id 404 whose body is
     * the per-job object; a non-list body is read as a list of one. Returns one {@link JobLookup} per distinct id, in
     * the order given: FOUND (with the requested file fields; none when {@code fileFields} is empty), NOT_FOUND, or
     * ERROR (e.g. "403 Forbidden", or the id missing from the reply).
     */
    public Map<String, JobLookup> jobs(List<String> jobIds, List<String> fileFields) throws FtsException {
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (String id : jobIds) {
            ids.add(checkJobId(id));
        }
        for (String f : fileFields) {
            if (!FIELD.matcher(f).matches()) {
                throw new IllegalArgumentException("not a file field name: " + f);
            }
        }
        String query = fileFields.isEmpty() ? null : "files=" + String.join(",", fileFields);
        Map<String, JobLookup> out = new LinkedHashMap<>();
        List<String> all = new ArrayList<>(ids);
        for (int i = 0; i < all.size(); i += MAX_IDS_PER_REQUEST) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + MAX_IDS_PER_REQUEST));
            out.putAll(jobChunk(chunk, query));
        }
        return out;
    }

    private Map<String, JobLookup> jobChunk(List<String> chunk, String query) throws FtsException {
        String path = "/jobs/" + String.join(",", chunk);
        Reply r = send("GET", path, query, null, null, Set.of(200, 207, 404));
        URI url = Http.join(settings.endpoint(), path, null);
        JsonNode body = r.json();
        if (r.status == 404) {
            // Only the single-id form answers a real 404, with the per-job object; anything else (an HTML page, a
            // Flask "not found") means the endpoint is wrong, and must not make jobs look lost.
            if (chunk.size() != 1 || body == null || !body.isObject() || !chunk.get(0).equals(FtsJson.text(body, "job_id"))) {
                throw new FtsException(FtsException.Kind.NOT_FOUND, "GET", url, 404, r.message(secret()),
                        "not the per-job 404 body of FTS3; check the endpoint URL", null);
            }
        }
        if (body == null || !(body.isArray() || body.isObject())) {
            throw new FtsException(FtsException.Kind.OTHER, "GET", url, r.status, r.message(secret()),
                    "the bulk status reply is not JSON", null);
        }
        List<JsonNode> items = new ArrayList<>();
        if (body.isArray()) {
            body.forEach(items::add);
        } else {
            items.add(body);
        }
        Map<String, JobLookup> got = new LinkedHashMap<>();
        for (JsonNode item : items) {
            String id = FtsJson.text(item, "job_id");
            if (id == null || !chunk.contains(id) || got.containsKey(id)) {
                continue;
            }
            got.put(id, lookup(id, item));
        }
        Map<String, JobLookup> out = new LinkedHashMap<>();
        for (String id : chunk) {
            out.put(id, got.getOrDefault(id, JobLookup.error(id, null,
                    "job " + id + " is missing from the server's reply (HTTP " + r.status + ")")));
        }
        return out;
    }

    private static JobLookup lookup(String id, JsonNode item) {
        String hs = FtsJson.text(item, "http_status");
        String hm = FtsJson.text(item, "http_message");
        if (hs == null ? item.has("job_state") : hs.startsWith("200")) {
            try {
                return JobLookup.found(Job.from(item));
            } catch (DateTimeParseException | IllegalArgumentException e) {
                return JobLookup.error(id, hs, "job " + id + ": unreadable reply (" + e.getMessage() + ")");
            }
        }
        if (hs != null && hs.startsWith("404")) {
            return JobLookup.notFound(id, hs, hm);
        }
        return JobLookup.error(id, hs, hm == null ? "job " + id + ": " + hs : hm);
    }

    /** {@code GET /jobs/{id}/files}: every file row of a job. A job FTS does not know is {@link FtsException.Kind#NOT_FOUND}. */
    public List<JobFile> files(String jobId) throws FtsException {
        Reply r = send("GET", "/jobs/" + checkJobId(jobId) + "/files", null, null, null, Set.of(200));
        return parse(r, "GET", n -> {
            List<JobFile> out = new ArrayList<>();
            if (n.isArray()) {
                n.forEach(x -> out.add(JobFile.from(x)));
            } else if (n.isObject()) {
                out.add(JobFile.from(n));
            }
            return List.copyOf(out);
        });
    }

    /**
     * {@code DELETE /jobs/{id}}. Active jobs become CANCELED; a job already terminal is answered 200 with
     * {@code "http_status": "304 Not Modified"} and comes back unchanged with {@code alreadyTerminal} set.
     */
    public CancelResult cancel(String jobId) throws FtsException {
        Reply r = send("DELETE", "/jobs/" + checkJobId(jobId), null, null, null, Set.of(200));
        Job j = parse(r, "DELETE", n -> Job.from(n.isArray() && n.size() > 0 ? n.get(0) : n));
        return new CancelResult(j, j.httpStatus() != null && j.httpStatus().startsWith("304"));
    }

    // ------------------------------------------------------------------ delegation

    /** {@code GET /delegation/{id}}: the delegated proxy's end and VOMS attributes, or empty when none ({@code null}, {@code []}, 404). */
    public Optional<DelegationInfo> delegationInfo(String delegationId) throws FtsException {
        checkDelegationId(delegationId);
        Reply r = send("GET", "/delegation/" + delegationId, null, null, null, Set.of(200, 404));
        if (r.status == 404 || r.body.length == 0) {
            return Optional.empty();
        }
        JsonNode n = r.json();
        if (n == null) {
            throw new FtsException(FtsException.Kind.OTHER, "GET", r.url, r.status, r.message(secret()),
                    "the delegation reply is not JSON", null);
        }
        if (n.isNull() || (n.isArray() && n.isEmpty()) || (n.isObject() && n.isEmpty())) {
            return Optional.empty();
        }
        if (n.isArray()) {
            n = n.get(0);
        }
        JsonNode obj = n;
        return Optional.of(parse(r, "GET", ignored -> {
            Instant t = FtsJson.time(obj, "termination_time");
            if (t == null) {
                throw new IllegalArgumentException("no termination_time in the delegation reply");
            }
            return new DelegationInfo(delegationId, t, FtsJson.strings(obj, "voms_attrs"));
        }));
    }

    /** {@code GET /delegation/{id}/request}: the server's CSR, whose self-signature is checked. */
    public PKCS10CertificationRequest delegationRequest(String delegationId) throws FtsException {
        checkDelegationId(delegationId);
        Reply r = send("GET", "/delegation/" + delegationId + "/request", null, null, null, Set.of(200));
        String echoed = r.header("X-Delegation-ID");
        if (echoed != null && !echoed.strip().equals(delegationId)) {
            throw new FtsException(FtsException.Kind.OTHER, "GET", r.url, r.status, null,
                    "the server answered for delegation id " + echoed.strip() + ", not " + delegationId, null);
        }
        try {
            return ProxyDelegation.parseAndVerifyCsr(new String(r.body, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new FtsException(FtsException.Kind.OTHER, "GET", r.url, r.status, null, e.getMessage(), e);
        }
    }

    /** {@code PUT /delegation/{id}/credential} with a PEM chain (no private key); the server answers 201. */
    public void putCredential(String delegationId, String pemChain) throws FtsException {
        checkDelegationId(delegationId);
        if (pemChain.contains("PRIVATE KEY")) {
            throw new IllegalArgumentException("a delegation upload must not contain a private key");
        }
        send("PUT", "/delegation/" + delegationId + "/credential", null, pemChain.getBytes(StandardCharsets.US_ASCII),
                null, Set.of(201));
    }

    /** Delegates now, whatever the server holds: request, sign for {@code lifetime} (capped by the chain), upload. */
    public DelegationStatus delegate(Duration lifetime) throws FtsException {
        X509Credential cred = requireX509("delegate");
        WhoAmI w = cachedWhoami();
        String dlg = w.delegationId();
        if (dlg == null) {
            throw new FtsException(FtsException.Kind.OTHER, "GET", Http.join(settings.endpoint(), "/whoami", null), 200,
                    null, "/whoami gave no delegation_id", null);
        }
        PKCS10CertificationRequest csr = delegationRequest(dlg);
        ProxyDelegation.SignedProxy signed;
        try {
            signed = ProxyDelegation.sign(cred, csr, lifetime, clock.instant());
        } catch (GeneralSecurityException e) {
            throw new FtsException(FtsException.Kind.AUTH, "PUT",
                    Http.join(settings.endpoint(), "/delegation/" + dlg + "/credential", null), 0, null,
                    "cannot sign the delegated proxy: " + e.getMessage(), e);
        }
        putCredential(dlg, ProxyDelegation.chainPem(signed.certificate(), cred.chain()));
        Instant end = delegationInfo(dlg).map(DelegationInfo::terminationTime)
                .orElse(signed.certificate().getNotAfter().toInstant());
        return new DelegationStatus(dlg, end, true, signed.cappedByChain(),
                signed.cappedByChain() ? "lifetime capped by the proxy chain, which ends " + cred.notAfter() : "");
    }

    /** {@link #ensureDelegated(Duration, Duration)} with the settings' lifetime (72 h default) and threshold (2 h). */
    public DelegationStatus ensureDelegated() throws FtsException {
        return ensureDelegated(settings.delegationLifetime(), settings.renewBelow());
    }

    /**
     * Delegates when the server has no delegated proxy for us, or it has expired, or it has less than
     * {@code renewBelow} left (reference §5). Call it every cycle, even without new submissions: archive monitoring
     * uses the delegated proxy for the whole archive window. In token mode there is nothing to delegate; the status
     * says so and tape jobs are refused by {@link #submit}.
     */
    public DelegationStatus ensureDelegated(Duration lifetime, Duration renewBelow) throws FtsException {
        if (isTokenMode()) {
            return new DelegationStatus(null, null, false, false,
                    "token authentication: nothing to delegate; tape jobs need an X509 proxy (reference §6)");
        }
        WhoAmI w = cachedWhoami(); // the delegation id depends only on the credential, which is fixed per client
        String dlg = w.delegationId();
        if (dlg == null) {
            throw new FtsException(FtsException.Kind.OTHER, "GET", Http.join(settings.endpoint(), "/whoami", null), 200,
                    null, "/whoami gave no delegation_id", null);
        }
        Optional<DelegationInfo> info = delegationInfo(dlg);
        Instant now = clock.instant();
        if (info.isPresent() && !info.get().needsRenewal(now, renewBelow)) {
            return new DelegationStatus(dlg, info.get().terminationTime(), false, false, "");
        }
        return delegate(lifetime);
    }

    // ------------------------------------------------------------------ plumbing

    private X509Credential requireX509(String what) throws FtsException {
        if (auth instanceof X509Auth x) {
            return x.credential();
        }
        throw new FtsException(FtsException.Kind.AUTH, null, settings.endpoint(), 0, null,
                "cannot " + what + " with token authentication: FTS answers 403 \"Certificate required\"", null);
    }

    private static String checkJobId(String id) {
        if (id == null || !JOB_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not an FTS job id: " + id);
        }
        return id;
    }

    private static void checkDelegationId(String id) {
        if (id == null || !DLG_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("not a delegation id: " + id);
        }
    }

    private String secret() {
        if (auth instanceof TokenAuth t) {
            try {
                BearerToken b = t.token().get();
                return b == null ? null : b.value();
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private record Reply(URI url, int status, byte[] body, String contentType, java.net.http.HttpHeaders headers) {
        JsonNode json() {
            if (body.length == 0) {
                return null;
            }
            try {
                return FtsJson.MAPPER.readTree(body);
            } catch (IOException e) {
                return null;
            }
        }

        String message(String secret) {
            return Http.serverMessage(body, contentType, secret);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    @FunctionalInterface
    private interface JsonReader<T> {
        T read(JsonNode n);
    }

    private <T> T parse(Reply r, String method, JsonReader<T> reader) throws FtsException {
        JsonNode n = r.json();
        if (n == null) {
            throw new FtsException(FtsException.Kind.OTHER, method, r.url, r.status, r.message(secret()),
                    "the reply is not JSON", null);
        }
        try {
            return reader.read(n);
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw new FtsException(FtsException.Kind.OTHER, method, r.url, r.status, null,
                    "unexpected reply: " + e.getMessage(), e);
        }
    }

    private Reply send(String method, String path, String query, byte[] body, String contentType, Set<Integer> accepted)
            throws FtsException {
        URI url = Http.join(settings.endpoint(), path, query);
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(settings.requestTimeout())
                .header("Accept", "application/json")
                .header("User-Agent", settings.userAgent());
        String secret = null;
        if (auth instanceof TokenAuth t) {
            BearerToken token = t.token().get();
            if (token == null || token.value() == null || token.value().isBlank()) {
                throw new FtsException(FtsException.Kind.AUTH, method, url, 0, null, "no bearer token available", null);
            }
            secret = token.value();
            b.header("Authorization", "Bearer " + secret);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new FtsException(FtsException.Kind.UNAVAILABLE, method, url, 0, null,
                    "no reply within " + settings.requestTimeout().toSeconds() + " s", e);
        } catch (IOException e) {
            Throwable tls = e;
            while (tls != null && !(tls instanceof javax.net.ssl.SSLException)) {
                tls = tls.getCause();
            }
            if (tls != null) {
                throw new FtsException(FtsException.Kind.TLS, method, url, 0, null, "TLS handshake with " + url.getHost()
                        + " failed: " + tls.getClass().getSimpleName() + (tls.getMessage() == null ? "" : ": "
                        + Http.redact(tls.getMessage(), secret)) + "; check the grid CA directory, the server's host"
                        + " certificate and our proxy", e);
            }
            throw new FtsException(FtsException.Kind.UNAVAILABLE, method, url, 0, null,
                    "connection failed: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + Http.redact(e.getMessage(), secret)), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FtsException(FtsException.Kind.UNAVAILABLE, method, url, 0, null, "interrupted", e);
        }
        byte[] bytes = resp.body() == null ? new byte[0] : resp.body();
        Reply r = new Reply(url, resp.statusCode(), bytes, resp.headers().firstValue("Content-Type").orElse(null), resp.headers());
        if (!accepted.contains(r.status)) {
            FtsException.Kind kind = FtsException.kindOf(r.status);
            String detail = r.status == 419 ? "delegate the proxy again" : null;
            if (r.status == 207) {
                detail = "partial failure";
            }
            throw new FtsException(kind, method, url, r.status, r.message(secret), detail, null);
        }
        return r;
    }
}
