package org.migdal.dm.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The WLCG Tape REST API's {@code archiveinfo}, as gfal2 and FTS use it (storage-servers.md §1.4, §3.4): the API is the
 * configured {@code storage.tapeRestApi}, or is discovered once through {@code GET /.well-known/wlcg-tape-rest-api} on
 * the storage's host and port (highest version ≤ v1). Then {@code POST <api>/archiveinfo} with
 * {@code {"paths":["/server/path"]}} is answered {@code [{"path":…,"locality":…}]} or {@code [{"path":…,"error":…}]}.
 * Only locality {@code TAPE} or {@code DISK_AND_TAPE} is a tape copy; {@code DISK}, {@code NONE}, {@code LOST},
 * {@code UNAVAILABLE}, any other word (dCache's own {@code NEARLINE} included) and a per-path error are not.
 * A reply that is not 200 or not the documented JSON is a {@link StorageException}: the endpoint could not answer.
 *
 * <p>The bearer token goes only over https, to the configured API, or to a discovered API on the storage's own host.
 * Redirects are not followed.
 */
final class TapeRestClient {
    static final String WELL_KNOWN = "/.well-known/wlcg-tape-rest-api";
    private static final int EXCERPT = 300;

    /** The API to use and how it was found (for the evidence). */
    record Api(URI uri, boolean configured) {
        URI archiveInfo() {
            String s = uri.toString();
            return URI.create(s.endsWith("/") ? s + "archiveinfo/" : s + "/archiveinfo");
        }
    }

    private final URI storage;
    private final Optional<URI> configured;
    private final HttpClient http;
    private final Optional<String> token;
    private final Duration timeout;
    private final ObjectMapper json = new ObjectMapper();
    private Api discovered;
    private String notOffered;

    /**
     * @param storage    the storage's wire base (its scheme, host and port are where discovery asks)
     * @param configured {@code storage.tapeRestApi}, if set: no discovery then
     * @param token      the bearer token, if any
     */
    TapeRestClient(URI storage, Optional<URI> configured, HttpClient http, Optional<String> token, Duration timeout) {
        this.storage = storage;
        this.configured = configured;
        this.http = http;
        this.token = token;
        this.timeout = timeout;
    }

    /** The archiveinfo answer for one server path; {@code url} names the file in messages. */
    TapeResidency archiveInfo(String serverPath, String url) throws StorageException {
        Optional<Api> api = api(url);
        if (api.isEmpty()) {
            return TapeResidency.notOffered(notOffered);
        }
        URI post = api.get().archiveInfo();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.putArray("paths").add(serverPath);
        HttpRequest.Builder b = HttpRequest.newBuilder(post).timeout(timeout)
                .header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        authorization(api.get()).ifPresent(a -> b.header("Authorization", a));
        HttpResponse<String> r = send(b.build(), "POST", post, url);
        if (r.statusCode() != 200) {
            throw new StorageException(DavEndpoint.kindOf(r.statusCode(), r.body()), url, "Tape REST API archiveinfo POST " + post
                    + " answered " + r.statusCode() + detail(r.body()));
        }
        JsonNode reply = parse(r.body(), "archiveinfo POST " + post, url);
        if (!reply.isArray()) {
            throw new StorageException(StorageException.Kind.OTHER, url, "Tape REST API archiveinfo POST " + post
                    + " answered 200 with something other than a JSON array: " + excerpt(r.body()));
        }
        String want = normalise(serverPath);
        for (JsonNode entry : reply) {
            if (!entry.path("path").isTextual() || !normalise(entry.path("path").asText()).equals(want)) {
                continue;
            }
            JsonNode err = entry.get("error");
            if (err != null && !err.isNull() && !err.asText().isEmpty()) {
                return TapeResidency.notOnTape("archiveinfo error \"" + excerpt(err.asText()) + "\" for " + serverPath + " at " + post);
            }
            String locality = entry.path("locality").asText("");
            String upper = locality.toUpperCase(Locale.ROOT);
            if (upper.equals("TAPE") || upper.equals("DISK_AND_TAPE")) {
                return TapeResidency.onTape("archiveinfo locality " + upper + " at " + post);
            }
            return TapeResidency.notOnTape("archiveinfo locality " + (locality.isEmpty() ? "(none given)" : excerpt(locality))
                    + " at " + post + " (only TAPE or DISK_AND_TAPE is a tape copy)");
        }
        throw new StorageException(StorageException.Kind.OTHER, url, "Tape REST API archiveinfo POST " + post
                + " answered without an entry for " + serverPath + ": " + excerpt(r.body()));
    }

    /** The configured API, or the discovered one (asked once; a server without one is remembered too). */
    private synchronized Optional<Api> api(String url) throws StorageException {
        if (configured.isPresent()) {
            return Optional.of(new Api(configured.get(), true));
        }
        if (discovered != null) {
            return Optional.of(discovered);
        }
        if (notOffered != null) {
            return Optional.empty();
        }
        URI wellKnown = URI.create(storage.getScheme() + "://" + storage.getRawAuthority() + WELL_KNOWN);
        HttpRequest req = HttpRequest.newBuilder(wellKnown).timeout(timeout).header("Accept", "application/json").GET().build();
        HttpResponse<String> r = send(req, "GET", wellKnown, url);
        if (r.statusCode() == 404 || r.statusCode() == 410) {
            notOffered = "no WLCG Tape REST API: GET " + wellKnown + " answered " + r.statusCode() + " (a dCache WebDAV door"
                    + " does not serve it; its frontend does, e.g. https://HOST:3880/api/v1/tape) and storage.tapeRestApi is not set";
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw new StorageException(DavEndpoint.kindOf(r.statusCode(), r.body()), url, "Tape REST API discovery GET "
                    + wellKnown + " answered " + r.statusCode() + detail(r.body()));
        }
        JsonNode doc = parse(r.body(), "discovery GET " + wellKnown, url);
        URI best = null;
        int bestVersion = -1;
        for (JsonNode e : doc.path("endpoints")) {
            String v = e.path("version").asText("");
            String u = e.path("uri").asText("");
            if (!v.matches("v\\d+") || u.isEmpty()) {
                continue;
            }
            int n = Integer.parseInt(v.substring(1));
            if (n <= 1 && n > bestVersion) {
                try {
                    best = wellKnown.resolve(new URI(u));
                    bestVersion = n;
                } catch (java.net.URISyntaxException ex) {
                    // an unusable entry: look at the others
                }
            }
        }
        if (best == null) {
            notOffered = "no WLCG Tape REST API of version v0 or v1: GET " + wellKnown + " answered " + excerpt(r.body())
                    + " and storage.tapeRestApi is not set";
            return Optional.empty();
        }
        String scheme = best.getScheme() == null ? "" : best.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || "https".equalsIgnoreCase(storage.getScheme()) && scheme.equals("http")) {
            throw new StorageException(StorageException.Kind.OTHER, url, "Tape REST API discovery GET " + wellKnown
                    + " names " + best + ", which is not an https URL like the storage's; refused");
        }
        discovered = new Api(best, false);
        return Optional.of(discovered);
    }

    /** The bearer token: over https only, to the configured API or a discovered one on the storage's own host. */
    private Optional<String> authorization(Api api) {
        if (token.isEmpty() || !"https".equalsIgnoreCase(api.uri().getScheme())) {
            return Optional.empty();
        }
        if (api.configured() || storage.getHost().equalsIgnoreCase(api.uri().getHost())) {
            return Optional.of("Bearer " + token.get());
        }
        return Optional.empty();
    }

    private HttpResponse<String> send(HttpRequest req, String method, URI u, String url) throws StorageException {
        String what = "Tape REST API " + method + " " + u + " failed: ";
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw HttpFailures.of(e, url, what, timeout, timeout, this::scrub);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(StorageException.Kind.TRANSIENT, url, what + "interrupted", e);
        }
    }

    private JsonNode parse(String body, String what, String url) throws StorageException {
        try {
            return json.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "Tape REST API " + what + " answered 200 with no JSON: "
                    + excerpt(body));
        }
    }

    /** An error reply's words: EOS's {@code detail}/{@code title}, else the body's start. */
    private String detail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode n = json.readTree(body);
            String d = n.path("detail").asText(n.path("title").asText(""));
            if (!d.isEmpty()) {
                return ": " + excerpt(d);
            }
        } catch (JsonProcessingException e) {
            // not JSON: the text itself
        }
        return ": " + excerpt(body);
    }

    private String excerpt(String text) {
        String one = scrub(text == null ? "" : text).replaceAll("[\\p{Cntrl}\\s]+", " ").trim();
        return one.length() <= EXCERPT ? one : one.substring(0, EXCERPT - 1) + "…";
    }

    private String scrub(String text) {
        return token.isEmpty() || token.get().isEmpty() ? text : text.replace(token.get(), "<token>");
    }

    private static String normalise(String path) {
        return path.replaceAll("/{2,}", "/");
    }
}
