package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.cli.CliFixture.RUN_A;
import static org.migdal.dm.cli.CliFixture.RUN_B;
import static org.migdal.dm.cli.CliFixture.RUN_C;
import static org.migdal.dm.cli.CliFixture.lfn;

/**
 * status, ls, show and the exit codes, on a catalog filled by the real scan, ship and archive commands: 7 files,
 * the first 4 archived to tape (jobsPerCycle 4), 3 still only on disk storage.
 */
class CliInfoTest {

    @TempDir
    static Path tmp;

    static CliFixture fx;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void fill() throws Exception {
        fx = new CliFixture(tmp, "jobsPerCycle: 4");
        CliFixture.Run scan = fx.cli("scan");
        assertThat(scan.code()).as("%s", scan).isZero();
        assertThat(scan.out()).contains("7 registered");
        CliFixture.Run ship = fx.cli("ship");
        assertThat(ship.code()).as("%s", ship).isZero();
        assertThat(ship.out()).contains("shipped 7 files");
        CliFixture.Run archive = fx.cli("archive");
        assertThat(archive.code()).as("%s", archive).isZero();
        assertThat(archive.out()).contains("compressed 4, on tape 4, failed 0, quarantined 0");
    }

    @Test
    void statusShowsStatesAndDisks() {
        CliFixture.Run r = fx.cli("status");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("ON_TAPE").contains("ON_DISK_STORAGE").contains("data1").contains("data2").contains("total")
                .doesNotContain("QUARANTINED").doesNotContain("REGISTERED");
        String totalOnTape = r.out().lines().filter(l -> l.startsWith("ON_TAPE")).findFirst().orElseThrow();
        assertThat(totalOnTape).endsWith("4 / 0.5 MiB");
        String totalOnDisk = r.out().lines().filter(l -> l.startsWith("ON_DISK_STORAGE")).findFirst().orElseThrow();
        assertThat(totalOnDisk).endsWith("3 / 0.4 MiB");
    }

    @Test
    void statusJsonIsValidJsonWithCounts() throws Exception {
        CliFixture.Run r = fx.cli("status", "--json");

        assertThat(r.code()).as("%s", r).isZero();
        JsonNode doc = JSON.readTree(r.out());
        long files = 0;
        long bytes = 0;
        long onTape = 0;
        Set<String> disks = new HashSet<>();
        for (JsonNode c : doc.get("counts")) {
            files += c.get("files").asLong();
            bytes += c.get("bytes").asLong();
            disks.add(c.get("disk").asText());
            if (c.get("state").asText().equals("ON_TAPE")) {
                onTape += c.get("files").asLong();
            }
        }
        assertThat(files).isEqualTo(7);
        assertThat(bytes).isEqualTo(7L * CliFixture.FILE_BYTES);
        assertThat(onTape).isEqualTo(4);
        assertThat(disks).containsExactlyInAnyOrder("data1", "data2");
        List<String> diskNames = new ArrayList<>();
        doc.get("disks").forEach(d -> diskNames.add(d.get("name").asText()));
        assertThat(diskNames).containsExactlyInAnyOrder("data1", "data2");
    }

    private List<String> lsJson(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("ls", "--json"));
        all.addAll(List.of(args));
        CliFixture.Run r = fx.cli(all.toArray(String[]::new));
        assertThat(r.code()).as("%s", r).isZero();
        List<String> lfns = new ArrayList<>();
        JSON.readTree(r.out()).get("files").forEach(f -> lfns.add(f.get("lfn").asText()));
        return lfns;
    }

    @Test
    void lsPagesThroughEveryFileExactlyOnce() throws Exception {
        List<String> seen = new ArrayList<>();
        seen.addAll(lsJson("--limit", "3", "--offset", "0"));
        seen.addAll(lsJson("--limit", "3", "--offset", "3"));
        List<String> last = lsJson("--limit", "3", "--offset", "6");
        seen.addAll(last);

        assertThat(last).hasSize(1);
        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(CliFixture.allLfns());
        assertThat(lsJson("--limit", "3", "--offset", "7")).isEmpty();

        CliFixture.Run text = fx.cli("ls", "--limit", "3", "--offset", "3");
        assertThat(text.out().lines().filter(l -> l.contains("/2208/"))).hasSize(3);
        assertThat(text.out()).contains("-- 4–6 of 7");
        JsonNode doc = JSON.readTree(fx.cli("ls", "--json", "--limit", "2").out());
        assertThat(doc.get("total").asLong()).isEqualTo(7);
        assertThat(doc.get("files")).hasSize(2);
    }

    @Test
    void lsHasAHeaderAndHumanUnits() throws Exception {
        CliFixture.Run r = fx.cli("ls", "--state", "ON_TAPE", "--limit", "2");

        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).containsPattern("ID +STATE +DISK +SIZE +ADLER32 +UPDATED \\(UTC\\) +LFN");
        JsonNode files = JSON.readTree(fx.cli("ls", "--state", "ON_TAPE", "--limit", "2", "--json").out()).get("files");
        for (int i = 0; i < 2; i++) {
            JsonNode f = files.get(i);
            String updated = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(java.time.ZoneOffset.UTC)
                    .format(java.time.Instant.parse(f.get("updatedAt").asText()));
            assertThat(lines.get(i + 1)).containsPattern(" " + f.get("id").asLong() + "  ON_TAPE +data\\d +128\\.0 KiB  "
                    + f.get("adler32").asText() + "  " + updated + "  " + java.util.regex.Pattern.quote(f.get("lfn").asText()));
        }
        assertThat(lines.get(3)).startsWith("-- 1–2 of 4; next page: --after " + files.get(1).get("id").asLong());
        assertThat(files.get(0).get("size").asLong()).as("--json keeps bytes").isEqualTo(CliFixture.FILE_BYTES);
    }

    @Test
    void humanUnits() {
        assertThat(Units.bytes(0)).isEqualTo("0 B");
        assertThat(Units.bytes(1023)).isEqualTo("1023 B");
        assertThat(Units.bytes(1024)).isEqualTo("1.0 KiB");
        assertThat(Units.bytes(1_048_575)).isEqualTo("1.0 MiB");
        assertThat(Units.bytes(5L * 1024 * 1024 * 1024 / 2)).isEqualTo("2.5 GiB");
        assertThat(Units.minute(java.time.Instant.parse("2026-12-01T15:41:59Z"))).isEqualTo("2026-12-01 15:41");
        assertThat(Units.minute(null)).isEqualTo("-");
    }

    @Test
    void lsFilters() throws Exception {
        assertThat(lsJson("--state", "ON_TAPE")).hasSize(4);
        assertThat(lsJson("--state", "ON_DISK_STORAGE")).hasSize(3);
        assertThat(lsJson("--state", "QUARANTINED")).isEmpty();
        assertThat(lsJson("--disk", "data2")).containsExactlyInAnyOrder(lfn(RUN_C, 0), lfn(RUN_C, 1));
        assertThat(lsJson("--run", RUN_B)).containsExactlyInAnyOrder(lfn(RUN_B, 0), lfn(RUN_B, 1));
        assertThat(lsJson("--run", RUN_A)).hasSize(3);
        assertThat(lsJson("--lfn", "AmBe")).containsExactlyInAnyOrder(lfn(RUN_B, 0), lfn(RUN_B, 1));
        assertThat(lsJson("--lfn", "CAL.0001")).containsExactlyInAnyOrder(lfn(RUN_A, 1), lfn(RUN_B, 1), lfn(RUN_C, 1));
        assertThat(lsJson("--disk", "data1", "--run", RUN_A, "--lfn", "0002")).containsExactly(lfn(RUN_A, 2));
        assertThat(lsJson("--disk", "data9")).isEmpty();
        // LIKE wildcards in the text are literal
        assertThat(lsJson("--lfn", "%")).isEmpty();
        assertThat(lsJson("--lfn", "Fe55_data")).hasSize(3);
        assertThat(lsJson("--lfn", "Fe55Xdata")).isEmpty();
        assertThat(lsJson("--lfn", "Fe55_data".replace('_', '?'))).isEmpty();
        // the filter and the page combine
        assertThat(lsJson("--state", "ON_TAPE", "--limit", "3", "--offset", "3")).hasSize(1);
    }

    @Test
    void showPrintsTheRowAndItsHistory() throws Exception {
        String lfn = lsJson("--state", "ON_TAPE").get(0);

        CliFixture.Run r = fx.cli("show", lfn);

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains(lfn).contains("ON_TAPE").contains(lfn + ".bz2").contains("history:");
        List<String> actions = r.out().lines().dropWhile(l -> !l.equals("history:")).skip(1)
                .map(l -> l.trim().split("\\s+")[2]).toList();
        assertThat(actions).containsSubsequence("register", "ship", "compress", "tape");

        JsonNode doc = JSON.readTree(fx.cli("show", "--json", lfn).out());
        assertThat(doc.get("file").get("lfn").asText()).isEqualTo(lfn);
        assertThat(doc.get("file").get("state").asText()).isEqualTo("ON_TAPE");
        assertThat(doc.get("file").get("compressedAdler32").asText())
                .isEqualTo(CliFixture.adler32(fx.inStorage(lfn + ".bz2")));
        List<String> jsonActions = new ArrayList<>();
        doc.get("events").forEach(e -> jsonActions.add(e.get("action").asText()));
        assertThat(jsonActions).containsSubsequence("register", "ship", "compress", "tape");
        Optional<JsonNode> compress = Optional.empty();
        for (JsonNode e : doc.get("events")) {
            if (e.get("action").asText().equals("compress")) {
                compress = Optional.of(e);
            }
        }
        assertThat(compress).get().satisfies(e -> assertThat(e.get("message").asText()).contains("decompressed: "));
    }

    @Test
    void showOfAnUnknownLfnExits1() {
        CliFixture.Run r = fx.cli("show", "/2208/220803/no/such.dat");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("no file /2208/220803/no/such.dat");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void usageErrorsExit2() {
        assertThat(fx.cli("status", "--bogus").code()).isEqualTo(2);
        assertThat(fx.cli("status", "--bogus").err()).contains("--bogus");
        assertThat(fx.cli("frobnicate").code()).isEqualTo(2);
        assertThat(fx.cli("ls", "--state", "NOT_A_STATE").code()).isEqualTo(2);
        assertThat(fx.cli("ls", "--limit", "many").code()).isEqualTo(2);
        assertThat(fx.cli("show").code()).isEqualTo(2);
        assertThat(fx.cli("run").code()).as("--role is required").isEqualTo(2);
        assertThat(fx.cli("run", "--role", "both").code()).isEqualTo(2);
        assertThat(fx.cli().code()).as("no subcommand prints usage").isEqualTo(2);
        assertThat(fx.cli("retry").code()).as("neither LFNs nor --failed").isEqualTo(2);
        assertThat(fx.cli("retry", "--failed", lfn(RUN_A, 0)).code()).as("both LFNs and --failed").isEqualTo(2);
    }

    @Test
    void helpAndVersionExit0() {
        CliFixture.Run help = CliFixture.raw("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("quickstart").contains("status").contains("retry").contains("Exit codes");
        assertThat(CliFixture.raw("--version").code()).isZero();
    }

    /** Every registered subcommand, at any depth, as the words that name it ({@code bench scan}). */
    private static List<List<String>> subcommands(picocli.CommandLine cl, List<String> path) {
        List<List<String>> out = new ArrayList<>();
        for (var e : cl.getSubcommands().entrySet()) {
            List<String> words = new ArrayList<>(path);
            words.add(e.getKey());
            out.add(words);
            out.addAll(subcommands(e.getValue(), words));
        }
        return out;
    }

    @Test
    void everySubcommandAnswersHelpWithItsUsageAndExit0() {
        List<List<String>> all = subcommands(Main.commandLine(new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(new java.io.StringWriter())), List.of());
        assertThat(all).extracting(w -> String.join(" ", w)).contains("scan", "ship", "clean", "status", "ls", "show",
                "retry", "forget", "doctor", "run", "daemon", "quickstart", "recall", "import-legacy", "bench", "bench scan", "help");
        List<String> failed = new ArrayList<>();
        for (List<String> words : all) {
            List<String> args = new ArrayList<>(words);
            args.add("--help");
            CliFixture.Run r = CliFixture.raw(args.toArray(String[]::new));
            String name = String.join(" ", words);
            if (r.code() != 0 || !r.out().contains("Usage: migdal-dm " + name) || !r.err().isEmpty()) {
                failed.add(name + " → " + r);
            }
        }
        assertThat(failed).as("subcommands whose --help does not print usage and exit 0").isEmpty();
    }

    @Test
    void aBadConfigExits2AndNamesTheKey() throws Exception {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, Files.readString(fx.config).replace("threads: 2,", "threads: 0,"));
        CliFixture.Run r = CliFixture.raw("-c", bad.toString(), "status");
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("configuration error").contains("transfer.threads").contains(bad.toString());

        Files.writeString(bad, Files.readString(fx.config).replace("disks:", "disk:"));
        r = CliFixture.raw("-c", bad.toString(), "ls");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown key 'daq.disk'");

        r = CliFixture.raw("-c", tmp.resolve("missing.yaml").toString(), "status");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("missing.yaml").contains("does not exist");
    }

    @Test
    void aStageFindsTheLockTakenAndExits3() throws Exception {
        StringBuilder holder = new StringBuilder();
        Path lockFile = tmp.resolve("migdal-dm-grid.lock");
        try (RunLock held = RunLock.tryAcquire(lockFile, holder).orElseThrow()) {
            CliFixture.Run r = fx.cli("archive");
            assertThat(r.code()).as("%s", r).isEqualTo(3);
            assertThat(r.err()).contains("another migdal-dm grid run holds").contains(lockFile.toString());
            assertThat(fx.cli("run", "--role", "all").code()).isEqualTo(3);
            // the DAQ role has its own lock
            assertThat(fx.cli("scan").code()).isZero();
        }
        assertThat(fx.cli("poll").code()).as("lock released").isZero();
    }
}
