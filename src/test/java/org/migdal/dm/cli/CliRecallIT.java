package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code recall --run RUN --to URL} after a quickstart: files come back verified, and {@code show} reports the recall. */
class CliRecallIT {
    @TempDir
    Path dir;

    record Out(int rc, String out) {
    }

    static Out cli(String... args) {
        StringWriter out = new StringWriter();
        int rc = Main.commandLine(new PrintWriter(out, true), new PrintWriter(out, true)).execute(args);
        return new Out(rc, out.toString());
    }

    @Test
    void aRecalledRunArrivesVerifiedAndShowsInTheHistory() throws Exception {
        Path base = dir.resolve("qs");
        assertThat(cli("quickstart", "--dir", base.toString(), "--file-mib", "1").rc()).isZero();
        String config = base.resolve("migdal-dm.yaml").toString();
        JsonNode ls = new ObjectMapper().readTree(cli("-c", config, "ls", "--state", "on_tape", "--limit", "1", "--json").out());
        JsonNode first = ls.get("files").get(0);
        String run = first.get("run").asText();
        Path to = Files.createDirectories(dir.resolve("recalled"));

        Out recall = cli("-c", config, "recall", "--run", run, "--to", to.toUri().toString());

        assertThat(recall.rc()).as(recall.out()).isZero();
        assertThat(recall.out()).contains("recall(s) requested").contains("recalled and verified 8, failed 0");
        String name = first.get("compressedName").asText();
        Path arrived = to.resolve(name.substring(1));
        Adler32 a = new Adler32();
        a.update(Files.readAllBytes(arrived));
        assertThat(String.format("%08x", a.getValue())).isEqualTo(first.get("compressedAdler32").asText());

        Out show = cli("-c", config, "show", first.get("lfn").asText());
        assertThat(show.out()).contains("recalls:").contains("DONE").contains("recall-request");
        JsonNode json = new ObjectMapper().readTree(cli("-c", config, "show", first.get("lfn").asText(), "--json").out());
        assertThat(json.get("recalls").get(0).get("state").asText()).isEqualTo("DONE");

        Out again = cli("-c", config, "recall", "--run", run, "--to", to.toUri().toString());
        assertThat(again.out()).as("a finished recall may be asked for again").contains("8 recall(s) requested");
    }
}
