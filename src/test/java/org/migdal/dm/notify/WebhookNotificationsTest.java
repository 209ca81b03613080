package org.migdal.dm.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.config.NotifyConfig;
import org.migdal.dm.health.Overviews;
import org.migdal.dm.security.TestPki;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook against a real HTTP(S) server on 127.0.0.1: a 500 then a 200, the headers file, verified https. */
class WebhookNotificationsTest {
    private static final String SECRET = "Bearer t0ken-that-must-never-show";

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2024-03-01T12:00:00Z"));
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final Map<String, String> seenAuth = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private HttpServer server;
    private JdbcCatalog catalog;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
        if (catalog != null) {
            catalog.close();
        }
    }

    /** Answers 500 (echoing the Authorization header, as a careless server may) while failures are left, then 200. */
    private void handle(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String auth = String.valueOf(x.getRequestHeaders().getFirst("Authorization"));
        seenAuth.put("last", auth);
        byte[] reply;
        int status;
        if (failuresLeft.getAndDecrement() > 0) {
            status = 500;
            reply = ("internal error; your request had Authorization: " + auth).getBytes(StandardCharsets.UTF_8);
        } else {
            status = 200;
            bodies.add(body);
            reply = "ok".getBytes(StandardCharsets.UTF_8);
        }
        x.sendResponseHeaders(status, reply.length);
        x.getResponseBody().write(reply);
        x.close();
    }

    private MigdalConfig config(String url, String caFile) throws IOException {
        Path headers = Files.writeString(dir.resolve("hook-headers"), "# secret\nAuthorization: " + SECRET + "\nX-Source: migdal\n");
        MigdalConfig c = ConfigLoader.parse("""
                catalog:
                  url: sqlite:%s
                storage:
                  disk: file://%s
                  tape: file://%s
                notify:
                  webhook:
                    url: %s
                    headersFile: %s
                    timeoutSeconds: 5
                %s
                """.formatted(dir.resolve("c.db"), dir.resolve("storage"), dir.resolve("tape"), url, headers,
                caFile == null ? "" : "    caFile: " + caFile), "test.yaml");
        catalog = JdbcCatalog.open(c.catalog().url(), null, null, new ClaimPolicy("t", Duration.ofMinutes(5), 1,
                Duration.ofSeconds(1)), clock, 2);
        return c;
    }

    private Notifier notifier(MigdalConfig c) {
        return new Notifier(new NotifyState(catalog), Notifier.channels(c.notifications()), Duration.ofMinutes(15), "grid-host",
                "p1", clock);
    }

    @Test
    void aFiveHundredIsLoggedWithTheReplyRedactedAndTheNextRoundDeliversEverything() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", this::handle);
        server.start();
        MigdalConfig c = config("http://127.0.0.1:" + server.getAddress().getPort() + "/hook", null);
        Notifier n = notifier(c);
        failuresLeft.set(1);
        catalog.endpointDown("root://dcache.example.org//pnfs/migdal", "TRANSIENT: connection refused");

        Notifier.Outcome failed = n.round(new Overviews(catalog, c, null, clock).now()).get(0);
        assertThat(failed.error()).contains("webhook http://127.0.0.1:").contains("answered HTTP 500").contains("internal error")
                .contains("<redacted>").doesNotContain("t0ken");
        assertThat(seenAuth.get("last")).as("the header of the file reached the server").isEqualTo(SECRET);
        assertThat(new NotifyState(catalog).channel("webhook").orElseThrow().lastError()).doesNotContain("t0ken");

        clock.advance(Duration.ofMinutes(1));
        Notifier.Outcome ok = n.round(new Overviews(catalog, c, null, clock).now()).get(0);
        assertThat(ok.sent()).isEqualTo(1);
        JsonNode json = new ObjectMapper().readTree(bodies.get(0));
        assertThat(json.get("source").asText()).isEqualTo("grid-host");
        assertThat(json.get("events")).singleElement().satisfies(e -> {
            assertThat(e.get("key").asText()).isEqualTo("endpoint-down:root://dcache.example.org//pnfs/migdal");
            assertThat(e.get("kind").asText()).isEqualTo("RAISED");
            assertThat(e.get("text").asText()).contains("connection refused").contains("storage probe");
        });

        clock.advance(Duration.ofMinutes(30));
        n.round(new Overviews(catalog, c, null, clock).now());
        assertThat(bodies).as("nothing more while it holds").hasSize(1);
    }

    @Test
    void httpsIsVerifiedAgainstTheConfiguredCaAndRefusedWithoutIt() throws Exception {
        TestPki pki = TestPki.create();
        TestPki.Layout layout = pki.writeAll(dir.resolve("pki"));
        HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(TestTls.serverContext(layout)));
        https.createContext("/hook", this::handle);
        https.start();
        server = https;
        String url = "https://localhost:" + https.getAddress().getPort() + "/hook";

        MigdalConfig trusted = config(url, layout.caCert().toString());
        assertThat(notifier(trusted).test()).singleElement().satisfies(o -> assertThat(o.failed()).isFalse());
        assertThat(new ObjectMapper().readTree(bodies.get(0)).get("test").asBoolean()).isTrue();
        catalog.close();
        catalog = null;

        Files.delete(dir.resolve("c.db"));
        MigdalConfig systemTrust = config(url, null);
        assertThat(notifier(systemTrust).test()).singleElement().satisfies(o ->
                assertThat(o.error()).contains("webhook " + url + " not reached").containsIgnoringCase("certification path"));
        assertThat(bodies).hasSize(1);
    }

    @Test
    void aWebhookUrlMustBeHttpsExceptOnThisMachine() {
        assertThat(new NotifyConfig.Webhook("http://127.0.0.1:8080/x", null, null, null).url()).startsWith("http://127.0.0.1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NotifyConfig.Webhook("http://hooks.example.org/x", null, null, null))
                .hasMessageContaining("notify.webhook.url");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new NotifyConfig.Webhook("https://user:pw@hooks.example.org/x", null, null, null))
                .hasMessageContaining("notify.webhook.url").hasMessageNotContaining("pw@");
    }
}
