package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.daq.SyntheticRuns;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@code daemon --role all --interval 1 --serve 127.0.0.1:0} as a real child process over a small DAQ tree and file://
 * storage: the dashboard answers while the cycles run, and a SIGTERM ends the running cycle, stops the dashboard and
 * exits 0 with no claim left in the catalog.
 */
class DaemonDashboardIT {
    private static final Pattern LISTENING = Pattern.compile("dashboard listening on http://127\\.0\\.0\\.1:(\\d+)/");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theDashboardAnswersWhileTwoCyclesRunAndSigtermStopsBothCleanly() throws Exception {
        Path disk = Files.createDirectories(dir.resolve("data1"));
        new SyntheticRuns(5).writeRun(disk, "Fe55", LocalDateTime.of(2026, 11, 30, 9, 0, 0), 4, 100_000);
        Files.writeString(disk.resolve("ReadyToTransfer"), "");
        Path config = dir.resolve("migdal-dm.yaml");
        Files.writeString(config, DaqProcesses.config(dir.resolve("catalog.db"), List.of(disk),
                org.migdal.dm.testinfra.Markers.initialised(dir.resolve("storage")),
                org.migdal.dm.testinfra.Markers.initialised(dir.resolve("tape")), dir, 2));
        Path logs = dir.resolve("logs");
        Process daemon = DaqProcesses.cli(logs, "daemon", config, "daemon", "--role", "all", "--interval", "1", "--serve", "127.0.0.1:0");
        int port;
        try {
            AtomicReference<String> found = new AtomicReference<>();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(daemon.isAlive()).as("daemon alive; its log:%n%s", DaqProcesses.err(logs, "daemon")).isTrue();
                Matcher m = LISTENING.matcher(DaqProcesses.err(logs, "daemon"));
                if (m.find()) {
                    found.set(m.group(1));
                }
                return found.get() != null;
            });
            port = Integer.parseInt(found.get());
            // poll the status until two cycles have run and every file is on tape
            AtomicReference<JsonNode> status = new AtomicReference<>();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(200)).until(() -> {
                assertThat(daemon.isAlive()).as("daemon alive; its log:%n%s", DaqProcesses.err(logs, "daemon")).isTrue();
                HttpResponse<String> r = get(port, "/api/status");
                assertThat(r.statusCode()).isEqualTo(200);
                status.set(json.readTree(r.body()));
                return status.get().at("/daemon/cycles").asLong() >= 2 && status.get().at("/totals/ON_TAPE/files").asLong() == 4;
            });
            assertThat(status.get().at("/waiting").asLong()).isZero();
            HttpResponse<String> page = get(port, "/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("daemon cycles run:").contains("id=\"throughput\"");
            HttpResponse<String> files = get(port, "/api/files?state=ON_TAPE");
            assertThat(json.readTree(files.body()).get("files")).hasSize(4);
            HttpResponse<String> metrics = get(port, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(metrics.body()).as("the daemon's /metrics counts what the catalog holds")
                    .containsPattern("(?m)^migdal_dm_files\\{disk=\"data1\",state=\"ON_TAPE\"\\} 4(\\.0)?$");
            HttpResponse<String> runs = get(port, "/api/runs");
            assertThat(runs.statusCode()).isEqualTo(200);
            assertThat(json.readTree(runs.body()).get("runs")).isNotEmpty().allSatisfy(r -> assertThat(r.get("complete").asBoolean()).isTrue());
        } finally {
            daemon.destroy(); // SIGTERM
        }
        DaqProcesses.assertExit(logs, "daemon", daemon, 0, 120);
        assertThat(DaqProcesses.err(logs, "daemon")).contains("daemon stopping: the last cycle has finished")
                .contains("dashboard at http://127.0.0.1:" + port + "/ stopped");
        int closed = port;
        assertThatThrownBy(() -> new Socket("127.0.0.1", closed).close()).as("the port is closed").isInstanceOf(ConnectException.class);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("catalog.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*), COUNT(claim_owner) FROM files")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(4);
            assertThat(rs.getLong(2)).as("files still claimed").isZero();
        }
    }

    @Test
    void aTakenPortStopsTheDaemonBeforeAnyCycleNamingTheAddress() throws Exception {
        Path config = dir.resolve("migdal-dm.yaml");
        Files.writeString(config, DaqProcesses.config(dir.resolve("catalog.db"), List.of(Files.createDirectories(dir.resolve("data1"))),
                org.migdal.dm.testinfra.Markers.initialised(dir.resolve("storage")),
                org.migdal.dm.testinfra.Markers.initialised(dir.resolve("tape")), dir, 1));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Path logs = dir.resolve("logs");
            Process daemon = DaqProcesses.cli(logs, "daemon", config, "daemon", "--role", "all", "--interval", "1",
                    "--serve", "127.0.0.1:" + taken.getLocalPort());
            DaqProcesses.assertExit(logs, "daemon", daemon, 1, 120);
            assertThat(DaqProcesses.err(logs, "daemon")).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .doesNotContain("cycle ended");
        }
    }

    @Test
    void serveAnswersUntilSigtermThenExits0AndFreesItsPortAndRefusesABadAddress() throws Exception {
        Path config = dir.resolve("migdal-dm.yaml");
        Files.writeString(config, DaqProcesses.config(dir.resolve("catalog.db"), List.of(Files.createDirectories(dir.resolve("data1"))),
                org.migdal.dm.testinfra.Markers.initialised(dir.resolve("storage")),
                org.migdal.dm.testinfra.Markers.initialised(dir.resolve("tape")), dir, 1));
        Path logs = dir.resolve("logs");
        Process serve = DaqProcesses.cli(logs, "serve", config, "serve", "--listen", "127.0.0.1:0");
        int port;
        try {
            AtomicReference<String> found = new AtomicReference<>();
            Pattern at = Pattern.compile("dashboard at http://127\\.0\\.0\\.1:(\\d+)/");
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(serve.isAlive()).as("serve alive; its log:%n%s", DaqProcesses.err(logs, "serve")).isTrue();
                Matcher m = at.matcher(DaqProcesses.out(logs, "serve"));
                if (m.find()) {
                    found.set(m.group(1));
                }
                return found.get() != null;
            });
            port = Integer.parseInt(found.get());
            assertThat(get(port, "/").statusCode()).isEqualTo(200);
            assertThat(get(port, "/api/files").body()).contains("\"files\":[]");
        } finally {
            serve.destroy(); // SIGTERM
        }
        DaqProcesses.assertExit(logs, "serve", serve, 0, 60);
        int closed = port;
        assertThatThrownBy(() -> new Socket("127.0.0.1", closed).close()).isInstanceOf(ConnectException.class);

        Process bad = DaqProcesses.cli(logs, "bad", config, "serve", "--listen", "localhost");
        DaqProcesses.assertExit(logs, "bad", bad, 2, 60);
        assertThat(DaqProcesses.err(logs, "bad")).contains("'localhost' is not HOST:PORT");
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
