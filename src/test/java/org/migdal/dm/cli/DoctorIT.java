package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.security.TestPki;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code doctor} on the quickstart configuration (everything OK) and on a grid configuration whose proxy has
 * expired (FAIL, exit 1). The outputs are kept in {@code target/doctor-*.txt} for the operators' notes.
 */
class DoctorIT {
    @TempDir
    Path dir;

    record Out(int exit, String out, String err) {
    }

    static Out doctor(Path config, String... extra) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[2 + 1 + extra.length];
        args[0] = "-c";
        args[1] = config.toString();
        args[2] = "doctor";
        System.arraycopy(extra, 0, args, 3, extra.length);
        int rc = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Out(rc, out.toString(), err.toString());
    }

    @Test
    void quickstartConfigurationIsHealthy() throws Exception {
        Path base = dir.resolve("qs");
        for (String d : new String[]{"data1", "data2", "data3", "data4"}) {
            Files.createDirectories(base.resolve("daq").resolve(d));
        }
        org.migdal.dm.testinfra.Markers.initialised(base.resolve("storage"));
        org.migdal.dm.testinfra.Markers.initialised(base.resolve("tape"));
        Path config = base.resolve("migdal-dm.yaml");
        Files.writeString(config, QuickstartCommand.config(base));

        Out r = doctor(config);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/doctor-quickstart.txt"), r.out());

        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out().lines()).allSatisfy(l -> assertThat(l).startsWith("OK "));
        assertThat(r.out()).contains("catalog").contains("disk data4").contains("storage.disk").contains("checksum confirmed");
        try (var left = Files.list(base.resolve("storage"))) {
            assertThat(left).as("the probe file is removed; the marker stays")
                    .extracting(p -> p.getFileName().toString()).containsExactly(org.migdal.dm.storage.Marker.NAME);
        }
        JsonNode json = new ObjectMapper().readTree(doctor(config, "--json").out());
        assertThat(json.get("ok").asBoolean()).isTrue();
        assertThat(json.get("checks")).allSatisfy(c -> assertThat(c.get("status").asText()).isEqualTo("OK"));
    }

    @Test
    void anExpiredProxyFailsAndSaysHowToFixIt() throws Exception {
        TestPki.Layout pki = TestPki.create().writeAll(dir.resolve("pki"));
        Path disk = Files.createDirectories(dir.resolve("data1"));
        Path config = dir.resolve("grid.yaml");
        Files.writeString(config, """
                catalog: {url: 'sqlite:%s'}
                daq:
                  disks: [{name: data1, path: '%s'}]
                storage:
                  disk: 'root://127.0.0.1:1//pnfs/migdal'
                  tape: '%s'
                credentials: {proxy: '%s', certDir: '%s'}
                lockDir: '%s'
                """.formatted(dir.resolve("c.db"), disk, dir.resolve("tape").toUri(), pki.expiredProxy(), pki.caDir(), dir));

        Out r = doctor(config);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/doctor-expired-proxy.txt"), r.out());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).containsPattern("(?m)^FAIL x509 proxy .*EXPIRED.*voms-proxy-init");
        assertThat(r.out()).containsPattern("(?m)^OK +CA directory ");
        assertThat(r.out()).containsPattern("(?m)^FAIL storage.disk ");
        assertThat(r.out()).doesNotContain("PRIVATE KEY");
    }
}
