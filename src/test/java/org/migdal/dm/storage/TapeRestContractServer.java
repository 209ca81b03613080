package org.migdal.dm.storage;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.Adler32;

/**
 * TEST CODE: a WebDAV tape endpoint over a real folder (HEAD with {@code Want-Digest: adler32}, GET, PUT, DELETE) that
 * also serves the WLCG Tape REST API the way the reference records it (storage-servers.md §1.4, §3.4):
 * <ul>
 *   <li>{@link Dialect#DCACHE}: the WebDAV door has no {@code /.well-known/wlcg-tape-rest-api} (404; only the frontend
 *       serves it), the API is at {@code /api/v1/tape} and must be configured; archiveinfo replies
 *       {@code [{"path":…,"locality":"TAPE"}]} with dCache's mapping (NEARLINE→TAPE, ONLINE→DISK,
 *       ONLINE_AND_NEARLINE→DISK_AND_TAPE);</li>
 *   <li>{@link Dialect#EOS}: {@code /.well-known/wlcg-tape-rest-api} names {@code /api/v1/} (version v1); archiveinfo at
 *       {@code /api/v1/archiveinfo/}, replies with the keys in EOS's order ({@code {"locality":"TAPE","path":…}}), a path
 *       it cannot resolve as {@code {"error":"USER ERROR: file does not exist or is not accessible to you","path":…}};
 *       errors of the whole request as {@code {"title","status","detail","type"}}.</li>
 * </ul>
 * The locality of each server path is set by the test ({@link #locality}); a path without one is answered DISK (written,
 * not yet archived). {@link #failArchiveInfo} makes the API answer 503 (the endpoint cannot answer).
 */
public final class TapeRestContractServer implements AutoCloseable {

    public enum Dialect { DCACHE, EOS }

    private final Dialect dialect;
    private final Path root;
    private final String basePath;
    private final DavScriptServer http;
    private final Map<String, String> locality = new ConcurrentHashMap<>();
    private final Map<String, String> errors = new ConcurrentHashMap<>();
    private final List<String> archiveInfoBodies = new CopyOnWriteArrayList<>();
    private volatile boolean failArchiveInfo;

    /** {@code basePath}: the server path the test's storage URL names, e.g. {@code /eos/antares/prod/migdal}. */
    public TapeRestContractServer(Dialect dialect, Path root, String basePath) throws IOException {
        this.dialect = dialect;
        this.root = root;
        this.basePath = basePath;
        this.http = DavScriptServer.plain(this::handle);
    }

    /** The storage URL of the base folder. */
    public String storageUrl() {
        return http.base() + basePath;
    }

    /** The Tape REST API endpoint URI (what discovery names; what {@code storage.tapeRestApi} is set to for dCache). */
    public URI tapeRestApi() {
        return URI.create(http.base() + (dialect == Dialect.DCACHE ? "/api/v1/tape" : "/api/v1/"));
    }

    /** Sets what archiveinfo says for a file (relative to the base), as the server spells it. */
    public void locality(String relative, String value) {
        locality.put(serverPath(relative), value);
    }

    /** archiveinfo answers this file with an {@code error} entry. */
    public void error(String relative, String message) {
        errors.put(serverPath(relative), message);
    }

    public void failArchiveInfo(boolean fail) {
        failArchiveInfo = fail;
    }

    /** The JSON bodies POSTed to archiveinfo, in order. */
    public List<String> archiveInfoBodies() {
        return List.copyOf(archiveInfoBodies);
    }

    /** How many requests of this method reached this path. */
    public int requests(String method, String path) {
        int n = 0;
        for (DavScriptServer.Request r : http.requests(method)) {
            String t = r.target.indexOf('?') < 0 ? r.target : r.target.substring(0, r.target.indexOf('?'));
            if (t.equals(path)) {
                n++;
            }
        }
        return n;
    }

    /** The Content-Type of every archiveinfo POST, in order. */
    public List<String> archiveInfoContentTypes() {
        List<String> out = new ArrayList<>();
        for (DavScriptServer.Request r : http.requests("POST")) {
            out.add(r.header("Content-Type"));
        }
        return out;
    }

    public String serverPath(String relative) {
        return basePath + (relative.startsWith("/") ? relative : "/" + relative);
    }

    private Path file(String serverPath) {
        String p = DavEndpoint.percentDecode(serverPath);
        return root.resolve(p.substring(1));
    }

    private void handle(DavScriptServer.Exchange x) throws IOException {
        String path = x.path();
        if (path.equals("/.well-known/wlcg-tape-rest-api") && x.method().equals("GET")) {
            if (dialect == Dialect.DCACHE) {
                // the dCache WebDAV door serves only security.txt under .well-known (storage-servers.md §1.4)
                x.respond(404, "Not Found", Map.of(), "");
                return;
            }
            x.respond(200, "OK", Map.of("Content-Type", "application/json"), "{\"sitename\":\"ANTARES\",\"description\":"
                    + "\"EOS+CTA test\",\"endpoints\":[{\"uri\":\"" + tapeRestApi() + "\",\"version\":\"v1\",\"metadata\":{}}]}");
            return;
        }
        if (x.method().equals("POST") && (path.equals("/api/v1/tape/archiveinfo") && dialect == Dialect.DCACHE
                || path.equals("/api/v1/archiveinfo/") && dialect == Dialect.EOS)) {
            archiveInfo(x);
            return;
        }
        if (!path.startsWith(basePath + "/")) {
            x.respond(404, "Not Found");
            return;
        }
        Path f = file(path);
        switch (x.method()) {
            case "HEAD" -> {
                if (!Files.isRegularFile(f)) {
                    x.respond(404, "Not Found");
                    return;
                }
                byte[] b = Files.readAllBytes(f);
                Map<String, String> h = new java.util.LinkedHashMap<>();
                h.put("Content-Length", String.valueOf(b.length));
                String want = x.header("Want-Digest");
                if (want != null && want.toLowerCase(Locale.ROOT).contains("adler32")) {
                    Adler32 a = new Adler32();
                    a.update(b);
                    h.put("Digest", "adler32=" + String.format(Locale.ROOT, "%08x", a.getValue()));
                }
                x.respond(200, "OK", h, null);
            }
            case "GET" -> {
                if (!Files.isRegularFile(f)) {
                    x.respond(404, "Not Found");
                    return;
                }
                byte[] b = Files.readAllBytes(f);
                x.respondRaw(("HTTP/1.1 200 OK\r\nContent-Length: " + b.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1), b);
            }
            case "PUT" -> {
                if ("100-continue".equals(x.header("Expect"))) {
                    x.sendContinue();
                }
                byte[] body = x.readBody();
                Files.createDirectories(f.getParent());
                Files.write(f, body);
                x.respond(201, "Created");
            }
            case "DELETE" -> {
                x.respond(Files.deleteIfExists(f) ? 204 : 404, "No Content");
            }
            case "MKCOL" -> {
                Files.createDirectories(f);
                x.respond(201, "Created");
            }
            case "MOVE" -> { // WebDAV MOVE as EOS and dCache answer it: 201 new, 204 replaced, 412 exists with Overwrite: F
                String dest = x.header("Destination");
                String destPath = java.net.URI.create(dest).getRawPath();
                Path to = file(destPath);
                if (!Files.isRegularFile(f)) {
                    x.respond(404, "Not Found");
                    return;
                }
                boolean existed = Files.exists(to);
                if (existed && "F".equalsIgnoreCase(x.header("Overwrite"))) {
                    x.respond(412, "Precondition Failed");
                    return;
                }
                Files.createDirectories(to.getParent());
                Files.move(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                x.respond(existed ? 204 : 201, existed ? "No Content" : "Created");
            }
            default -> x.respond(405, "Method Not Allowed");
        }
    }

    private void archiveInfo(DavScriptServer.Exchange x) throws IOException {
        String body = new String(x.readBody(), StandardCharsets.UTF_8);
        archiveInfoBodies.add(body);
        if (failArchiveInfo) {
            x.respond(503, "Service Unavailable", Map.of("Content-Type", "application/json"), dialect == Dialect.EOS
                    ? "{\"title\":\"Service unavailable\",\"status\":503,\"detail\":\"the tape REST API is disabled\",\"type\":null}"
                    : "{\"errors\":[{\"message\":\"frontend is restarting\"}]}");
            return;
        }
        if (!"application/json".equals(x.header("Content-Type"))) {
            x.respond(415, "Unsupported Media Type");
            return;
        }
        List<String> paths = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(
                body.substring(body.indexOf('[') + 1, body.lastIndexOf(']')));
        while (m.find()) {
            paths.add(m.group(1).replace("\\/", "/").replace("\\\"", "\""));
        }
        StringBuilder out = new StringBuilder("[");
        for (String p : paths) {
            if (out.length() > 1) {
                out.append(',');
            }
            String err = errors.get(p);
            if (err == null && !Files.isRegularFile(file(p))) {
                err = dialect == Dialect.EOS ? "USER ERROR: file does not exist or is not accessible to you" : "No such file or directory";
            }
            String loc = locality.getOrDefault(p, "DISK");
            if (dialect == Dialect.EOS) {
                out.append(err != null ? "{\"error\":\"" + err + "\",\"path\":\"" + p + "\"}"
                        : "{\"locality\":\"" + loc + "\",\"path\":\"" + p + "\"}");
            } else {
                out.append(err != null ? "{\"path\":\"" + p + "\",\"error\":\"" + err + "\"}"
                        : "{\"path\":\"" + p + "\",\"locality\":\"" + loc + "\"}");
            }
        }
        out.append(']');
        x.respond(200, "OK", Map.of("Content-Type", "application/json"), out.toString());
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
