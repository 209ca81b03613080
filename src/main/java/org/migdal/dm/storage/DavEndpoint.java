package org.migdal.dm.storage;

import org.migdal.dm.security.TlsContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.net.ssl.SSLContext;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * WebDAV storage as dCache and EOS serve it ({@code https://}, {@code davs://}; {@code http://}, {@code dav://} for
 * test servers), see {@code shared/reference/storage-servers.md}.
 *
 * <ul>
 *   <li>PUT ({@link DavPut}): exact {@code Content-Length}, {@code Expect: 100-continue} (none for 0 bytes: XrdHttp 5.5
 *       then never answers), no other {@code Content-*} header (a dCache pool answers 501); a {@code 307}/{@code 302}
 *       before the body is followed by re-sending the PUT to {@code Location} (dCache door → pool); 200, 201 and 204
 *       are success. Missing parents: the PUT is tried first (dCache and XrdHttp create parents); on 404/409 before
 *       the body, parents are made with MKCOL (201 made, 405 exists, 409 parent missing) and the PUT re-sent.
 *       The PUT goes to a temporary name beside the target; once HEAD confirms its size and adler32 it is MOVEd into
 *       place ({@link StagedUpload}); a failure removes only that temporary, never the target. Overwrite is refused
 *       unless asked: a HEAD before the upload and again before the MOVE ({@code EXISTS}), {@code Overwrite: F}
 *       and 412.</li>
 *   <li>Checksums: HEAD with {@code Want-Digest: adler32}; the {@code Digest} reply (RFC 3230 list, algorithm name in
 *       any case, hex with leading zeros stripped or base64) is normalised to 8 lower-case hex digits; a missing
 *       {@code Digest} is asked again a few times (dCache right after an upload).</li>
 *   <li>Everything but the PUT goes through {@link HttpClient} (HTTP/1.1), redirects followed by hand (at most
 *       {@value #MAX_HOPS}); the bearer token goes only to the configured host and port, and only over https.</li>
 * </ul>
 */
public final class DavEndpoint implements StorageEndpoint {
    private static final Logger log = LoggerFactory.getLogger(DavEndpoint.class);

    static final int MAX_HOPS = 5;
    private static final int EXCERPT = 300;
    private static final int ERROR_BODY_READ = 8 * 1024;

    /** Timeouts and retry settings. */
    public record Options(Duration connectTimeout, Duration requestTimeout, Duration expectWait, int digestAttempts,
                          Duration digestBackoff) {
        public static Options defaults() {
            return new Options(Duration.ofSeconds(15), Duration.ofMinutes(5), Duration.ofSeconds(30), 5,
                    Duration.ofMillis(300));
        }
    }

    private final URI base;
    private final URI wireBase;
    private final StorageAuth auth;
    private final Options options;
    private final SSLContext ssl;
    private final HttpClient http;
    private final Optional<String> token;
    /** The {@code Server} header of the latest reply: XrdHttp needs a raw MOVE {@code Destination}. */
    private volatile String server = "";
    private final TapeRestClient tapeRest;

    public DavEndpoint(URI base, StorageAuth auth) {
        this(base, auth, Options.defaults());
    }

    public DavEndpoint(URI base, StorageAuth auth, Options options) {
        this(base, auth, options, Optional.empty());
    }

    /** {@code tapeRestApi}: the WLCG Tape REST API ({@code storage.tapeRestApi}); empty: discovered through .well-known. */
    public DavEndpoint(URI base, StorageAuth auth, Options options, Optional<URI> tapeRestApi) {
        this.base = base;
        this.auth = auth;
        this.options = options;
        this.wireBase = wire(base);
        try {
            this.ssl = auth.sslContext().isPresent() ? auth.sslContext().get() : SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default TLS context in this JVM", e);
        }
        boolean https = "https".equals(wireBase.getScheme());
        if (auth.bearerToken().isPresent() && !https) {
            log.warn("{}: a bearer token is configured but the URL is not https; it will not be sent", base);
        }
        this.token = https ? auth.bearerToken() : Optional.empty();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // by hand: the token must not follow to another host
                .sslContext(ssl)
                .sslParameters(TlsContexts.parameters())
                .build();
        this.tapeRest = new TapeRestClient(wireBase, tapeRestApi, http, token, options.requestTimeout());
    }

    private static URI wire(URI base) {
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        String wireScheme = switch (scheme) {
            case "https", "davs" -> "https";
            case "http", "dav" -> "http";
            default -> throw new IllegalArgumentException("not a WebDAV URL (https://, davs://, http://, dav://): " + base);
        };
        if (base.getHost() == null) {
            throw new IllegalArgumentException("WebDAV URL " + base + " has no host");
        }
        if (base.getRawQuery() != null || base.getRawFragment() != null) {
            throw new IllegalArgumentException("WebDAV URL " + base + " must not have a query or fragment");
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return URI.create(wireScheme + "://" + base.getRawAuthority() + path);
    }

    @Override
    public URI base() {
        return base;
    }

    @Override
    public String toString() {
        return base.toString();
    }

    // ---------------------------------------------------------------- URLs

    /** The wire URL of a relative path: each segment percent-encoded (UTF-8), {@code .}/{@code ..} refused. */
    URI wireUri(String path) throws StorageException {
        return URI.create(wireBase + encodePath(segments(path)));
    }

    private URI wireDir(List<String> segs) {
        return URI.create(wireBase + encodePath(segs) + "/");
    }

    private List<String> segments(String path) throws StorageException {
        List<String> segs = new ArrayList<>();
        for (String s : path.split("/")) {
            if (s.isEmpty()) {
                continue;
            }
            if (s.equals(".") || s.equals("..")) {
                throw new StorageException(StorageException.Kind.DENIED, urlOf(path), "'.' and '..' are not allowed in storage paths");
            }
            if (s.indexOf('?') >= 0) {
                // XrdHttp 5.5 percent-decodes the path before splitting off the query: "a%3Fb" is stored as "a", and
                // HEAD/checksum then look at that same wrong name, so the upload would seem confirmed (DavEndpointIT)
                throw new StorageException(StorageException.Kind.OTHER, urlOf(path), "a '?' in a storage path is refused:"
                        + " XrdHttp would store the file under the name cut at the '?'");
            }
            segs.add(s);
        }
        if (segs.isEmpty()) {
            throw new StorageException(StorageException.Kind.DENIED, urlOf(path), "is the storage base itself, not a file under it");
        }
        return segs;
    }

    static String encodePath(List<String> segments) {
        StringBuilder sb = new StringBuilder();
        for (String s : segments) {
            sb.append('/').append(encodeSegment(s));
        }
        return sb.toString();
    }

    /** Percent-encodes everything but RFC 3986 unreserved characters. */
    static String encodeSegment(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    static String percentDecode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && Character.digit(s.charAt(i + 1), 16) >= 0
                    && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    b = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.writeBytes(b);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private boolean sameOrigin(URI u) {
        return wireBase.getScheme().equalsIgnoreCase(u.getScheme())
                && wireBase.getHost().equalsIgnoreCase(u.getHost())
                && port(wireBase) == port(u);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** The Authorization header for a request to {@code u}: only to the configured origin, only over https. */
    private Optional<String> authorization(URI u) {
        if (token.isPresent() && "https".equalsIgnoreCase(u.getScheme()) && sameOrigin(u)) {
            return Optional.of("Bearer " + token.get());
        }
        return Optional.empty();
    }

    /** A URL for messages: no query (a pool's redirect URL carries a capability there). */
    static String shown(URI u) {
        String s = u.toString();
        int q = s.indexOf('?');
        return q < 0 ? s : s.substring(0, q) + "?…";
    }

    // ---------------------------------------------------------------- generic request with redirects

    private record Result<T>(HttpResponse<T> response, URI finalUri) {
    }

    private <T> Result<T> send(String method, URI uri, Map<String, String> headers, String url,
                               HttpResponse.BodyHandler<T> handler) throws StorageException {
        URI current = uri;
        for (int hop = 0; hop <= MAX_HOPS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current)
                    .timeout(options.requestTimeout())
                    .method(method, HttpRequest.BodyPublishers.noBody());
            headers.forEach(b::header);
            authorization(current).ifPresent(a -> b.header("Authorization", a));
            HttpResponse<T> r;
            try {
                r = http.send(b.build(), handler);
            } catch (IOException e) {
                throw ioFailure(method, current, url, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(StorageException.Kind.TRANSIENT, url, method + " " + shown(current) + " interrupted", e);
            }
            int sc = r.statusCode();
            server = r.headers().firstValue("Server").orElse("");
            Optional<String> location = r.headers().firstValue("Location");
            if (isRedirect(sc) && location.isPresent()) {
                discard(r);
                URI next = resolve(current, location.get(), method, url);
                log.debug("{} {} redirected ({}) to {}", method, shown(current), sc, shown(next));
                current = next;
                continue;
            }
            return new Result<>(r, current);
        }
        throw new StorageException(StorageException.Kind.OTHER, url, method + " " + shown(uri) + ": more than " + MAX_HOPS
                + " redirects; giving up");
    }

    private static boolean isRedirect(int sc) {
        return sc == 301 || sc == 302 || sc == 303 || sc == 307 || sc == 308;
    }

    private URI resolve(URI current, String location, String method, String url) throws StorageException {
        URI next;
        try {
            next = current.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, method + " " + shown(current)
                    + " redirected to an unusable Location '" + excerpt(location) + "'");
        }
        String s = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!s.equals("https") && !s.equals("http")) {
            throw new StorageException(StorageException.Kind.OTHER, url, method + " " + shown(current)
                    + " redirected to a non-HTTP URL " + shown(next));
        }
        if ("https".equalsIgnoreCase(current.getScheme()) && s.equals("http")) {
            throw new StorageException(StorageException.Kind.DENIED, url, method + " " + shown(current)
                    + " redirected from https to plain http (" + shown(next) + "); refused");
        }
        return next;
    }

    private static void discard(HttpResponse<?> r) {
        if (r.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the connection is dropped either way
            }
        }
    }

    private StorageException ioFailure(String method, URI u, String url, IOException e) {
        return HttpFailures.of(e, url, method + " " + shown(u) + " failed: ", options.connectTimeout(), options.requestTimeout(),
                this::scrub);
    }

    /** A typed error for an unexpected status. */
    private StorageException statusFailure(String method, URI u, String url, int status, String reason, String body) {
        return new StorageException(kindOf(status, body), url, method + " " + shown(u) + " answered " + status
                + (reason == null || reason.isBlank() ? "" : " " + reason)
                + (body == null || body.isBlank() ? "" : ": " + excerpt(scrub(body))));
    }

    static StorageException.Kind kindOf(int status, String body) {
        if (status == 401 || status == 403) {
            return StorageException.Kind.DENIED;
        }
        if (status == 404 || status == 410) {
            return StorageException.Kind.NOT_FOUND;
        }
        if (status == 412) {
            return StorageException.Kind.EXISTS;
        }
        if (status == 507 || (status == 413 && body != null && body.toLowerCase(Locale.ROOT).contains("space"))) {
            return StorageException.Kind.NO_SPACE;
        }
        if (status == 501) {
            return StorageException.Kind.OTHER; // e.g. a dCache pool refusing a header: the same request fails again
        }
        if (status >= 500 || status == 408 || status == 429) {
            return StorageException.Kind.TRANSIENT;
        }
        return StorageException.Kind.OTHER;
    }

    private String bodyText(HttpResponse<?> r) {
        Object b = r.body();
        if (b instanceof byte[] bytes) {
            return new String(bytes, 0, Math.min(bytes.length, ERROR_BODY_READ), StandardCharsets.UTF_8);
        }
        if (b instanceof InputStream in) {
            try (in) {
                return new String(in.readNBytes(ERROR_BODY_READ), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }
        return "";
    }

    /** At most 300 characters on one line, control characters replaced. */
    static String excerpt(String body) {
        if (body == null) {
            return "";
        }
        String one = body.replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
        return one.length() <= EXCERPT ? one : one.substring(0, EXCERPT - 1) + "…";
    }

    /** Removes the token from text that goes into a message (a server may echo a request back). */
    private String scrub(String text) {
        if (text == null || auth.bearerToken().isEmpty() || auth.bearerToken().get().isEmpty()) {
            return text;
        }
        return text.replace(auth.bearerToken().get(), "<token>");
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 207 -> "Multi-Status";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 410 -> "Gone";
            case 412 -> "Precondition Failed";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 424 -> "Failed Dependency";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 507 -> "Insufficient Storage";
            default -> "";
        };
    }

    // ---------------------------------------------------------------- StorageEndpoint

    @Override
    public Optional<RemoteFile> stat(String path) throws StorageException {
        String url = urlOf(path);
        Result<byte[]> res = send("HEAD", wireUri(path), Map.of(), url, HttpResponse.BodyHandlers.ofByteArray());
        int sc = res.response().statusCode();
        if (sc == 404 || sc == 410) {
            return Optional.empty();
        }
        if (sc != 200) {
            throw statusFailure("HEAD", res.finalUri(), url, sc, reason(sc), bodyText(res.response()));
        }
        Optional<Long> len = contentLength(res.response().headers());
        if (len.isPresent()) {
            return Optional.of(new RemoteFile(path, len.get(), null, null));
        }
        // no Content-Length on HEAD: ask PROPFIND
        List<StorageEntry> one = propfind(wireUri(path), "0", url);
        if (one.isEmpty()) {
            return Optional.empty();
        }
        StorageEntry e = one.get(0);
        if (e.directory()) {
            throw new StorageException(StorageException.Kind.OTHER, url, "is a collection, not a file");
        }
        if (e.size() < 0) {
            throw new StorageException(StorageException.Kind.OTHER, url, "the server reports no size (no Content-Length on HEAD, no getcontentlength in PROPFIND)");
        }
        return Optional.of(new RemoteFile(path, e.size(), null, null));
    }

    private static Optional<Long> contentLength(HttpHeaders h) {
        Optional<String> v = h.firstValue("Content-Length");
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(v.get().trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    @Override
    public Checksum checksum(String path) throws StorageException {
        String url = urlOf(path);
        URI u = wireUri(path);
        int attempts = Math.max(1, options.digestAttempts());
        Duration wait = options.digestBackoff();
        for (int attempt = 1; ; attempt++) {
            Result<byte[]> res = send("HEAD", u, Map.of("Want-Digest", "adler32"), url, HttpResponse.BodyHandlers.ofByteArray());
            int sc = res.response().statusCode();
            if (sc != 200) {
                throw statusFailure("HEAD", res.finalUri(), url, sc, reason(sc), bodyText(res.response()));
            }
            List<String> digests = res.response().headers().allValues("Digest");
            Digest d = parseDigest(digests);
            if (d.adler32().isPresent()) {
                return Checksum.adler32(d.adler32().get());
            }
            if (d.malformed().isPresent()) {
                throw new StorageException(StorageException.Kind.OTHER, url, "HEAD " + shown(res.finalUri())
                        + ": the adler32 in 'Digest: " + excerpt(String.join(", ", digests)) + "' is neither hex nor base64 of 4 bytes");
            }
            if (!d.others().isEmpty()) {
                throw new StorageException(StorageException.Kind.OTHER, url, "HEAD " + shown(res.finalUri())
                        + " with Want-Digest: adler32 answered 'Digest: " + excerpt(String.join(", ", digests))
                        + "': no adler32 (only " + String.join(", ", d.others()) + "); is adler32 enabled on the storage?");
            }
            if (attempt >= attempts) {
                throw new StorageException(StorageException.Kind.TRANSIENT, url, "HEAD " + shown(res.finalUri())
                        + " with Want-Digest: adler32 answered " + sc + " without a Digest header " + attempts
                        + " times; the storage may still be computing it (retry later)");
            }
            log.debug("{}: no Digest yet (attempt {} of {}); asking again in {} ms", url, attempt, attempts, wait.toMillis());
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(StorageException.Kind.TRANSIENT, url, "interrupted while waiting for the Digest", e);
            }
            wait = wait.multipliedBy(2);
        }
    }

    /** What a {@code Digest} header (RFC 3230) says: the adler32, other algorithms named, or an unreadable adler32. */
    record Digest(Optional<String> adler32, Set<String> others, Optional<String> malformed) {
    }

    static Digest parseDigest(List<String> headerValues) {
        Set<String> others = new LinkedHashSet<>();
        Optional<String> malformed = Optional.empty();
        for (String header : headerValues) {
            for (String item : header.split(",")) {
                String it = item.trim();
                int eq = it.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = it.substring(0, eq).trim();
                String value = it.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                if (!name.equalsIgnoreCase("adler32")) {
                    others.add(name.toLowerCase(Locale.ROOT));
                    continue;
                }
                Optional<String> v = adler32Value(value);
                if (v.isPresent()) {
                    return new Digest(v, others, Optional.empty());
                }
                malformed = Optional.of(value);
            }
        }
        return new Digest(Optional.empty(), others, malformed);
    }

    /** Hex (1–8 digits, leading zeros possibly stripped, as EOS sends it) first, else base64 of exactly 4 bytes. */
    static Optional<String> adler32Value(String value) {
        if (value.matches("(0[xX])?[0-9a-fA-F]{1,8}")) {
            return Optional.of(Adler32s.normalise(value));
        }
        try {
            byte[] b = Base64.getDecoder().decode(value);
            if (b.length == 4) {
                long v = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
                return Optional.of(Adler32s.hex(v));
            }
        } catch (IllegalArgumentException e) {
            // not base64
        }
        return Optional.empty();
    }

    @Override
    public InputStream open(String path) throws StorageException {
        String url = urlOf(path);
        Result<InputStream> res = send("GET", wireUri(path), Map.of(), url, HttpResponse.BodyHandlers.ofInputStream());
        int sc = res.response().statusCode();
        if (sc != 200) {
            throw statusFailure("GET", res.finalUri(), url, sc, reason(sc), bodyText(res.response()));
        }
        return res.response().body();
    }

    @Override
    public void delete(String path) throws StorageException {
        String url = urlOf(path);
        Result<byte[]> res = send("DELETE", wireUri(path), Map.of(), url, HttpResponse.BodyHandlers.ofByteArray());
        int sc = res.response().statusCode();
        if (sc == 200 || sc == 202 || sc == 204 || sc == 404 || sc == 410) {
            return;
        }
        throw statusFailure("DELETE", res.finalUri(), url, sc, reason(sc), bodyText(res.response()));
    }

    /** The entries of a collection (PROPFIND Depth 1), without the collection itself. */
    @Override
    public List<StorageEntry> list(String dir) throws StorageException {
        String url = urlOf(dir);
        List<String> segs = new ArrayList<>();
        for (String s : dir.split("/")) {
            if (s.equals(".") || s.equals("..")) {
                throw new StorageException(StorageException.Kind.DENIED, url, "'.' and '..' are not allowed in storage paths");
            }
            if (!s.isEmpty()) {
                segs.add(s);
            }
        }
        URI u = segs.isEmpty() ? URI.create(wireBase + "/") : wireDir(segs);
        String self = normaliseDir("/" + String.join("/", segs));
        List<StorageEntry> out = new ArrayList<>();
        for (StorageEntry e : propfind(u, "1", url)) {
            if (!normaliseDir(e.path()).equals(self)) {
                out.add(e);
            }
        }
        return out;
    }

    private static String normaliseDir(String p) {
        String s = p;
        while (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s.isEmpty() ? "/" : s;
    }

    private List<StorageEntry> propfind(URI u, String depth, String url) throws StorageException {
        Result<byte[]> res = send("PROPFIND", u, Map.of("Depth", depth), url, HttpResponse.BodyHandlers.ofByteArray());
        int sc = res.response().statusCode();
        if (sc == 404 && "0".equals(depth)) {
            return List.of();
        }
        if (sc != 207) {
            throw statusFailure("PROPFIND", res.finalUri(), url, sc, reason(sc), bodyText(res.response()));
        }
        // XrdHttp (5.5.3 verified) writes hrefs as raw names, not percent-encoded as RFC 4918 asks: "a%20b" is a name
        boolean encodedHrefs = !res.response().headers().firstValue("Server").orElse("")
                .toLowerCase(Locale.ROOT).startsWith("xrootd");
        try {
            return parseMultistatus(res.response().body(), wireBase.getRawPath(), encodedHrefs);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "PROPFIND " + shown(res.finalUri())
                    + ": unreadable 207 reply (" + e.getMessage() + "): " + excerpt(bodyText(res.response())), e);
        }
    }

    private static final String DAV = "DAV:";

    /**
     * Parses a 207 multistatus (namespace-aware: any prefix for {@code DAV:}). Hrefs (paths or full URLs) are
     * percent-decoded and made relative to {@code basePath}; size is -1 where not given.
     */
    static List<StorageEntry> parseMultistatus(byte[] xml, String basePath) throws IOException {
        return parseMultistatus(xml, basePath, true);
    }

    /**
     * As {@link #parseMultistatus(byte[], String)}; with {@code encodedHrefs} false (XrdHttp) hrefs are taken as raw
     * names. An href with characters no encoded URI can hold (space, non-ASCII, …) is taken raw either way.
     */
    static List<StorageEntry> parseMultistatus(byte[] xml, String basePath, boolean encodedHrefs) throws IOException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(new ByteArrayInputStream(xml));
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException(e.getMessage(), e);
        }
        String bp = basePath == null ? "" : percentDecode(basePath);
        while (bp.endsWith("/")) {
            bp = bp.substring(0, bp.length() - 1);
        }
        List<StorageEntry> out = new ArrayList<>();
        NodeList responses = doc.getElementsByTagNameNS(DAV, "response");
        for (int i = 0; i < responses.getLength(); i++) {
            Element r = (Element) responses.item(i);
            Element href = child(r, "href");
            if (href == null) {
                continue;
            }
            String h = href.getTextContent().trim();
            String rawPath = h;
            if (h.contains("://") && encodedHrefs) {
                try {
                    rawPath = new URI(h).getRawPath();
                } catch (URISyntaxException e) {
                    throw new IOException("bad href '" + h + "'", e);
                }
            }
            boolean looksEncoded = rawPath.chars().allMatch(c -> c > 0x20 && c < 0x7f && "\"<>\\^`{|}".indexOf(c) < 0);
            String p = encodedHrefs && looksEncoded ? percentDecode(rawPath) : rawPath;
            if (!bp.isEmpty()) {
                if (!(p.equals(bp) || p.startsWith(bp + "/"))) {
                    continue; // outside the base: not ours to report
                }
                p = p.substring(bp.length());
            }
            if (p.isEmpty()) {
                p = "/";
            }
            long size = -1;
            boolean dir = false;
            java.time.Instant modified = null;
            for (Element ps : children(r, "propstat")) {
                Element status = child(ps, "status");
                if (status != null && !status.getTextContent().matches("(?s).*\\s2\\d\\d\\b.*")) {
                    continue; // properties the server does not have (404 propstat)
                }
                Element prop = child(ps, "prop");
                if (prop == null) {
                    continue;
                }
                Element len = child(prop, "getcontentlength");
                if (len != null && !len.getTextContent().isBlank()) {
                    try {
                        size = Long.parseLong(len.getTextContent().trim());
                    } catch (NumberFormatException e) {
                        throw new IOException("bad getcontentlength '" + excerpt(len.getTextContent()) + "' for " + h);
                    }
                }
                Element lm = child(prop, "getlastmodified");
                if (lm != null && !lm.getTextContent().isBlank()) {
                    try {
                        modified = java.time.ZonedDateTime.parse(lm.getTextContent().trim(),
                                java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    } catch (java.time.format.DateTimeParseException e) {
                        modified = null; // an unreadable time: the entry's age is unknown, so nothing acts on it
                    }
                }
                Element rt = child(prop, "resourcetype");
                if (rt != null && child(rt, "collection") != null) {
                    dir = true;
                }
                Element isColl = child(prop, "iscollection"); // XrdHttp's extra property, also in DAV:
                if (isColl != null && "1".equals(isColl.getTextContent().trim())) {
                    dir = true;
                }
            }
            String clean = dir ? normaliseDir(p) : p;
            out.add(new StorageEntry(clean, dir ? StorageEntry.Type.DIRECTORY : StorageEntry.Type.FILE, dir ? -1 : size,
                    modified));
        }
        return out;
    }

    private static Element child(Element parent, String localName) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && DAV.equals(e.getNamespaceURI()) && localName.equals(e.getLocalName())) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String localName) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && DAV.equals(e.getNamespaceURI()) && localName.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- collections

    /**
     * Makes the collection {@code segs} (relative to the base) and its missing parents: MKCOL 201 = made, 405 = exists;
     * 409 = a parent is missing, which is then made first. Never goes above the base.
     */
    void mkcols(List<String> segs, String url) throws StorageException {
        if (segs.isEmpty()) {
            return;
        }
        URI u = wireDir(segs);
        Result<byte[]> res = send("MKCOL", u, Map.of(), url, HttpResponse.BodyHandlers.ofByteArray());
        int sc = res.response().statusCode();
        if (sc == 201 || sc == 200 || sc == 204 || sc == 405) {
            return;
        }
        if (sc == 409 && segs.size() > 1) {
            mkcols(segs.subList(0, segs.size() - 1), url);
            Result<byte[]> again = send("MKCOL", u, Map.of(), url, HttpResponse.BodyHandlers.ofByteArray());
            int sc2 = again.response().statusCode();
            if (sc2 == 201 || sc2 == 200 || sc2 == 204 || sc2 == 405) {
                return;
            }
            throw statusFailure("MKCOL", again.finalUri(), url, sc2, reason(sc2), bodyText(again.response()));
        }
        throw statusFailure("MKCOL", res.finalUri(), url, sc, reason(sc), bodyText(res.response()));
    }

    // ---------------------------------------------------------------- PUT

    /** PUT to a temporary name, confirm it, MOVE it into place ({@link StagedUpload}); failures remove only the temporary. */
    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
        return put(source, size, path, overwrite, Fence.NONE);
    }

    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite, Fence fence) throws StorageException {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        segments(path);
        String url = urlOf(path);
        return StagedUpload.run(this, path, overwrite, fence, new StagedUpload.Steps() {
            @Override
            public Sent upload(String temp) throws StorageException {
                return putOnce(source, size, temp, url);
            }

            @Override
            public void rename(String temp, String target, boolean replace) throws StorageException {
                move(temp, target, replace, url);
            }
        });
    }

    @Override
    public void moveIntoPlace(String temp, String path, boolean overwrite, Fence fence) throws StorageException {
        segments(path);
        String url = urlOf(path);
        StorageNames.checkLength(path, url);
        if (!overwrite && stat(path).isPresent()) {
            throw new StorageException(StorageException.Kind.EXISTS, url, "already exists and overwrite was not asked");
        }
        fence.check();
        move(temp, path, overwrite, url);
    }

    /** One PUT of the whole source to {@code temp} (a new name), following redirects and making missing parents. */
    private Sent putOnce(InputStream source, long size, String temp, String url) throws StorageException {
        List<String> segs = segments(temp);
        URI target = wireUri(temp);
        DavPut.Source src = new DavPut.Source(source, size);
        DavPut.Limits limits = new DavPut.Limits(options.connectTimeout(), options.expectWait(), options.requestTimeout());
        boolean parentsMade = false;
        URI current = target;
        int hops = 0;
        while (true) {
            Map<String, String> headers = new LinkedHashMap<>();
            authorization(current).ifPresent(a -> headers.put("Authorization", a));
            DavPut.Reply r;
            try {
                // no Expect for an empty body: XrdHttp 5.5 sends 100 and then waits for a body forever
                r = DavPut.exchange(current, headers, src, size > 0, ssl, limits);
            } catch (DavPut.SourceProblem e) {
                throw new StorageException(e.sizeMismatch ? StorageException.Kind.CORRUPT : StorageException.Kind.OTHER, url,
                        "PUT " + shown(current) + " aborted: " + e.getMessage() + "; the connection was reset so the"
                                + " server cannot take it for a complete file", e);
            } catch (IOException e) {
                StorageException se = ioFailure("PUT", current, url, e);
                throw new StorageException(se.kind(), url, stripUrl(se, url), e);
            }
            int sc = r.status();
            if (sc == 200 || sc == 201 || sc == 204) {
                if (size > 0 && !r.bodySent()) {
                    throw new StorageException(StorageException.Kind.OTHER, url, "PUT " + shown(current) + " answered " + sc
                            + " before any of the " + size + " bytes were sent; nothing was uploaded");
                }
                log.debug("PUT {} -> {} ({} bytes, adler32 {})", shown(current), sc, src.read, src.adler32());
                return new Sent(src.read, src.adler32());
            }
            if (isRedirect(sc) && sc != 303 && r.header("Location") != null) {
                if (src.consumed) {
                    throw new StorageException(StorageException.Kind.OTHER, url, "PUT " + shown(current) + " answered " + sc
                            + " (redirect to " + shown(resolve(current, r.header("Location"), "PUT", url))
                            + ") after the body had been sent; a stream cannot be sent twice, so the upload failed");
                }
                if (++hops > MAX_HOPS) {
                    throw new StorageException(StorageException.Kind.OTHER, url, "PUT " + shown(target) + ": more than "
                            + MAX_HOPS + " redirects; giving up");
                }
                URI next = resolve(current, r.header("Location"), "PUT", url);
                log.debug("PUT {} redirected ({}) to {}", shown(current), sc, shown(next));
                current = next;
                continue;
            }
            if ((sc == 404 || sc == 409) && !src.consumed && !parentsMade && segs.size() > 1) {
                // the storage does not create parents (or a parent is missing): make them, then PUT again at the start
                mkcols(segs.subList(0, segs.size() - 1), url);
                parentsMade = true;
                current = target;
                hops = 0;
                continue;
            }
            StorageException se = statusFailure("PUT", current, url, sc, r.reason(), r.body());
            throw new StorageException(se.kind(), url, stripUrl(se, url));
        }
    }

    /**
     * MOVE {@code temp} onto {@code path} ({@code Overwrite: F} unless replacing; 201/204 = done, 412 = the target
     * exists). Stock XRootD ignores {@code Overwrite: F}, which is why the target is checked just before; XrdHttp 5.5
     * also takes the {@code Destination} path without percent-decoding it (a name with a space or a non-ASCII
     * character would land under its encoded form, verified), so it is sent raw to XrdHttp, encoded to anything else.
     */
    private void move(String temp, String path, boolean overwrite, String url) throws StorageException {
        URI from = wireUri(temp);
        boolean xrdHttp = server.toLowerCase(Locale.ROOT).startsWith("xrootd");
        String destination;
        if (xrdHttp) {
            String raw = wireBase.getScheme() + "://" + wireBase.getRawAuthority() + percentDecode(wireBase.getRawPath())
                    + "/" + String.join("/", segments(path));
            destination = new String(raw.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
        } else {
            destination = wireUri(path).toString();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Destination", destination);
        headers.put("Overwrite", overwrite ? "T" : "F");
        authorization(from).ifPresent(a -> headers.put("Authorization", a));
        DavPut.Reply r;
        try {
            r = DavPut.bodiless("MOVE", from, headers, ssl,
                    new DavPut.Limits(options.connectTimeout(), options.expectWait(), options.requestTimeout()));
        } catch (IOException e) {
            StorageException se = ioFailure("MOVE", from, url, e);
            throw new StorageException(se.kind(), url, "rename into place failed: " + stripUrl(se, url), e);
        }
        int sc = r.status();
        if (sc == 200 || sc == 201 || sc == 204) {
            return;
        }
        if (sc == 412) {
            throw new StorageException(StorageException.Kind.EXISTS, url, "MOVE " + shown(from) + " into place"
                    + " answered 412 " + reason(sc) + ": the target exists and "
                    + (overwrite ? "the storage refuses to replace it" : "overwrite was not asked"));
        }
        StorageException se = statusFailure("MOVE", from, url, sc, r.reason(), r.body());
        throw new StorageException(se.kind(), url, "rename into place failed: " + stripUrl(se, url));
    }

    private static String stripUrl(StorageException e, String url) {
        String m = e.getMessage();
        return m.startsWith(url + ": ") ? m.substring(url.length() + 2) : m;
    }
    // ---------------------------------------------------------------- tape residency

    /**
     * Asked through the WLCG Tape REST API ({@link TapeRestClient}): WebDAV itself has no tape residency, and the
     * {@code FileLocality} dCache shows in PROPFIND is no proof ({@code NEARLINE} is also given to disk-only files).
     */
    @Override
    public TapeResidency tapeResidency(String path, RemoteFile stat) throws StorageException {
        return tapeRest.archiveInfo(serverPath(path), urlOf(path));
    }

    /** The path the server knows a file by (what archiveinfo is asked about): the base URL's path plus the relative path. */
    String serverPath(String path) throws StorageException {
        String basePath = percentDecode(wireBase.getRawPath() == null ? "" : wireBase.getRawPath());
        return (basePath + "/" + String.join("/", segments(path))).replaceAll("/{2,}", "/");
    }
}
