package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --json} of the commands that report, over the real pipeline (file:// storage and tape, SQLite): the whole of
 * standard output is one JSON document saying what the command did, and the exit code is the one without it.
 */
class CliJsonTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Standard output parsed as exactly one JSON document (trailing text would fail the parse). */
    static JsonNode doc(CliFixture.Run r) throws Exception {
        try (com.fasterxml.jackson.core.JsonParser p = JSON.createParser(r.out())) {
            JsonNode n = JSON.readTree(p);
            assertThat(p.nextToken()).as("nothing after the document in %s", r).isNull();
            return n;
        }
    }

    @Test
    void theStagesReportWhatTheyDidAsJson() throws Exception {
        CliFixture fx = new CliFixture(tmp, "jobsPerCycle: 4");

        CliFixture.Run scan = fx.cli("scan", "--json");
        assertThat(scan.code()).as("%s", scan).isZero();
        JsonNode s = doc(scan);
        assertThat(s.get("stage").asText()).isEqualTo("scan");
        assertThat(s.get("ok").asBoolean()).isTrue();
        assertThat(s.get("report").get("registered").asInt()).isEqualTo(7);
        assertThat(s.get("report").get("disksScanned")).hasSize(2);

        CliFixture.Run ship = fx.cli("ship", "--json");
        assertThat(ship.code()).as("%s", ship).isZero();
        JsonNode sh = doc(ship).get("report");
        assertThat(sh.get("shipped").asInt()).isEqualTo(7);
        assertThat(sh.get("bytes").asLong()).isEqualTo(7L * CliFixture.FILE_BYTES);
        assertThat(sh.get("failed").asInt()).isZero();

        CliFixture.Run clean = fx.cli("clean", "--json");
        assertThat(clean.code()).as("%s", clean).isZero();
        assertThat(doc(clean).get("report").get("released")).extracting(JsonNode::asText).containsExactlyInAnyOrder("data1", "data2");

        CliFixture.Run archive = fx.cli("archive", "--json");
        assertThat(archive.code()).as("%s", archive).isZero();
        JsonNode a = doc(archive).get("report");
        assertThat(a.get("compressed").asInt()).isEqualTo(4);
        assertThat(a.get("onTape").asInt()).isEqualTo(4);
        assertThat(a.get("rawDeleted").asInt()).isZero();

        CliFixture.Run poll = fx.cli("poll", "--json");
        assertThat(poll.code()).as("%s", poll).isZero();
        JsonNode p = doc(poll).get("report");
        assertThat(p.get("tapeSubmitted").asLong()).isZero();
        assertThat(p.get("recalls").get("failed").asInt()).isZero();

        // the catalog agrees with what the documents said
        JsonNode status = doc(fx.cli("status", "--json"));
        long onTape = 0;
        for (JsonNode c : status.get("counts")) {
            onTape += c.get("state").asText().equals("ON_TAPE") ? c.get("files").asLong() : 0;
        }
        assertThat(onTape).isEqualTo(4);
    }

    @Test
    void runAndRecallReportAsJsonAndAFailingRunKeepsExitCode1() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");

        CliFixture.Run run = fx.cli("run", "--role", "all", "--json");
        assertThat(run.code()).as("%s", run).isZero();
        JsonNode r = doc(run);
        assertThat(r.get("role").asText()).isEqualTo("all");
        assertThat(r.get("ok").asBoolean()).isTrue();
        assertThat(r.get("scan").get("registered").asInt()).isEqualTo(7);
        assertThat(r.get("ship").get("shipped").asInt()).isEqualTo(7);
        assertThat(r.get("archive").get("onTape").asInt()).isEqualTo(7);
        assertThat(r.get("problems")).isEmpty();

        String lfn = CliFixture.allLfns().get(0);
        Path to = Files.createDirectories(tmp.resolve("recalled"));
        CliFixture.Run recall = fx.cli("recall", lfn, "--to", to.toUri().toString(), "--json");
        assertThat(recall.code()).as("%s", recall).isZero();
        JsonNode rc = doc(recall).get("report");
        assertThat(rc.get("requested").asInt()).isEqualTo(1);
        assertThat(rc.get("recalled").asInt()).isEqualTo(1);
        assertThat(rc.get("destination").asText()).isEqualTo(to.toUri().toString());
        assertThat(to.resolve(lfn.substring(1) + ".bz2")).exists();
        CliFixture.Run unknown = fx.cli("recall", "/no/such.dat", "--json");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(doc(unknown).get("problems").get(0).asText()).isEqualTo("no file /no/such.dat in the catalog");

        // a file whose storage copy is corrupted fails the next archive: exit 1, and still one document saying so
        CliFixture fx2 = new CliFixture(Files.createDirectories(tmp.resolve("second")), "cleanupRaw: false");
        assertThat(fx2.cli("run", "--role", "daq").code()).isZero();
        CliFixture.flipByte(fx2.inStorage(lfn), 100);
        CliFixture.Run grid = fx2.cli("run", "--role", "grid", "--json");
        assertThat(grid.code()).as("%s", grid).isEqualTo(1);
        JsonNode g = doc(grid);
        assertThat(g.get("ok").asBoolean()).isFalse();
        assertThat(g.get("archive").get("failed").asInt() + g.get("archive").get("quarantined").asInt()).isEqualTo(1);
        assertThat(g.get("problems").toString()).contains("archive: ");
    }

    @Test
    void doctorJsonNamesTheConfigFileUsed() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");

        CliFixture.Run d = fx.cli("doctor", "--json");
        JsonNode doc = doc(d);
        assertThat(d.code()).as("%s", d).isEqualTo(doc.get("ok").asBoolean() ? 0 : 1);
        assertThat(doc.get("config").asText()).isEqualTo(fx.config.toAbsolutePath().toString());
        JsonNode first = doc.get("checks").get(0);
        assertThat(first.get("check").asText()).isEqualTo("config");
        assertThat(first.get("detail").asText()).contains(fx.config.toAbsolutePath().toString()).contains("--config");
    }
}
