package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.Stage;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migdal.dm.cli.CliFixture.RUN_A;
import static org.migdal.dm.cli.CliFixture.RUN_B;
import static org.migdal.dm.cli.CliFixture.RUN_C;
import static org.migdal.dm.cli.CliFixture.lfn;

/**
 * {@code runs} and {@code manifest} on a catalog the real pipeline filled (file:// storage and tape, SQLite): complete runs
 * whose manifests match the catalog and the tape copies, an incomplete run (a damaged file QUARANTINED), a run with odd
 * LFNs (space, Unicode, a newline) still COMPRESSED or FORGOTTEN, an unknown run, and {@code --out} written atomically.
 */
class CliRunsManifestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ODD_RUN = "MIG_odd_data_220806T090000";
    private static final List<String> ODD_NAMES = List.of("with space.dat", "Grüße ☢ 測定.dat", "two\nlines\tand tab.dat");

    @TempDir
    Path tmp;

    private JdbcCatalog catalog() {
        return JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("test", Duration.ofMinutes(10), 3, Duration.ofSeconds(1)), Clock.systemUTC(), 2);
    }

    @Test
    void completeRunsAndTheirManifestsMatchTheCatalogAndTheTapeCopies() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("run", "--role", "all").code()).isZero();

        CliFixture.Run runs = fx.cli("runs");
        assertThat(runs.code()).as("%s", runs).isZero();
        try (JdbcCatalog c = catalog()) {
            for (String run : List.of(RUN_A, RUN_B, RUN_C)) {
                Instant since = c.list(new org.migdal.dm.catalog.FileFilter(null, null, run, null, 0, 100)).stream()
                        .map(CatalogFile::onTapeAt).max(Comparator.naturalOrder()).orElseThrow();
                int n = run.equals(RUN_A) ? 3 : 2;
                assertThat(runs.out()).contains("run " + run + ": " + n + " files (" + InfoCommands.mib((long) n * CliFixture.FILE_BYTES)
                        + "), all on tape since " + since + "\n");
            }
        }
        assertThat(runs.out().lines()).hasSize(4).last().isEqualTo("-- 3 runs");
        assertThat(fx.cli("runs", "--incomplete").out()).isEqualTo("-- 0 incomplete runs\n");

        JsonNode page = JSON.readTree(fx.cli("runs", "--json", "--limit", "2").out());
        assertThat(page.get("runs")).hasSize(2);
        assertThat(page.get("next").asText()).isEqualTo(page.get("runs").get(1).get("run").asText());
        JsonNode rest = JSON.readTree(fx.cli("runs", "--json", "--after", page.get("next").asText()).out());
        assertThat(rest.get("runs")).hasSize(1);
        assertThat(rest.get("next").isNull()).isTrue();

        // the JSON manifest: every field is the catalog's, and the tape URL names the tape copy with that size and adler32
        CliFixture.Run json = fx.cli("manifest", RUN_A, "--json");
        assertThat(json.code()).as("%s", json).isZero();
        JsonNode m = JSON.readTree(json.out());
        assertThat(m.get("format").asText()).isEqualTo("migdal-dm custody manifest 1");
        assertThat(m.get("run").asText()).isEqualTo(RUN_A);
        assertThat(m.get("fileCount").asLong()).isEqualTo(3);
        assertThat(m.get("bytes").asLong()).isEqualTo(3L * CliFixture.FILE_BYTES);
        assertThat(m.get("complete").asBoolean()).isTrue();
        assertThat(m.get("catalog").asText()).isEqualTo("sqlite:" + tmp.resolve("catalog.db").toAbsolutePath());
        assertThat(m.get("filesNotOnTape")).isEmpty();
        assertThat(m.get("files")).hasSize(3);
        try (JdbcCatalog c = catalog()) {
            for (int i = 0; i < 3; i++) {
                JsonNode f = m.get("files").get(i);
                assertThat(f.get("lfn").asText()).isEqualTo(lfn(RUN_A, i));
                CatalogFile row = c.find(lfn(RUN_A, i)).orElseThrow();
                assertMatches(f, row);
                Path onTape = Path.of(URI.create(f.get("tapeUrl").asText()));
                assertThat(onTape).isEqualTo(fx.onTape(lfn(RUN_A, i) + ".bz2"));
                assertThat(Files.size(onTape)).isEqualTo(f.get("compressedSize").asLong());
                assertThat(CliFixture.adler32(onTape)).isEqualTo(f.get("compressedAdler32").asText());
                assertThat(CliFixture.adler32(fx.inStorage(lfn(RUN_A, i)))).isEqualTo(f.get("adler32").asText());
                assertThat(f.get("tapeEvidence").asText()).isEqualTo(row.tapeEvidence()).isNotBlank();
            }
            assertThat(m.get("allOnTapeSince").asText()).isEqualTo(Stream.of(0, 1, 2).map(i -> c.find(lfn(RUN_A, i)).orElseThrow().onTapeAt())
                    .max(Comparator.naturalOrder()).orElseThrow().toString());
        }
        assertThat(m.get("digest").get("value").asText()).isEqualTo(digestOf(m.get("files")));

        // the text manifest: same digest, one line per file
        CliFixture.Run text = fx.cli("manifest", RUN_A);
        assertThat(text.code()).as("%s", text).isZero();
        assertThat(text.out()).startsWith("# migdal-dm custody manifest 1\n").contains("\ncomplete          yes: every file's")
                .doesNotContain("NOT ON TAPE").endsWith("# end of manifest\n");
        assertThat(text.out().lines().filter(l -> l.startsWith("ON_TAPE "))).hasSize(3);
        assertThat(text.out()).contains("digest            sha256:" + m.get("digest").get("value").asText() + " over the 3 files'");

        // --out: the same text in the file, a summary on stdout
        Path out = tmp.resolve("manifests/" + RUN_A + ".txt");
        Files.createDirectories(out.getParent());
        CliFixture.Run written = fx.cli("manifest", RUN_A, "--out", out.toString());
        assertThat(written.code()).as("%s", written).isZero();
        assertThat(written.out()).contains("manifest of run " + RUN_A + " written to " + out).contains("all on tape since");
        assertThat(withoutGeneratedAt(Files.readString(out))).isEqualTo(withoutGeneratedAt(text.out()));
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertThat(s).containsExactly(out);
        }
    }

    @Test
    void incompleteRunsSayWhatIsNotOnTapeAndOddLfnsStayOneLineEach() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("scan").code()).isZero();
        assertThat(fx.cli("ship").code()).isZero();
        String bad = lfn(RUN_A, 1);
        CliFixture.flipByte(fx.inStorage(bad), 1000); // the storage copy is damaged: archive quarantines it
        assertThat(fx.cli("archive").code()).isEqualTo(1);
        List<String> odd = addOddRun();

        CliFixture.Run runs = fx.cli("runs", "--incomplete");
        assertThat(runs.code()).as("%s", runs).isZero();
        assertThat(runs.out().lines()).containsExactly(
                "run " + RUN_A + ": 3 files (0.4 MiB), 1 not on tape (1 QUARANTINED)",
                "run " + ODD_RUN + ": 3 files (0.0 MiB), 3 not on tape (1 REGISTERED, 1 COMPRESSED, 1 FORGOTTEN (given up))",
                "-- 2 incomplete runs");
        assertThat(fx.cli("runs").out()).contains("run " + RUN_B + ": 2 files (0.3 MiB), all on tape since ");

        CliFixture.Run missing = fx.cli("runs", "--incomplete", "--missing", "5");
        assertThat(missing.out()).contains("    QUARANTINED     " + bad + "   [").contains("damaged");
        assertThat(missing.out()).contains("    FORGOTTEN       /2208/220806/" + ODD_RUN + "/two\\nlines\\tand tab.dat   [vanished from data1 before it was shipped]\n");
        assertThat(missing.out().lines()).hasSize(2 + 1 + 3 + 1);

        CliFixture.Run a = fx.cli("manifest", RUN_A);
        assertThat(a.code()).as("%s", a).isEqualTo(1);
        assertThat(a.out()).contains("\ncomplete          NO: 1 of 3 files are NOT on tape (1 QUARANTINED)\n")
                .contains("\nNOT ON TAPE (1 files; state, LFN, last error)\nQUARANTINED     " + bad + "\tlast error: ");
        assertThat(a.err()).contains("run " + RUN_A + " is not complete: 1 of 3 files are not on tape (1 QUARANTINED)");
        assertThat(a.out().lines().filter(l -> l.startsWith("ON_TAPE "))).hasSize(2);

        CliFixture.Run text = fx.cli("manifest", ODD_RUN, "--text");
        assertThat(text.code()).isEqualTo(1);
        List<String> lines = text.out().lines().toList();
        List<String> fileLines = lines.subList(lines.indexOf(lines.stream().filter(l -> l.startsWith("FILES (")).findFirst().orElseThrow()) + 2,
                lines.size()).stream().takeWhile(l -> !l.isEmpty()).toList();
        assertThat(fileLines).hasSize(3);
        assertThat(fileLines.get(0)).startsWith("REGISTERED").endsWith("  /2208/220806/" + ODD_RUN + "/Grüße ☢ 測定.dat\t-\t-\t-")
                .doesNotContain("\n");
        assertThat(fileLines.get(1)).startsWith("FORGOTTEN").contains("/two\\nlines\\tand tab.dat\t-\t-\t-");
        assertThat(fileLines.get(2)).startsWith("COMPRESSED").contains("/with space.dat\t/2208/220806/" + ODD_RUN + "/with space.dat.bz2\t"
                + fx.tape.toUri().toString().replaceAll("/$", "") + "/2208/220806/" + ODD_RUN + "/with space.dat.bz2\t-");
        for (String l : fileLines) {
            assertThat(l.split("\t", -1)).hasSize(4);
        }

        JsonNode m = JSON.readTree(fx.cli("manifest", ODD_RUN, "--json").out());
        assertThat(m.get("complete").asBoolean()).isFalse();
        assertThat(m.get("givenUp").asLong()).isEqualTo(1);
        List<String> listed = new ArrayList<>();
        m.get("files").forEach(f -> listed.add(f.get("lfn").asText()));
        assertThat(listed).containsExactlyElementsOf(odd.stream().sorted(CliRunsManifestTest::byBytes).toList());
        List<String> notOnTape = new ArrayList<>();
        m.get("filesNotOnTape").forEach(f -> notOnTape.add(f.get("lfn").asText() + " " + f.get("state").asText()));
        assertThat(notOnTape).hasSize(3);
        try (JdbcCatalog c = catalog()) {
            for (JsonNode f : m.get("files")) {
                assertMatches(f, c.find(f.get("lfn").asText()).orElseThrow());
            }
        }
        assertThat(m.get("digest").get("value").asText()).isEqualTo(digestOf(m.get("files")));
        assertThat(text.out()).contains("sha256:" + m.get("digest").get("value").asText());
    }

    @Test
    void anUnknownRunIsExit2AndWritesNothing() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("scan").code()).isZero();
        Path out = tmp.resolve("m.txt");
        Files.writeString(out, "an earlier manifest\n");

        for (List<String> args : List.of(List.of("manifest", "MIG_none"), List.of("manifest", "MIG_none", "--json"),
                List.of("manifest", "MIG_none", "--out", out.toString()))) {
            CliFixture.Run r = fx.cli(args.toArray(String[]::new));
            assertThat(r.code()).as("%s", r).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).contains("no file of run MIG_none in the catalog");
        }
        assertThat(Files.readString(out)).isEqualTo("an earlier manifest\n");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
        assertThat(fx.cli("manifest", RUN_A, "--json", "--text").code()).isEqualTo(2); // one format only
        assertThat(fx.cli("runs", "--limit", "0").code()).isEqualTo(2);
    }

    @Test
    void theOutputFileNeverExistsHalfWritten() throws Exception {
        Path target = tmp.resolve("run.manifest");
        // while the manifest is being written, the target does not exist; a failure half-way leaves nothing behind
        assertThatThrownBy(() -> ManifestCommand.writeAtomically(target, w -> {
            w.write("# migdal-dm custody manifest 1\nrun  MIG_x\n");
            w.flush();
            assertThat(target).doesNotExist();
            try (Stream<Path> s = Files.list(tmp)) {
                assertThat(s.map(p -> p.getFileName().toString())).singleElement().satisfies(n -> assertThat(n).startsWith(".run.manifest.").endsWith(".part"));
            }
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
        // an earlier manifest is replaced only by a complete one
        Files.writeString(target, "old");
        assertThatThrownBy(() -> ManifestCommand.writeAtomically(target, w -> {
            w.write("half");
            throw new IOException("killed");
        })).isInstanceOf(IOException.class);
        assertThat(Files.readString(target)).isEqualTo("old");
        Optional<org.migdal.dm.catalog.RunSummary> s = ManifestCommand.writeAtomically(target, w -> {
            w.write("whole ✓\n");
            assertThat(Files.readString(target)).isEqualTo("old");
            return Optional.of(new org.migdal.dm.catalog.RunSummary("MIG_x", 1, 1, java.util.Map.of(FileState.ON_TAPE, 1L), 1, 0, 0, true,
                    null, List.of()));
        });
        assertThat(s).isPresent();
        assertThat(Files.readString(target)).isEqualTo("whole ✓\n");
        try (Stream<Path> l = Files.list(tmp)) {
            assertThat(l).containsExactly(target);
        }
    }

    /** A run of odd LFNs put into the catalog through its API (a scan refuses a newline in a name): REGISTERED, COMPRESSED, FORGOTTEN. */
    private List<String> addOddRun() {
        List<String> lfns = new ArrayList<>();
        try (JdbcCatalog c = catalog()) {
            List<NewFile> files = new ArrayList<>();
            for (String name : ODD_NAMES) {
                String lfn = "/2208/220806/" + ODD_RUN + "/" + name;
                lfns.add(lfn);
                files.add(new NewFile(lfn, "data1", ODD_RUN + "/" + name, ODD_RUN, 10, Instant.parse("2022-08-06T09:00:00Z")));
            }
            assertThat(c.register(files).added()).isEqualTo(3);
            for (CatalogFile f : c.claim(Stage.SHIP, 10)) {
                if (f.lfn().contains("Grüße")) {
                    c.putBack(f, "ship", "not now");
                } else if (f.lfn().contains("\n")) {
                    c.markMissing(f, "vanished from data1 before it was shipped");
                } else {
                    c.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("0badc0de"), "ship", "shipped");
                }
            }
            assertThat(c.forget(List.of(lfns.get(2))).forgotten()).hasSize(1);
            for (CatalogFile f : c.claim(Stage.COMPRESS, 10)) {
                c.advance(f, FileState.COMPRESSED, Changes.none().compressed(f.lfn() + ".bz2", 4, "01020304"), "compress", "ok");
            }
        }
        return lfns;
    }

    private static int byBytes(String x, String y) {
        return java.util.Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertMatches(JsonNode f, CatalogFile row) {
        assertThat(f.get("lfn").asText()).isEqualTo(row.lfn());
        assertThat(f.get("state").asText()).isEqualTo(row.state().name());
        assertThat(f.get("size").asLong()).isEqualTo(row.size());
        assertThat(text(f, "adler32")).isEqualTo(row.adler32());
        assertThat(text(f, "compressedName")).isEqualTo(row.compressedName());
        assertThat(f.get("compressedSize").isNull() ? null : f.get("compressedSize").asLong()).isEqualTo(row.compressedSize());
        assertThat(text(f, "compressedAdler32")).isEqualTo(row.compressedAdler32());
        assertThat(text(f, "tapeEvidence")).isEqualTo(row.tapeEvidence());
        assertThat(time(f, "onTapeAt")).isEqualTo(row.onTapeAt());
        assertThat(time(f, "registeredAt")).isEqualTo(row.registeredAt());
        assertThat(time(f, "shippedAt")).isEqualTo(row.shippedAt());
        if (row.compressedName() == null) {
            assertThat(f.get("tapeUrl").isNull()).isTrue();
        } else {
            assertThat(f.get("tapeUrl").asText()).endsWith(row.compressedName());
        }
    }

    private static String text(JsonNode f, String field) {
        return f.get(field).isNull() ? null : f.get(field).asText();
    }

    private static Instant time(JsonNode f, String field) {
        return f.get(field).isNull() ? null : Instant.parse(f.get(field).asText());
    }

    /** The digest as the README defines it, computed here from the JSON alone. */
    private static String digestOf(JsonNode files) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        String[] fields = {"lfn", "state", "size", "adler32", "compressedName", "compressedSize", "compressedAdler32", "tapeUrl", "onTapeAt",
                "tapeEvidence", "registeredAt", "shippedAt"};
        for (JsonNode f : files) {
            List<String> values = new ArrayList<>();
            for (String field : fields) {
                values.add(f.get(field).isNull() ? "-" : escape(f.get(field).asText()));
            }
            sha.update((String.join("\t", values) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String escape(String v) {
        if (v.equals("-")) {
            return "\\-";
        }
        StringBuilder b = new StringBuilder();
        v.codePoints().forEach(cp -> {
            if (cp == '\\') {
                b.append("\\\\");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp < 0x20 || cp == 0x7f) {
                b.append(String.format("\\x%02x", cp));
            } else if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    private static String withoutGeneratedAt(String manifest) {
        return manifest.replaceAll("(?m)^generated at .*$", "");
    }
}
