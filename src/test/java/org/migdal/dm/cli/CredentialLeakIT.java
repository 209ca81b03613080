package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.daq.SyntheticRuns;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Never leak: full runs of the real CLI with a real VOMS proxy and a bearer token in the environment, at debug
 * level; every byte they print is searched for the token and for the proxy's private key. Also: a credential the
 * policy refuses stops the transfer stages before any file changes state.
 */
class CredentialLeakIT {
    @TempDir
    Path dir;

    record Run(int exit, String output) {
    }

    Run cli(Map<String, String> env, Path config, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(DaqProcesses.java(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "-c", config.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put("MIGDAL_LOG_LEVEL", "DEBUG");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("migdal-dm %s finished", List.of(args)).isTrue();
        return new Run(p.exitValue(), out);
    }

    static String jwt() {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        return b.encodeToString("{\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b.encodeToString(("{\"iss\":\"https://iam.example\",\"sub\":\"leaktest\",\"scope\":\"storage.read:/\","
                + "\"exp\":4102444800}").getBytes(StandardCharsets.UTF_8)) + ".U0VDUkVULXNpZ25hdHVyZS1kby1ub3QtbGVhaw";
    }

    @Test
    void noKeyProxyOrTokenContentReachesAnyOutput() throws Exception {
        Path proxy = dir.resolve("x509up");
        Process mk = new ProcessBuilder("bash", Path.of("src/test/resources/pki/mk-voms-proxy.sh").toAbsolutePath().toString(),
                dir.resolve("pki").toString(), "24", "/gridpp/migdal/Role=production", proxy.toString()).redirectErrorStream(true).start();
        mk.getInputStream().readAllBytes();
        assertThat(mk.waitFor(120, TimeUnit.SECONDS) && mk.exitValue() == 0).as("voms-proxy-fake made a proxy").isTrue();
        String token = jwt();

        Path disk = dir.resolve("data1");
        new SyntheticRuns(7).writeRun(disk, "Fe55", LocalDateTime.of(2026, 11, 28, 10, 0, 0), 3, 300_000);
        Files.writeString(disk.resolve("ReadyToTransfer"), "");
        Path config = dir.resolve("migdal-dm.yaml");
        Files.writeString(config, """
                catalog: {url: 'sqlite:%s'}
                daq:
                  disks: [{name: data1, path: '%s'}]
                storage: {disk: '%s', tape: '%s'}
                credentials: {proxy: '%s', warnHours: 1}
                lockDir: '%s'
                """.formatted(dir.resolve("catalog.db"), disk, org.migdal.dm.testinfra.Markers.initialised(dir.resolve("storage")).toUri(),
                org.migdal.dm.testinfra.Markers.initialised(dir.resolve("tape")).toUri(), proxy, dir));
        Map<String, String> env = Map.of("BEARER_TOKEN", token, "X509_USER_PROXY", proxy.toString());

        List<Run> runs = new ArrayList<>();
        Run doctor = cli(env, config, "doctor");
        runs.add(doctor);
        assertThat(doctor.output()).contains("x509 proxy").contains("/DC=org/DC=test/CN=Test User").contains("gridpp")
                .contains("bearer token").contains("leaktest");
        runs.add(cli(env, config, "doctor", "--json"));
        Run run = cli(env, config, "-v", "run", "--role", "all");
        assertThat(run.exit()).as(run.output()).isZero();
        runs.add(run);
        runs.add(cli(env, config, "status", "--json"));
        runs.add(cli(env, config, "ls", "--json"));

        // a storage that needs the proxy, with a policy that refuses it: nothing may start
        Path disk2 = dir.resolve("data2");
        new SyntheticRuns(8).writeRun(disk2, "AmBe", LocalDateTime.of(2026, 11, 28, 11, 0, 0), 2, 100_000);
        Files.writeString(disk2.resolve("ReadyToTransfer"), "");
        Path refusing = dir.resolve("refusing.yaml");
        Files.writeString(refusing, """
                catalog: {url: 'sqlite:%s'}
                daq:
                  disks: [{name: data2, path: '%s'}]
                storage: {disk: 'root://localhost:1//migdal', tape: '%s', diskAuth: x509}
                credentials: {proxy: '%s', requiredFqan: /gridpp/other/Role=production}
                lockDir: '%s'
                """.formatted(dir.resolve("catalog2.db"), disk2, dir.resolve("tape").toUri(), proxy, dir.resolve("lock2")));
        Run refused = cli(env, refusing, "run", "--role", "daq");
        runs.add(refused);
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.output()).contains("not started, no file touched").contains("/gridpp/other/Role=production is missing");
        Run ls = cli(env, refusing, "ls", "--state", "REGISTERED");
        runs.add(ls);
        assertThat(ls.output()).contains("-- 1–2 of 2");
        try (var files = Files.list(disk2.resolve("MIG_AmBe_data_261128T110000"))) {
            assertThat(files.count()).as("no DAQ file touched").isEqualTo(2);
        }

        List<String> secrets = new ArrayList<>(List.of(token, token.split("\\.")[1], token.split("\\.")[2]));
        boolean inKey = false;
        for (String line : Files.readAllLines(proxy)) {
            if (line.contains("PRIVATE KEY")) {
                inKey = !line.contains("END");
                continue;
            }
            if (inKey && line.length() > 20) {
                secrets.add(line);
            }
        }
        assertThat(secrets).hasSizeGreaterThan(10);
        for (Run r : runs) {
            assertThat(r.output()).doesNotContain("PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE");
            for (String s : secrets) {
                assertThat(r.output()).as("output must not contain credential material").doesNotContain(s);
            }
        }
    }
}
