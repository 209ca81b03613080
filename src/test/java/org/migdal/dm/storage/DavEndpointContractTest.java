package org.migdal.dm.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.security.TlsContexts;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * dCache and EOS behaviours that the stock XRootD test server cannot show (storage-servers.md §1, §3.5, §5), played
 * by a scripted HTTP server on 127.0.0.1 that works at byte level: 307 before the body, 501 on Content-Type at the
 * pool, 201/200/204, a Digest missing at first, {@code Adler32=} without leading zeros, base64, md5 only, 507/503,
 * MKCOL 405/409, PROPFIND with D:/lp1: prefixes, and the token kept from other hosts on redirect.
 */
class DavEndpointContractTest {
    private static final Duration QUIET = Duration.ofSeconds(10);
    private static final String TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.secret-test-token.sig";

    @TempDir
    Path tmp;

    private final List<DavScriptServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() throws IOException {
        for (DavScriptServer s : servers) {
            s.close();
        }
    }

    private DavScriptServer plain(DavScriptServer.Handler h) throws IOException {
        DavScriptServer s = DavScriptServer.plain(h);
        servers.add(s);
        return s;
    }

    private static DavEndpoint.Options fast() {
        return new DavEndpoint.Options(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10), 3,
                Duration.ofMillis(1));
    }

    private static DavEndpoint endpoint(String base) {
        return new DavEndpoint(URI.create(base), StorageAuth.none(), fast());
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

    /** A dCache pool: 501 on any Content-* header but Content-Length/Content-MD5, 100 on Expect, 201 + Digest. */
    private static void pool(DavScriptServer.Exchange x) throws IOException {
        for (String l : x.req.headerLines) {
            String name = l.substring(0, l.indexOf(':')).trim();
            if (name.toLowerCase().startsWith("content-") && !name.equalsIgnoreCase("Content-Length")
                    && !name.equalsIgnoreCase("Content-MD5")) {
                x.respond(501, "Not Implemented", Map.of(), name + " is not implemented");
                return;
            }
        }
        if ("100-continue".equals(x.header("Expect"))) {
            x.sendContinue();
        }
        byte[] body = x.readBody();
        x.respond(201, "Created", Map.of("Digest", "adler32=" + adler(body)), body.length + " bytes uploaded");
    }

    /**
     * The storage side of a staged upload, shared by a door and its pool: a complete PUT to a temporary name is kept,
     * HEAD on it answers its size and adler32, MOVE into place and DELETE of it succeed (and are recorded); everything
     * else goes to the test's script.
     */
    static final class Staging {
        final Map<String, byte[]> temps = new java.util.concurrent.ConcurrentHashMap<>();
        final List<String> moves = new java.util.concurrent.CopyOnWriteArrayList<>();

        DavScriptServer.Handler around(DavScriptServer.Handler script) {
            return x -> {
                if (!StorageNames.isTemp(StorageNames.lastComponent(x.path()))) {
                    script.handle(x);
                    return;
                }
                switch (x.method()) {
                    case "PUT" -> {
                        script.handle(x);
                        if (x.req.bodyComplete) {
                            temps.put(x.path(), x.req.bodyBytes());
                        }
                    }
                    case "HEAD" -> {
                        byte[] b = temps.get(x.path());
                        if (b == null) {
                            x.respond(404, "Not Found");
                        } else {
                            x.respond(200, "OK", Map.of("Content-Length", String.valueOf(b.length), "Digest", "adler32=" + adler(b)), "");
                        }
                    }
                    case "MOVE" -> {
                        moves.add(x.path() + " -> " + x.header("Destination") + " Overwrite: " + x.header("Overwrite"));
                        script.handle(x);
                    }
                    case "DELETE" -> {
                        temps.remove(x.path());
                        x.respond(204, "No Content");
                    }
                    default -> script.handle(x);
                }
            };
        }
    }

    private static final String TEMP = "\\.mdm-[a-z2-7]{12}\\.part";

    // ---------------------------------------------------------------- PUT: redirect, headers, statuses

    @Test
    void putWithExpectIsRedirectedByTheDoorAndResentWithTheBodyToThePool() throws Exception {
        Staging staging = new Staging();
        DavScriptServer poolServer = plain(staging.around(DavEndpointContractTest::pool));
        DavScriptServer door = plain(staging.around(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
            } else if (x.method().equals("MOVE")) {
                x.respond(201, "Created");
            } else if (x.method().equals("PUT") && "100-continue".equals(x.header("Expect"))) {
                x.respond(307, "Temporary Redirect", Map.of("Location", poolServer.base() + x.path()
                        + "?dcache-http-uuid=0a1b2c&dcache-http-ref=door"), "");
                x.countLateBytes();
            } else {
                x.readBody(); // without Expect the door proxies: a client that never waits ends up here
                x.respond(201, "Created");
            }
        }));
        byte[] data = bytes(300_000, 1);

        StorageEndpoint.Sent sent = endpoint(door.base() + "/pnfs/migdal").put(new ByteArrayInputStream(data), data.length,
                "/2208/220803/run 1.dat", false);

        assertThat(sent).isEqualTo(new StorageEndpoint.Sent(data.length, Checksum.adler32(adler(data))));
        door.awaitQuiet(QUIET);
        DavScriptServer.Request doorPut = door.requests("PUT").get(0);
        assertThat(doorPut.headerLines).contains("Expect: 100-continue", "Content-Length: " + data.length);
        assertThat(doorPut.bytesAfterReply).as("body bytes sent to the door after its 307").isZero();
        assertThat(door.requests("PUT")).hasSize(1);
        DavScriptServer.Request poolPut = poolServer.requests("PUT").get(0);
        assertThat(poolPut.target).as("the bytes go to a short temporary name beside the target")
                .matches("/pnfs/migdal/2208/220803/" + TEMP + "\\?dcache-http-uuid=0a1b2c&dcache-http-ref=door");
        assertThat(staging.moves).singleElement().asString().matches("/pnfs/migdal/2208/220803/" + TEMP + " -> "
                + java.util.regex.Pattern.quote(door.base() + "/pnfs/migdal/2208/220803/run%201.dat") + " Overwrite: F");
        assertThat(poolPut.bodyBytes()).isEqualTo(data);
        assertThat(poolPut.headerLines).contains("Expect: 100-continue", "Content-Length: " + data.length);
        assertThat(poolPut.headerLines).noneMatch(l -> l.toLowerCase().startsWith("content-") && !l.startsWith("Content-Length: "));
        assertThat(poolPut.headerLines).noneMatch(l -> l.toLowerCase().startsWith("transfer-encoding"));
    }

    @Test
    void theScriptedPoolReallyRefusesContentType() throws Exception {
        // the pool script is what proves the endpoint sends no Content-Type; make sure it would notice one
        DavScriptServer p = plain(DavEndpointContractTest::pool);
        java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> r = c.send(java.net.http.HttpRequest.newBuilder(URI.create(p.base() + "/x"))
                .header("Content-Type", "application/octet-stream")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("abc")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(501);
        assertThat(r.body()).contains("Content-Type is not implemented");
    }

    @Test
    void aPoolAnswering501IsAnErrorWithTheReasonInTheMessage() throws Exception {
        DavScriptServer s = plain(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
            } else {
                x.respond(501, "Not Implemented", Map.of(), "Content-Language is not implemented");
            }
        });
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).put(new ByteArrayInputStream(new byte[10]), 10, "/f", false),
                StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.OTHER);
        assertThat(e.getMessage()).contains("PUT", "501", "Not Implemented", "Content-Language is not implemented", s.base() + "/f");
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 201, 204})
    void anyOf200And201And204IsSuccessForPut(int status) throws Exception {
        DavScriptServer s = plain(new Staging().around(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
                return;
            }
            if (x.method().equals("MOVE")) {
                x.respond(status, "Whatever");
                return;
            }
            x.sendContinue();
            x.readBody();
            x.respond(status, "Whatever", Map.of(), status == 204 ? "" : ":-)");
        }));
        byte[] data = bytes(1000, status);
        assertThat(endpoint(s.base()).put(new ByteArrayInputStream(data), data.length, "/a.bin", false).adler32().value())
                .isEqualTo(adler(data));
        assertThat(s.requests("PUT").get(0).bodyComplete).isTrue();
    }

    @Test
    void emptyFileIsSentWithoutExpectBecauseXrdHttpWouldWaitForeverAfter100() throws Exception {
        DavScriptServer s = plain(new Staging().around(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
                return;
            }
            x.readBody();
            x.respond(201, "Created");
        }));
        assertThat(endpoint(s.base()).put(new ByteArrayInputStream(new byte[0]), 0, "/empty", false))
                .isEqualTo(new StorageEndpoint.Sent(0, Checksum.adler32("00000001")));
        assertThat(s.requests("PUT").get(0).headerLines).contains("Content-Length: 0").noneMatch(l -> l.startsWith("Expect"));
    }

    @Test
    void aServerIgnoringExpectGetsTheBodyAfterTheWaitAndARedirectThenCannotBeFollowed() throws Exception {
        DavScriptServer s = plain(x -> {
            switch (x.method()) {
                case "HEAD" -> x.respond(404, "Not Found");
                case "PUT" -> {
                    x.readBody(); // no 100: the client must send the body after its wait
                    x.respond(307, "Temporary Redirect", Map.of("Location", "/elsewhere/f.bin"), "");
                }
                default -> x.respond(204, "No Content");
            }
        });
        DavEndpoint ep = new DavEndpoint(URI.create(s.base()), StorageAuth.none(),
                new DavEndpoint.Options(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(200), 3, Duration.ofMillis(1)));
        byte[] data = bytes(5000, 3);

        StorageException e = catchThrowableOfType(() -> ep.put(new ByteArrayInputStream(data), data.length, "/f.bin", false),
                StorageException.class);

        assertThat(e.kind()).isEqualTo(StorageException.Kind.OTHER);
        assertThat(e.getMessage()).contains("307", "after the body had been sent", "cannot be sent twice");
        assertThat(s.requests("PUT")).hasSize(1);
        assertThat(s.requests("PUT").get(0).bodyBytes()).isEqualTo(data);
        assertThat(s.requests("DELETE")).as("the leftover of a failed upload is removed, and only it").singleElement()
                .satisfies(d -> assertThat(d.target).matches("/" + TEMP));
    }

    @Test
    void redirectLoopsEndAfterFiveHops() throws Exception {
        AtomicInteger n = new AtomicInteger();
        DavScriptServer s = plain(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
            } else {
                x.respond(307, "Temporary Redirect", Map.of("Location", "/loop" + n.incrementAndGet()), "");
            }
        });
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).put(new ByteArrayInputStream(new byte[5]), 5, "/f", false),
                StorageException.class);
        assertThat(e.getMessage()).contains("more than 5 redirects");
        assertThat(s.requests("PUT")).hasSize(6);
        StorageException g = catchThrowableOfType(() -> endpoint(s.base()).open("/f"), StorageException.class);
        assertThat(g.getMessage()).contains("more than 5 redirects");
    }

    // ---------------------------------------------------------------- PUT: errors

    @Test
    void insufficientStorageIsNoSpaceWithAOneLineExcerptOfTheBody() throws Exception {
        String body = "No space left on pool rl-pool-07:\n" + "details ".repeat(100) + "\nend";
        DavScriptServer s = plain(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
            } else if (x.method().equals("DELETE")) {
                x.respond(204, "No Content");
            } else {
                x.sendContinue();
                x.readBody();
                x.respond(507, "Insufficient Storage", Map.of(), body);
            }
        });
        StorageException e = catchThrowableOfType(() -> endpoint(s.base() + "/base").put(new ByteArrayInputStream(new byte[100]), 100, "/d/f", false),
                StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.NO_SPACE);
        assertThat(e.url()).isEqualTo(s.base() + "/base/d/f");
        assertThat(e.getMessage()).contains("PUT", "507", "Insufficient Storage", "No space left on pool rl-pool-07: details")
                .doesNotContain("\n").doesNotContain("end");
        String excerpt = e.getMessage().substring(e.getMessage().indexOf("No space left"),
                e.getMessage().indexOf("; the partial file (if any) was deleted"));
        assertThat(excerpt.length()).isLessThanOrEqualTo(300).isGreaterThan(250);
        assertThat(s.requests("DELETE")).hasSize(1);
    }

    @Test
    void noSpaceBeforeTheBodyAnd413WithSpaceAreNoSpaceToo() throws Exception {
        DavScriptServer s = plain(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
            } else if (x.path().startsWith("/a/")) {
                x.respond(507, "Insufficient Storage", Map.of(), "quota exceeded");
            } else if (x.path().startsWith("/b/")) {
                x.respond(413, "Payload Too Large", Map.of(), "not enough space in space token MIGDAL");
            } else {
                x.respond(413, "Payload Too Large", Map.of(), "file bigger than the 10 GB limit");
            }
        });
        DavEndpoint ep = endpoint(s.base());
        assertThat(kindOfPut(ep, "/a/f")).isEqualTo(StorageException.Kind.NO_SPACE);
        assertThat(kindOfPut(ep, "/b/f")).isEqualTo(StorageException.Kind.NO_SPACE);
        assertThat(kindOfPut(ep, "/c/f")).isEqualTo(StorageException.Kind.OTHER);
        for (DavScriptServer.Request r : s.requests("PUT")) {
            assertThat(r.bodyBytes()).as("a final reply before the body means the body is not sent").isEmpty();
        }
    }

    private static StorageException.Kind kindOfPut(DavEndpoint ep, String path) {
        return catchThrowableOfType(() -> ep.put(new ByteArrayInputStream(new byte[100]), 100, path, false), StorageException.class).kind();
    }

    @ParameterizedTest
    @CsvSource({"503,TRANSIENT", "500,TRANSIENT", "502,TRANSIENT", "401,DENIED", "403,DENIED", "400,OTHER"})
    void statusesMapToKinds(int status, StorageException.Kind kind) throws Exception {
        DavScriptServer s = plain(x -> x.respond(status, "Scripted", Map.of(), "scripted failure " + status));
        DavEndpoint ep = endpoint(s.base());
        StorageException put = catchThrowableOfType(() -> ep.put(new ByteArrayInputStream(new byte[3]), 3, "/f", false), StorageException.class);
        StorageException stat = catchThrowableOfType(() -> ep.stat("/f"), StorageException.class);
        StorageException sum = catchThrowableOfType(() -> ep.checksum("/f"), StorageException.class);
        StorageException get = catchThrowableOfType(() -> ep.open("/f"), StorageException.class);
        StorageException del = catchThrowableOfType(() -> ep.delete("/f"), StorageException.class);
        for (StorageException e : List.of(put, stat, sum, get, del)) {
            assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
            assertThat(e.getMessage()).contains(String.valueOf(status)).contains(s.base() + "/f");
        }
        assertThat(put.getMessage()).contains("HEAD"); // the overwrite check came first and failed
        assertThat(get.getMessage()).contains("GET", "scripted failure " + status);
    }

    @Test
    void putAnswering503IsTransient() throws Exception {
        DavScriptServer s = plain(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
            } else {
                x.respond(503, "Service Unavailable", Map.of(), "door overloaded");
            }
        });
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).put(new ByteArrayInputStream(new byte[3]), 3, "/f", false),
                StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.TRANSIENT);
        assertThat(e.getMessage()).contains("PUT", "503", "Service Unavailable", "door overloaded");
    }

    @Test
    void aServerThatNeverAnswersGivesTransientAfterTheRequestTimeout() throws Exception {
        DavScriptServer s = plain(x -> x.countLateBytes()); // reads, never answers, until the client goes
        DavEndpoint ep = new DavEndpoint(URI.create(s.base()), StorageAuth.none(),
                new DavEndpoint.Options(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofMillis(500), 1, Duration.ofMillis(1)));
        StorageException e = catchThrowableOfType(() -> ep.stat("/f"), StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.TRANSIENT);
        assertThat(e.getMessage()).contains("HEAD", "no reply");
    }

    @Test
    void connectionRefusedIsTransient() throws Exception {
        DavScriptServer s = plain(x -> x.respond(200, "OK"));
        String base = s.base();
        s.close();
        StorageException e = catchThrowableOfType(() -> endpoint(base).stat("/f"), StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.TRANSIENT);
        StorageException p = catchThrowableOfType(() -> endpoint(base).put(new ByteArrayInputStream(new byte[1]), 1, "/f", true),
                StorageException.class);
        assertThat(p.kind()).isEqualTo(StorageException.Kind.TRANSIENT);
    }

    // ---------------------------------------------------------------- PUT: overwrite, parents

    @Test
    void overwriteIsRefusedAfterAHeadAndNoPutIsSent() throws Exception {
        DavScriptServer s = plain(x -> x.respond(200, "OK", Map.of("Content-Length", "42"), ""));
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).put(new ByteArrayInputStream(new byte[3]), 3, "/f", false),
                StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.EXISTS);
        assertThat(s.requests("PUT")).isEmpty();
    }

    @Test
    void aStorageRefusingToReplaceAnExistingFileIsExistsAndOnlyTheTemporaryIsDeleted() throws Exception {
        // dCache with overwrite disabled by the site: the MOVE onto an existing file is refused
        DavScriptServer s = plain(new Staging().around(x -> {
            switch (x.method()) {
                case "HEAD" -> x.respond(200, "OK", Map.of("Content-Length", "3"), "");
                case "MOVE" -> x.respond(412, "Precondition Failed", Map.of(), "File exists");
                default -> pool(x);
            }
        }));
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).put(new ByteArrayInputStream(new byte[3]), 3, "/d/f", true),
                StorageException.class);
        assertThat(e).isNotNull();
        assertThat(e.kind()).isEqualTo(StorageException.Kind.EXISTS);
        assertThat(e.getMessage()).contains("412", "refuses to replace it");
        assertThat(s.requests("MKCOL")).isEmpty();
        assertThat(s.requests("DELETE")).as("an existing file is never deleted by a failed upload; only its temporary")
                .singleElement().satisfies(d -> assertThat(d.target).matches("/d/" + TEMP));
    }

    @Test
    void aFailedPutRemovesOnlyItsTemporaryNeverTheTargetWhereAnotherWorkersCopyMayBe() throws Exception {
        // worker A's lease ran out; worker B's verified copy is at /run/f.dat by the time A's PUT fails
        List<String> targets = new java.util.concurrent.CopyOnWriteArrayList<>();
        DavScriptServer s = plain(x -> {
            targets.add(x.method() + " " + x.path());
            switch (x.method()) {
                case "HEAD" -> x.respond(404, "Not Found");
                case "PUT" -> {
                    x.sendContinue();
                    x.readBody();
                    x.respond(500, "Internal Server Error", Map.of(), "pool died");
                }
                default -> x.respond(204, "No Content");
            }
        });
        byte[] data = bytes(50_000, 21);
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).put(new ByteArrayInputStream(data), data.length,
                "/run/f.dat", false), StorageException.class);
        s.awaitQuiet(QUIET);

        assertThat(e.getMessage()).contains("500", "pool died");
        assertThat(targets).as("A never touches the target").noneMatch(t -> t.equals("DELETE /run/f.dat"))
                .noneMatch(t -> t.startsWith("MOVE"));
        assertThat(s.requests("PUT")).singleElement().satisfies(r -> assertThat(r.target).matches("/run/" + TEMP));
        assertThat(s.requests("DELETE")).as("only the temporary A created is removed: %s", targets).singleElement()
                .satisfies(r -> assertThat(r.target).isEqualTo(s.requests("PUT").get(0).target));
    }

    @Test
    void theMoveIntoPlaceSaysOverwriteFUnlessAskedAnd412IsExists() throws Exception {
        List<String> moves = new java.util.concurrent.CopyOnWriteArrayList<>();
        DavScriptServer s = plain(new Staging().around(x -> {
            switch (x.method()) {
                case "HEAD" -> x.respond(404, "Not Found");
                case "MOVE" -> {
                    moves.add(x.path() + " " + x.header("Destination") + " " + x.header("Overwrite"));
                    x.respond("F".equals(x.header("Overwrite")) ? 412 : 201, "Scripted");
                }
                default -> pool(x);
            }
        }));
        DavEndpoint ep = endpoint(s.base());
        StorageException e = catchThrowableOfType(() -> ep.put(new ByteArrayInputStream(new byte[3]), 3, "/f", false), StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.EXISTS);
        assertThat(ep.put(new ByteArrayInputStream(new byte[3]), 3, "/f", true).bytes()).isEqualTo(3);
        assertThat(moves).hasSize(2);
        assertThat(moves.get(0)).matches("/" + TEMP + " " + java.util.regex.Pattern.quote(s.base() + "/f") + " F");
        assertThat(moves.get(1)).matches("/" + TEMP + " " + java.util.regex.Pattern.quote(s.base() + "/f") + " T");
        assertThat(s.requests("PUT")).noneMatch(r -> r.header("If-None-Match") != null);
    }

    @Test
    void missingParentsAreMadeWithMkcolTolerating405AndResolving409() throws Exception {
        // EOS-like: PUT and MKCOL do not create parents (409), an existing collection answers 405
        Set<String> dirs = new HashSet<>(Set.of("/", "/eos", "/eos/migdal", "/eos/migdal/2208"));
        DavScriptServer s = plain(new Staging().around(x -> {
            String p = URI.create("http://h" + x.path()).getPath();
            String trimmed = p.endsWith("/") && p.length() > 1 ? p.substring(0, p.length() - 1) : p;
            String parent = trimmed.substring(0, Math.max(1, trimmed.lastIndexOf('/')));
            synchronized (dirs) {
                switch (x.method()) {
                    case "HEAD" -> x.respond(404, "Not Found");
                    case "MKCOL" -> {
                        if (dirs.contains(trimmed)) {
                            x.respond(405, "Method Not Allowed");
                        } else if (!dirs.contains(parent)) {
                            x.respond(409, "Conflict");
                        } else {
                            dirs.add(trimmed);
                            x.respond(201, "Created");
                        }
                    }
                    case "PUT" -> {
                        if (!dirs.contains(parent)) {
                            x.respond(409, "Conflict", Map.of(), "parent missing");
                        } else {
                            x.sendContinue();
                            x.readBody();
                            x.respond(201, "Created");
                        }
                    }
                    case "MOVE" -> x.respond(201, "Created");
                    default -> x.respond(400, "Bad Request");
                }
            }
        }));
        byte[] data = bytes(2000, 9);
        StorageEndpoint.Sent sent = endpoint(s.base() + "/eos/migdal/").put(new ByteArrayInputStream(data), data.length,
                "2208/220803/MIG_x/f.dat", false);

        assertThat(sent.adler32().value()).isEqualTo(adler(data));
        assertThat(dirs).contains("/eos/migdal/2208/220803", "/eos/migdal/2208/220803/MIG_x");
        List<String> mkcols = s.requests("MKCOL").stream().map(r -> r.target).toList();
        assertThat(mkcols).containsExactly("/eos/migdal/2208/220803/MIG_x/", "/eos/migdal/2208/220803/",
                "/eos/migdal/2208/220803/MIG_x/");
        List<DavScriptServer.Request> puts = s.requests("PUT");
        assertThat(puts).hasSize(2);
        assertThat(puts.get(0).bodyBytes()).as("the 409 came before the body, so the source is still unread").isEmpty();
        assertThat(puts.get(1).bodyBytes()).isEqualTo(data);
    }

    @Test
    void mkcolOnAnExistingCollectionAnswering405IsFine() throws Exception {
        DavScriptServer s = plain(x -> x.respond(405, "Method Not Allowed", Map.of(), "resource already exists"));
        DavEndpoint ep = endpoint(s.base());
        ep.mkcols(List.of("a", "b"), s.base() + "/a/b");
        assertThat(s.requests("MKCOL")).hasSize(1);
    }

    // ---------------------------------------------------------------- PUT: partial uploads

    @Test
    void aSourceFailingMidwayAbortsTheUploadAndTheServerNeverGetsACompleteBody() throws Exception {
        DavScriptServer s = scriptedUploadServer();
        byte[] data = bytes(1_000_000, 4);
        InputStream failing = new InputStream() {
            int pos;

            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos >= 400_000) {
                    throw new IOException("disk read error (simulated)");
                }
                int n = Math.min(len, 400_000 - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).put(failing, data.length, "/p.bin", false), StorageException.class);

        assertThat(e.getMessage()).contains("aborted", "disk read error (simulated)", "400000 of 1000000");
        s.awaitQuiet(QUIET);
        DavScriptServer.Request put = s.requests("PUT").get(0);
        assertThat(put.bodyComplete).isFalse();
        assertThat(put.bodyBytes().length).isLessThan(data.length);
        assertThat(s.requests("DELETE")).as("the partial file is removed").hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, +1})
    void aSourceShorterOrLongerThanDeclaredIsCorruptAndTheBodyIsNeverCompleted(int delta) throws Exception {
        DavScriptServer s = scriptedUploadServer();
        byte[] data = bytes(200_000, 5);
        long declared = data.length - delta; // delta +1: the source is longer than declared; -1: shorter
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).put(new ByteArrayInputStream(data), declared, "/q.bin", false),
                StorageException.class);

        assertThat(e.kind()).isEqualTo(StorageException.Kind.CORRUPT);
        assertThat(e.getMessage()).contains(delta > 0 ? "more than the declared " + declared : "expected " + declared);
        s.awaitQuiet(QUIET);
        DavScriptServer.Request put = s.requests("PUT").get(0);
        assertThat(put.header("Content-Length")).isEqualTo(String.valueOf(declared));
        assertThat(put.bodyComplete).isFalse();
        assertThat((long) put.bodyBytes().length).isLessThan(declared);
        assertThat(s.requests("PUT")).hasSize(1);
    }

    /** 404 on HEAD, 100 + read + 201 on PUT, 204 on DELETE. */
    private DavScriptServer scriptedUploadServer() throws IOException {
        return plain(x -> {
            switch (x.method()) {
                case "HEAD" -> x.respond(404, "Not Found");
                case "PUT" -> {
                    x.sendContinue();
                    x.readBody();
                    if (x.req.bodyComplete) {
                        x.respond(201, "Created");
                    }
                }
                case "DELETE" -> x.respond(204, "No Content");
                default -> x.respond(400, "Bad Request");
            }
        });
    }

    // ---------------------------------------------------------------- checksums

    @Test
    void aDigestMissingRightAfterTheUploadIsAskedForAgain() throws Exception {
        AtomicInteger heads = new AtomicInteger();
        DavScriptServer s = plain(x -> {
            if (heads.incrementAndGet() == 1) {
                x.respond(200, "OK", Map.of("Content-Length", "5"), "");
            } else {
                x.respond(200, "OK", Map.of("Content-Length", "5", "Digest", "adler32=062c0215"), "");
            }
        });
        assertThat(endpoint(s.base()).checksum("/f").value()).isEqualTo("062c0215");
        assertThat(s.requests("HEAD")).hasSize(2).allMatch(r -> r.headerLines.contains("Want-Digest: adler32"));
    }

    @Test
    void aDigestThatNeverComesIsTransientWithAClearMessage() throws Exception {
        DavScriptServer s = plain(x -> x.respond(200, "OK", Map.of("Content-Length", "5"), ""));
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).checksum("/f"), StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.TRANSIENT);
        assertThat(e.getMessage()).contains("without a Digest header 3 times");
        assertThat(s.requests("HEAD")).hasSize(3);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "adler32=0a1b2c3d|0a1b2c3d",
            "Adler32=abc123|00abc123",
            "ADLER32=ABC123|00abc123",
            "adler32=1|00000001",
            "md5=rFb0uPrFc5zNtFd30xO+zw==,adler32=af543afc|af543afc",
            "md5=rFb0uPrFc5zNtFd30xO+zw==, ADLER32=5ae07809|5ae07809",
            "adler32=AAq8Iw==|000abc23",
            "adler32=\"5ae07809\"|5ae07809"})
    void digestFormatsAreNormalised(String header, String expected) throws Exception {
        DavScriptServer s = plain(x -> x.respond(200, "OK", Map.of("Content-Length", "5", "Digest", header), ""));
        assertThat(endpoint(s.base()).checksum("/f").value()).isEqualTo(expected);
    }

    @Test
    void aDigestSplitOverTwoHeaderLinesIsRead() {
        assertThat(DavEndpoint.parseDigest(List.of("md5=rFb0uPrFc5zNtFd30xO+zw==", "adler32=00abc123")).adler32()).contains("00abc123");
        assertThat(DavEndpoint.parseDigest(List.of("sha-256=abc=")).adler32()).isEmpty();
    }

    @Test
    void aDigestNamingOnlyAnotherAlgorithmIsAnErrorNotAnAdler32() throws Exception {
        DavScriptServer s = plain(x -> x.respond(200, "OK", Map.of("Content-Length", "5", "Digest", "md5=rFb0uPrFc5zNtFd30xO+zw=="), ""));
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).checksum("/f"), StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.OTHER);
        assertThat(e.getMessage()).contains("no adler32", "md5");
        assertThat(s.requests("HEAD")).as("asking again would not help").hasSize(1);
    }

    @Test
    void anUnreadableAdler32IsAnError() throws Exception {
        DavScriptServer s = plain(x -> x.respond(200, "OK", Map.of("Content-Length", "5", "Digest", "adler32=xyz-not-hex"), ""));
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).checksum("/f"), StorageException.class);
        assertThat(e.getMessage()).contains("neither hex nor base64");
    }

    @Test
    void checksumOfAMissingFileIsNotFound() throws Exception {
        DavScriptServer s = plain(x -> x.respond(404, "Not Found", Map.of(), "Unable to open /f; no such file or directory"));
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).checksum("/f"), StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND);
    }

    // ---------------------------------------------------------------- stat, delete, open

    @Test
    void statReadsContentLengthAndFallsBackToPropfind() throws Exception {
        DavScriptServer s = plain(x -> {
            if (x.method().equals("HEAD") && x.path().endsWith("/with-length")) {
                x.respond(200, "OK", Map.of("Content-Length", "12345"), "");
            } else if (x.method().equals("HEAD") && x.path().endsWith("/missing")) {
                x.respond(404, "Not Found");
            } else if (x.method().equals("HEAD")) {
                x.respond(200, "OK", Map.of("Transfer-Encoding", "chunked"), ""); // no length
            } else if (x.method().equals("PROPFIND")) {
                x.respond(207, "Multi-Status", Map.of("Content-Type", "text/xml"), """
                        <?xml version="1.0" encoding="utf-8"?>
                        <d:multistatus xmlns:d="DAV:"><d:response><d:href>/base/no-length</d:href>
                        <d:propstat><d:prop><d:getcontentlength>777</d:getcontentlength><d:resourcetype/></d:prop>
                        <d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>""");
            }
        });
        DavEndpoint ep = endpoint(s.base() + "/base");
        assertThat(ep.stat("/with-length")).contains(new RemoteFile("/with-length", 12345, null, null));
        assertThat(ep.stat("/missing")).isEmpty();
        assertThat(ep.stat("/no-length")).contains(new RemoteFile("/no-length", 777, null, null));
        assertThat(s.requests("PROPFIND").get(0).header("Depth")).isEqualTo("0");
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204, 404})
    void deleteAccepts200And204AndAMissingFile(int status) throws Exception {
        DavScriptServer s = plain(x -> x.respond(status, "Scripted"));
        endpoint(s.base()).delete("/f");
        assertThat(s.requests("DELETE")).hasSize(1);
    }

    @Test
    void getFollowsTheRedirectToThePoolAndStreams() throws Exception {
        byte[] data = bytes(500_000, 6);
        DavScriptServer rawPool = plain(x -> x.respondRaw(("HTTP/1.1 200 OK\r\nContent-Length: " + data.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), data));
        DavScriptServer door = plain(x -> x.respond(307, "Temporary Redirect",
                Map.of("Location", rawPool.base() + x.path() + "?dcache-http-uuid=1"), ""));
        try (InputStream in = endpoint(door.base()).open("/d/f.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(rawPool.requests("GET").get(0).target).isEqualTo("/d/f.bin?dcache-http-uuid=1");
        assertThat(door.requests("GET")).hasSize(1);
    }

    @Test
    void aTruncatedGetBodyIsAnErrorNotAShortFile() throws Exception {
        byte[] data = bytes(100_000, 7);
        DavScriptServer s = plain(x -> x.respondRaw(("HTTP/1.1 200 OK\r\nContent-Length: " + (data.length + 1000)
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), data));
        try (InputStream in = endpoint(s.base()).open("/f")) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class);
        }
    }

    @Test
    void openOfAMissingFileIsNotFound() throws Exception {
        DavScriptServer s = plain(x -> x.respond(404, "Not Found", Map.of(), "Unable to open /f; no such file or directory"));
        StorageException e = catchThrowableOfType(() -> endpoint(s.base()).open("/f"), StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("GET", "404", "Unable to open /f");
    }

    // ---------------------------------------------------------------- listing

    static final String XRDHTTP_PROPFIND = """
            <?xml version="1.0" encoding="utf-8"?>
            <D:multistatus xmlns:D="DAV:" xmlns:ns1="http://apache.org/dav/props/" xmlns:ns0="DAV:">
            <D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" xmlns:lp3="LCGDM:">
            <D:href>/test/dir1/</D:href>
            <D:propstat>
            <D:prop>
            <lp1:getcontentlength>4096</lp1:getcontentlength>
            <lp1:getlastmodified>Sat, 28 Nov 2026 20:00:01 GMT</lp1:getlastmodified>
            <lp1:resourcetype><D:collection/></lp1:resourcetype>
            <lp1:iscollection>1</lp1:iscollection>
            </D:prop>
            <D:status>HTTP/1.1 200 OK</D:status>
            </D:propstat>
            </D:response>
            <D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/" xmlns:lp3="LCGDM:">
            <D:href>/test/dir1/a.bin</D:href>
            <D:propstat>
            <D:prop>
            <lp1:getcontentlength>10485760</lp1:getcontentlength>
            <lp1:getlastmodified>Sat, 28 Nov 2026 20:00:01 GMT</lp1:getlastmodified>
            <lp1:iscollection>0</lp1:iscollection>
            </D:prop>
            <D:status>HTTP/1.1 200 OK</D:status>
            </D:propstat>
            </D:response>
            <D:response xmlns:lp1="DAV:">
            <D:href>/test/dir1/sub</D:href>
            <D:propstat>
            <D:prop>
            <lp1:getcontentlength>4096</lp1:getcontentlength>
            <lp1:iscollection>1</lp1:iscollection>
            </D:prop>
            <D:status>HTTP/1.1 200 OK</D:status>
            </D:propstat>
            </D:response>
            </D:multistatus>""";

    @Test
    void propfindWithXrdHttpPrefixesIsParsed() throws Exception {
        DavScriptServer s = plain(x -> x.respond(207, "Multi-Status", Map.of("Content-Type", "text/xml"), XRDHTTP_PROPFIND));
        List<StorageEntry> entries = endpoint(s.base() + "/test").list("dir1");
        assertThat(entries).extracting(StorageEntry::modified).containsExactly(java.time.Instant.parse("2026-11-28T20:00:01Z"),
                null); // no getlastmodified: the age is unknown
        assertThat(DavEndpointIT.rows(entries)).containsExactly(DavEndpointIT.row("/dir1/a.bin", 10485760, false),
                DavEndpointIT.row("/dir1/sub", -1, true));
        DavScriptServer.Request r = s.requests("PROPFIND").get(0);
        assertThat(r.target).isEqualTo("/test/dir1/");
        assertThat(r.headerLines).contains("Depth: 1");
    }

    @Test
    void propfindWithFullUrlHrefsEncodedNamesAndMissingPropertiesIsParsed() throws Exception {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <multistatus xmlns="DAV:" xmlns:ns2="http://www.dcache.org/2013/webdav">
                  <response><href>https://door.example:2880/pnfs/migdal/run%201/</href>
                    <propstat><prop><resourcetype><collection/></resourcetype></prop><status>HTTP/1.1 200 OK</status></propstat></response>
                  <response><href>https://door.example:2880/pnfs/migdal/run%201/f%C3%BCr%20x%2By.dat</href>
                    <propstat><prop><getcontentlength>42</getcontentlength><resourcetype/></prop><status>HTTP/1.1 200 OK</status></propstat>
                    <propstat><prop><ns2:Checksums/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>
                </multistatus>""";
        List<StorageEntry> e = DavEndpoint.parseMultistatus(xml.getBytes(StandardCharsets.UTF_8), "/pnfs/migdal");
        assertThat(DavEndpointIT.rows(e)).containsExactly(DavEndpointIT.row("/run 1", -1, true),
                DavEndpointIT.row("/run 1/für x+y.dat", 42, false));
    }

    @Test
    void xrdHttpHrefsAreRawNamesAndOthersArePercentDecoded() throws Exception {
        // XrdHttp 5.5.3 (seen in DavEndpointIT): <D:href>/d/pct%20x.dat</D:href> is the file "pct%20x.dat"
        String xml = "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\">"
                + "<D:response><D:href>/b/d/pct%20x.dat</D:href><D:propstat><D:prop><D:getcontentlength>1</D:getcontentlength>"
                + "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
                + "<D:response><D:href>/b/d/sp ace &amp; ü.dat</D:href><D:propstat><D:prop><D:getcontentlength>2</D:getcontentlength>"
                + "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>";
        DavScriptServer xrd = plain(x -> x.respond(207, "Multi-Status", Map.of("Server", "XrootD/v5.5.3"), xml));
        DavScriptServer other = plain(x -> x.respond(207, "Multi-Status", Map.of("Server", "dCache/10.2"), xml));
        assertThat(DavEndpointIT.rows(endpoint(xrd.base() + "/b").list("d"))).containsExactly(
                DavEndpointIT.row("/d/pct%20x.dat", 1, false), DavEndpointIT.row("/d/sp ace & ü.dat", 2, false));
        assertThat(DavEndpointIT.rows(endpoint(other.base() + "/b").list("d"))).containsExactly(
                DavEndpointIT.row("/d/pct x.dat", 1, false), DavEndpointIT.row("/d/sp ace & ü.dat", 2, false));
    }

    @Test
    void propfindWithADoctypeIsRefused() {
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
                + "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>&e;</D:href></D:response></D:multistatus>";
        assertThatThrownBy(() -> DavEndpoint.parseMultistatus(xml.getBytes(StandardCharsets.UTF_8), "/"))
                .isInstanceOf(IOException.class);
    }

    // ---------------------------------------------------------------- URLs

    @Test
    void pathSegmentsArePercentEncodedAndDotSegmentsRefused() throws Exception {
        DavEndpoint ep = endpoint("davs://door.example:2880/pnfs/migdal%20data/");
        assertThat(ep.wireUri("/2208/run 1/für+x&y=z#1%.dat").toString())
                .isEqualTo("https://door.example:2880/pnfs/migdal%20data/2208/run%201/f%C3%BCr%2Bx%26y%3Dz%231%25.dat");
        assertThat(catchThrowableOfType(() -> ep.wireUri("/a?b"), StorageException.class).getMessage()).contains("'?'");
        assertThat(endpoint("dav://h:8080/a").wireUri("b").toString()).isEqualTo("http://h:8080/a/b");
        assertThat(ep.urlOf("/x")).isEqualTo("davs://door.example:2880/pnfs/migdal%20data/x");
        assertThat(catchThrowableOfType(() -> ep.wireUri("/a/../../etc"), StorageException.class).kind())
                .isEqualTo(StorageException.Kind.DENIED);
        assertThat(catchThrowableOfType(() -> ep.delete("/"), StorageException.class).kind()).isEqualTo(StorageException.Kind.DENIED);
    }

    @Test
    void endpointsChooseDavForHttpsDavsHttpAndDav() {
        for (String u : List.of("https://h/x", "davs://h:2880/x", "http://127.0.0.1:1/x", "dav://localhost:1/x")) {
            assertThat(Endpoints.open(u)).isInstanceOf(DavEndpoint.class);
        }
    }

    @Test
    void theRequestTargetOnTheWireIsEncoded() throws Exception {
        DavScriptServer s = plain(x -> x.respond(200, "OK", Map.of("Content-Length", "1"), ""));
        endpoint(s.base().replace("http://", "dav://") + "/b").stat("/run 1/ünï©ødé.dat");
        assertThat(s.requests("HEAD").get(0).target).isEqualTo("/b/run%201/%C3%BCn%C3%AF%C2%A9%C3%B8d%C3%A9.dat");
    }

    // ---------------------------------------------------------------- token and TLS

    private SSLContext serverTls(TestPki pki) throws Exception {
        TestPki.Issued host = pki.hostCert();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("host", host.key(), "pw".toCharArray(), new Certificate[] {host.cert(), pki.ca().cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private DavScriptServer tlsServer(SSLContext ctx, DavScriptServer.Handler h) throws IOException {
        DavScriptServer s = DavScriptServer.tls(ctx, h);
        servers.add(s);
        return s;
    }

    @Test
    void theTokenGoesToTheConfiguredHostOnlyAndNeverFollowsARedirectToAPool() throws Exception {
        TestPki pki = TestPki.create();
        SSLContext serverCtx = serverTls(pki);
        Path caDir = pki.writeCaDir(tmp.resolve("certificates"));
        SSLContext clientCtx = TlsContexts.create(Optional.empty(), caDir, false);
        byte[] data = bytes(70_000, 8);
        // the pool is another host name for the same machine: 127.0.0.1 (the host certificate carries IP:127.0.0.1)
        Staging staging = new Staging();
        DavScriptServer poolServer = tlsServer(serverCtx, staging.around(x -> {
            if (x.method().equals("GET")) {
                x.respondRaw(("HTTP/1.1 200 OK\r\nContent-Length: " + data.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1), data);
            } else {
                pool(x);
            }
        }));
        String poolBase = "https://127.0.0.1:" + poolServer.port();
        DavScriptServer door = tlsServer(serverCtx, staging.around(x -> {
            switch (x.method()) {
                case "HEAD" -> {
                    if (x.path().endsWith("/new.bin")) {
                        x.respond(404, "Not Found");
                    } else {
                        x.respond(200, "OK", Map.of("Content-Length", "1", "Digest", "adler32=00000001"), "");
                    }
                }
                case "PUT", "GET" -> {
                    x.respond(307, "Temporary Redirect", Map.of("Location", poolBase + x.path() + "?dcache-http-uuid=9"), "");
                    x.countLateBytes();
                }
                default -> x.respond(204, "No Content");
            }
        }));
        DavEndpoint ep = new DavEndpoint(URI.create(door.base().replace("https://", "davs://") + "/pnfs"),
                new StorageAuth(Optional.of(clientCtx), Optional.empty(), Optional.empty(), Optional.of(TOKEN)), fast());

        assertThat(ep.put(new ByteArrayInputStream(data), data.length, "/new.bin", false).adler32().value()).isEqualTo(adler(data));
        try (InputStream in = ep.open("/old.bin")) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        assertThat(ep.checksum("/old.bin").value()).isEqualTo("00000001");
        ep.delete("/old.bin");

        door.awaitQuiet(QUIET);
        assertThat(door.requests()).hasSizeGreaterThanOrEqualTo(5)
                .allMatch(r -> r.headerLines.contains("Authorization: Bearer " + TOKEN), "every door request carries the token");
        assertThat(poolServer.requests()).hasSize(2).allMatch(r -> r.header("Authorization") == null, "no pool request carries the token");
        assertThat(poolServer.requests("PUT").get(0).bodyBytes()).isEqualTo(data);
    }

    @Test
    void theTokenIsNeverInAMessageEvenWhenTheServerEchoesIt() throws Exception {
        TestPki pki = TestPki.create();
        Path caDir = pki.writeCaDir(tmp.resolve("certificates"));
        DavScriptServer s = tlsServer(serverTls(pki), x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
            } else {
                x.respond(403, "Forbidden", Map.of(), "token rejected: " + x.header("Authorization"));
            }
        });
        DavEndpoint ep = new DavEndpoint(URI.create(s.base()), new StorageAuth(
                Optional.of(TlsContexts.create(Optional.empty(), caDir, false)), Optional.empty(), Optional.empty(), Optional.of(TOKEN)), fast());
        StorageException put = catchThrowableOfType(() -> ep.put(new ByteArrayInputStream(new byte[2]), 2, "/f", true), StorageException.class);
        StorageException get = catchThrowableOfType(() -> ep.open("/f"), StorageException.class);
        for (StorageException e : List.of(put, get)) {
            assertThat(e.kind()).isEqualTo(StorageException.Kind.DENIED);
            assertThat(e.getMessage()).contains("token rejected: Bearer <token>").doesNotContain(TOKEN).doesNotContain("secret-test-token");
        }
        assertThat(s.requests()).allMatch(r -> r.headerLines.contains("Authorization: Bearer " + TOKEN));
    }

    @Test
    void noTokenIsEverSentOverPlainHttp() throws Exception {
        DavScriptServer s = plain(new Staging().around(x -> {
            if (x.method().equals("HEAD")) {
                x.respond(404, "Not Found");
            } else if (x.method().equals("MOVE")) {
                x.respond(201, "Created");
            } else {
                x.sendContinue();
                x.readBody();
                x.respond(200, "OK");
            }
        }));
        DavEndpoint ep = new DavEndpoint(URI.create(s.base()),
                new StorageAuth(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(TOKEN)), fast());
        ep.put(new ByteArrayInputStream(new byte[4]), 4, "/f", false);
        ep.stat("/f");
        assertThat(s.requests()).extracting(r -> r.method).contains("HEAD", "PUT", "MOVE");
        assertThat(s.requests()).allMatch(r -> r.header("Authorization") == null);
    }

    @Test
    void aRedirectFromHttpsToPlainHttpIsRefused() throws Exception {
        TestPki pki = TestPki.create();
        Path caDir = pki.writeCaDir(tmp.resolve("certificates"));
        DavScriptServer plainPool = plain(x -> x.respond(200, "OK"));
        DavScriptServer s = tlsServer(serverTls(pki), x -> x.respond(302, "Found", Map.of("Location", plainPool.base() + "/f"), ""));
        DavEndpoint ep = new DavEndpoint(URI.create(s.base()), new StorageAuth(
                Optional.of(TlsContexts.create(Optional.empty(), caDir, false)), Optional.empty(), Optional.empty(), Optional.of(TOKEN)), fast());
        StorageException e = catchThrowableOfType(() -> ep.open("/f"), StorageException.class);
        assertThat(e.kind()).isEqualTo(StorageException.Kind.DENIED);
        assertThat(e.getMessage()).contains("from https to plain http");
        assertThat(plainPool.requests()).isEmpty();
    }

    @Test
    void aServerCertificateForAnotherHostIsRefused() throws Exception {
        TestPki pki = TestPki.create();
        Path caDir = pki.writeCaDir(tmp.resolve("certificates"));
        TestPki.Issued wrong = pki.wrongHostCert();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("host", wrong.key(), "pw".toCharArray(), new Certificate[] {wrong.cert(), pki.ca().cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        DavScriptServer s = tlsServer(ctx, x -> x.respond(404, "Not Found"));
        DavEndpoint ep = new DavEndpoint(URI.create(s.base()), new StorageAuth(
                Optional.of(TlsContexts.create(Optional.empty(), caDir, false)), Optional.empty(), Optional.empty(), Optional.empty()), fast());
        StorageException stat = catchThrowableOfType(() -> ep.stat("/f"), StorageException.class);
        assertThat(stat.kind()).isEqualTo(StorageException.Kind.DENIED);
        assertThat(stat.getMessage()).contains("TLS handshake failed");
        // the hand-written PUT connection verifies the host name too
        DavPut.Source src = new DavPut.Source(new ByteArrayInputStream(new byte[1]), 1);
        assertThatThrownBy(() -> DavPut.exchange(URI.create(s.base() + "/f"), Map.of(), src, true,
                TlsContexts.create(Optional.empty(), caDir, false),
                new DavPut.Limits(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        assertThat(src.consumed).isFalse();
        assertThat(s.requests("PUT")).isEmpty();
    }
}
