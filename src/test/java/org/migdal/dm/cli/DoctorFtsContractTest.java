package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.FtsContractServer;
import org.migdal.dm.security.ProxyLoader;
import org.migdal.dm.security.TestPki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code doctor} with {@code archive.mover: fts}: the FTS3 server is reachable and knows us ({@code /whoami}), and the
 * proxy delegated to it has more time left than the renewal threshold (2 h) — against the FTS3 contract server (FTS3
 * cannot run here; it answers in the reference's formats). Doctor only reads: it never delegates.
 */
class DoctorFtsContractTest {
    @TempDir
    Path dir;

    /** The doctor's FTS checks by name, as {@code doctor --json} gives them. */
    private Map<String, JsonNode> ftsChecks(Path config) throws Exception {
        CliFixture.Run r = CliFixture.raw("-c", config.toString(), "doctor", "--json");
        assertThat(r.code()).as("%s", r).isIn(0, 1);
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode c : new ObjectMapper().readTree(r.out()).get("checks")) {
            if (c.get("check").asText().startsWith("fts ")) {
                out.put(c.get("check").asText(), c);
            }
        }
        return out;
    }

    private static String status(Map<String, JsonNode> checks, String name) {
        return checks.get(name).get("status").asText() + " " + checks.get(name).get("detail").asText();
    }

    @Test
    void reachableServerAndTheDelegationAgainstTheRenewalThreshold() throws Exception {
        TestPki.Layout pki = TestPki.create().writeAll(dir.resolve("pki"));
        try (FtsContractServer server = FtsContractServer.start(pki, "gridpp")) {
            Path config = dir.resolve("migdal-dm.yaml");
            Files.writeString(config, String.join("\n",
                    "catalog: {url: 'sqlite:" + dir.resolve("catalog.db") + "'}",
                    "storage: {disk: 'root://dcache.invalid:1094//pnfs/migdal', tape: 'root://antares.invalid//eos/migdal',"
                            + " diskAuth: none, tapeAuth: none}",
                    "archive: {mover: fts, workDir: '" + dir.resolve("work") + "'}",
                    "fts: {url: '" + server.uri() + "', auth: x509}",
                    "credentials: {proxy: '" + pki.proxyPkcs1() + "', certDir: '" + pki.caDir() + "', requiredFqan: ''}",
                    "lockDir: '" + dir + "'", ""));
            String dlg = FtsClient.create(FtsClient.Settings.of(server.uri()), new FtsClient.X509Auth(ProxyLoader.load(pki.proxyPkcs1())),
                    pki.caDir(), false).whoami().delegationId();
            assertThat(dlg).isNotBlank();

            Map<String, JsonNode> none = ftsChecks(config);
            assertThat(status(none, "fts server")).startsWith("OK FTS3 " + server.uri() + " reachable; it knows us as ")
                    .contains("certificate");
            assertThat(status(none, "fts delegation")).startsWith("WARN delegation " + dlg + ": no proxy delegated yet");
            assertThat(server.delegationEnd(dlg)).as("doctor never delegates").isEmpty();

            server.setDelegation(dlg, Instant.now().plus(Duration.ofMinutes(90)));
            assertThat(status(ftsChecks(config), "fts delegation")).startsWith("WARN delegation " + dlg + ": 1.")
                    .contains("under the renewal threshold of 2.0 h");

            Instant end = Instant.now().plus(Duration.ofHours(48)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            server.setDelegation(dlg, end);
            assertThat(status(ftsChecks(config), "fts delegation")).startsWith("OK delegation " + dlg + ": valid until " + end)
                    .contains("delegated again under 2.0 h");

            server.setDelegation(dlg, Instant.now().minus(Duration.ofHours(1)));
            assertThat(status(ftsChecks(config), "fts delegation")).startsWith("WARN").contains("expired at");
            assertThat(server.requests("PUT /delegation")).as("doctor never delegates").isZero();

            server.close();
            Map<String, JsonNode> down = ftsChecks(config);
            assertThat(status(down, "fts server")).startsWith("FAIL FTS3 " + server.uri() + " not usable: ");
            assertThat(down).doesNotContainKey("fts delegation");
        }
    }

    @Test
    void noFtsCheckWithTheBuiltInMover() throws Exception {
        CliFixture fx = new CliFixture(dir, "cleanupRaw: false");
        CliFixture.Run r = fx.cli("doctor");
        assertThat(r.out()).doesNotContain("fts server").doesNotContain("fts delegation");
    }
}
