package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The log: one line per event whatever a message or a file name holds, as text or as one JSON object per line, on
 * stderr and appended to a log file when one is given (on the command line or as {@code log.file}).
 */
class CliLogTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @TempDir
    Path tmp;

    @AfterEach
    void backToTheDefault() {
        LogConfigurator.apply("text", null);
    }

    private static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = JSON.readTree(line);
            assertThat(n.isObject()).as(line).isTrue();
            assertThat(n.get("time").asText()).matches(TIME);
            assertThat(n.get("level").asText()).isIn("ERROR", "WARN", "INFO", "DEBUG", "TRACE");
            assertThat(n.get("logger").asText()).isNotBlank();
            assertThat(n.has("message")).isTrue();
            out.add(n);
        }
        return out;
    }

    @Test
    void aRunWritesJsonLinesThatParseToTheLogFileAndASecondRunAppends() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Path log = tmp.resolve("logs/migdal-dm.log"); // its folder does not exist yet

        CliFixture.Run run = fx.cli("--log-format", "json", "--log-file", log.toString(), "run", "--role", "all");

        assertThat(run.code()).as("%s", run).isZero();
        List<JsonNode> first = jsonLines(log);
        assertThat(first).extracting(n -> n.get("message").asText()).anyMatch(m -> m.startsWith("cycle all done"))
                .anyMatch(m -> m.startsWith("shipped " + CliFixture.allLfns().get(0)));
        assertThat(first).extracting(n -> n.get("logger").asText()).contains("org.migdal.dm.cli.Cycle");

        CliFixture.Run again = fx.cli("--log-format", "json", "--log-file", log.toString(), "run", "--role", "all");
        assertThat(again.code()).as("%s", again).isZero();
        List<JsonNode> both = jsonLines(log);
        assertThat(both.size()).isGreaterThan(first.size());
        assertThat(both.subList(0, first.size())).isEqualTo(first); // appended, nothing rewritten
    }

    @Test
    void theConfigurationsLogKeysWorkAndTheCommandLineWins() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Path log = tmp.resolve("from-config.log");
        Files.writeString(fx.config, Files.readString(fx.config) + "log: {format: json, file: \"" + log + "\"}\n");

        assertThat(fx.cli("scan").code()).isZero();
        assertThat(jsonLines(log)).extracting(n -> n.get("message").asText()).anyMatch(m -> m.startsWith("scan data1:"));

        Path text = tmp.resolve("text.log");
        assertThat(fx.cli("--log-format", "text", "--log-file", text.toString(), "ship").code()).isZero();
        List<String> lines = Files.readAllLines(text);
        assertThat(lines).isNotEmpty().allMatch(l -> l.matches(TIME + " (INFO |WARN |ERROR|DEBUG) \\w+: .*"));
        assertThat(lines).anyMatch(l -> l.contains("INFO  Shipper: shipped /2208/"));
    }

    @Test
    void aLogFileThatCannotBeOpenedIsAConfigurationErrorNamingIt() throws Exception {
        Path notAFolder = Files.writeString(tmp.resolve("plain-file"), "x");
        Path log = notAFolder.resolve("migdal-dm.log");
        CliFixture.Run r = CliFixture.raw("--log-file", log.toString(), "status");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains(log.toString()).contains("cannot be opened");
    }

    @Test
    void theLogOptionsValuesAreNotTakenForTheCommand() {
        assertThat(Main.commandWord("--log-format", "json", "--log-file", "x.log", "status")).isEqualTo("status");
    }

    @Test
    void aBadLogFormatIsAUsageError() {
        CliFixture.Run r = CliFixture.raw("--log-format", "xml", "status");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--log-format").contains("xml");
    }

    @Test
    void aFileNameWithANewlineStaysOnOneLineInBothFormats() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Path odd = Files.writeString(fx.data1.resolve(CliFixture.RUN_A).resolve("odd\nname.dat"), "x");
        Path log = tmp.resolve("scan.log");

        CliFixture.Run scan = fx.cli("--log-format", "json", "--log-file", log.toString(), "scan");

        assertThat(scan.code()).as("%s", scan).isEqualTo(1); // the odd name is a new scan problem
        assertThat(jsonLines(log)).extracting(n -> n.get("message").asText()).anyMatch(m -> m.contains("odd\\nname.dat"));

        // a message with a raw newline and an exception with a stack trace: one line each, in both formats
        IOException failure = new IOException("cannot read " + odd + "\nsecond line");
        for (String format : List.of("text", "json")) {
            Path f = tmp.resolve(format + ".log");
            LogConfigurator.apply(format, f);
            LoggerFactory.getLogger(CliLogTest.class).warn("ship {}: failed", odd, failure);
            List<String> lines = Files.readAllLines(f);
            assertThat(lines).as(format).hasSize(1);
            String line = lines.get(0);
            if (format.equals("json")) {
                JsonNode n = JSON.readTree(line);
                assertThat(n.get("message").asText()).isEqualTo("ship " + odd + ": failed"); // the raw name, unescaped by the parser
                assertThat(n.get("exception").asText()).startsWith("java.io.IOException: cannot read " + odd + "\nsecond line")
                        .contains("\tat org.migdal.dm.cli.CliLogTest.");
                assertThat(n.get("logger").asText()).isEqualTo(CliLogTest.class.getName());
            } else {
                assertThat(line).matches(TIME + " WARN  CliLogTest: ship .*odd\\\\nname\\.dat: failed \\| exception: java\\.io\\.IOException: .*")
                        .contains("\\nsecond line").contains("\\n\\tat org.migdal.dm.cli.CliLogTest.");
            }
        }
    }

    @Test
    void controlCharactersAreEscapedAndPlainTextLeftAlone() {
        assertThat(LogLines.oneLine("plain /data1/MIG_x.dat")).isEqualTo("plain /data1/MIG_x.dat");
        assertThat(LogLines.oneLine("a\nb\r\tc\\d\u0007e\u2028")).isEqualTo("a\\nb\\r\\tc\\d\\x07e\\u2028");
    }
}
