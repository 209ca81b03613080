package org.migdal.dm.testinfra;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;

/** The plain XRootD fixture itself: it starts as the xrootd user, serves HTTP with adler32, and stops completely. */
class XrootdServerIT {
    @Test
    void plainServerServesHttpWithAdler32AndStopsCleanly() throws Exception {
        assertThat(XrootdServer.unavailableReason()).isEmpty();
        XrootdServer server = XrootdServer.startPlain();
        Path dir = server.directory();
        long pid = server.pid();
        try {
            assertThat(server.httpBase()).isEqualTo("http://localhost:" + server.httpPort());
            assertThat(server.xrootPort()).isNotEqualTo(server.httpPort());
            Optional<ProcessHandle> ph = ProcessHandle.of(pid);
            assertThat(ph).isPresent();
            if ("root".equals(System.getProperty("user.name"))) {
                assertThat(ph.get().info().user()).contains("xrootd");
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            byte[] data = "hello xrootd\n".repeat(1000).getBytes();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(server.httpBase() + "/p/q/r.bin"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(server.dataDir().resolve("p/q/r.bin")).hasBinaryContent(data);
            HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(server.httpBase() + "/p/q/r.bin"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Want-Digest", "adler32").build(),
                    HttpResponse.BodyHandlers.discarding());
            Adler32 a = new Adler32();
            a.update(data);
            assertThat(head.headers().firstValue("Digest")).contains(String.format("adler32=%08x", a.getValue()));
        } finally {
            server.close();
        }
        assertThat(server.isAlive()).isFalse();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(Optional.of(true));
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void twoServersRunSideBySideOnDifferentPorts() throws Exception {
        try (XrootdServer a = XrootdServer.startPlain(); XrootdServer b = XrootdServer.startPlain()) {
            assertThat(a.httpPort()).isNotEqualTo(b.httpPort());
            assertThat(a.xrootPort()).isNotEqualTo(b.xrootPort());
            assertThat(a.isAlive()).isTrue();
            assertThat(b.isAlive()).isTrue();
        }
    }
}
