package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher as cron runs it, a process of its own: with {@code --json} its standard output is exactly one JSON
 * document and every log line is on standard error (here in the JSON log format, each line an object); the
 * configuration is found through {@code $MIGDAL_DM_CONFIG}, and one named there that does not exist is exit 2.
 */
class CliJsonProcessIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    private Run launch(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of("bin", "migdal-dm").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        pb.environment().remove("MIGDAL_JAVA_OPTS");
        pb.environment().remove("MIGDAL_DM_CONFIG");
        pb.environment().put("MIGDAL_CDS", "off");
        pb.environment().putAll(env);
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("migdal-dm %s finished", List.of(args)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void stdoutIsOneDocumentAndEveryLogLineIsOnStderr() throws Exception {
        CliFixture fx = new CliFixture(Files.createDirectories(tmp.resolve("site")), "cleanupRaw: false");
        Map<String, String> env = Map.of("MIGDAL_DM_CONFIG", fx.config.toString());

        Run run = launch(env, "--log-format", "json", "run", "--role", "all", "--json");

        assertThat(run.code()).as("%s", run).isZero();
        JsonNode doc;
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(run.out())) {
            doc = JSON.readTree(p);
            assertThat(p.nextToken()).as("nothing after the document").isNull();
        }
        assertThat(doc.get("ship").get("shipped").asInt()).isEqualTo(7);
        assertThat(doc.get("archive").get("onTape").asInt()).isEqualTo(7);
        List<String> lines = run.err().lines().toList();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            assertThat(JSON.readTree(line).get("level").asText()).as(line).isNotBlank();
        }
        assertThat(run.err()).contains("cycle all done");

        Run missing = launch(Map.of("MIGDAL_DM_CONFIG", tmp.resolve("gone.yaml").toString()), "status", "--json");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.out()).isEmpty();
        assertThat(missing.err()).contains(tmp.resolve("gone.yaml").toString()).contains("$MIGDAL_DM_CONFIG");
    }
}
