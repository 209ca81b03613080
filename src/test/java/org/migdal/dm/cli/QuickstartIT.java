package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code quickstart} twice, end to end, checked against the files themselves, not only the catalog. */
class QuickstartIT {

    @TempDir
    Path tmp;

    static final ObjectMapper JSON = new ObjectMapper();

    private static List<JsonNode> catalog(Path config) throws IOException {
        CliFixture.Run r = CliFixture.raw("-c", config.toString(), "ls", "--json", "--limit", "10000");
        assertThat(r.code()).as("%s", r).isZero();
        List<JsonNode> rows = new ArrayList<>();
        JSON.readTree(r.out()).get("files").forEach(rows::add);
        return rows;
    }

    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> regularFiles(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    /** Every row is ON_TAPE and every copy it names is really there with its recorded size and adler32. */
    private static void checkEveryCopy(Path base, List<JsonNode> rows) throws IOException {
        Path storage = base.resolve("storage");
        Path tape = base.resolve("tape");
        for (JsonNode f : rows) {
            String lfn = f.get("lfn").asText();
            assertThat(f.get("state").asText()).as(lfn).isEqualTo("ON_TAPE");
            assertThat(f.get("localDeletedAt").isNull()).as("DAQ copy of %s recorded deleted", lfn).isFalse();
            Path raw = storage.resolve(lfn.substring(1));
            assertThat(Files.size(raw)).as(lfn).isEqualTo(f.get("size").asLong());
            assertThat(CliFixture.adler32(raw)).as(lfn).isEqualTo(f.get("adler32").asText());
            String zName = f.get("compressedName").asText();
            assertThat(zName).isEqualTo(lfn + ".bz2");
            Path z = storage.resolve(zName.substring(1));
            assertThat(Files.size(z)).isEqualTo(f.get("compressedSize").asLong()).isLessThan(Files.size(raw));
            assertThat(CliFixture.adler32(z)).isEqualTo(f.get("compressedAdler32").asText());
            Path onTape = tape.resolve(zName.substring(1));
            assertThat(Files.readAllBytes(onTape)).as("tape copy of %s", zName).isEqualTo(Files.readAllBytes(z));
            try (InputStream in = org.migdal.dm.compress.Codec.BZIP2.decompressing(Files.newInputStream(onTape))) {
                assertThat(in.readAllBytes()).as("tape copy of %s decompresses to the raw file", zName)
                        .isEqualTo(Files.readAllBytes(raw));
            }
        }
        List<String> expectedStorage = new ArrayList<>(List.of(org.migdal.dm.storage.Marker.NAME)); // written by storage init
        List<String> expectedTape = new ArrayList<>(List.of(org.migdal.dm.storage.Marker.NAME));
        for (JsonNode f : rows) {
            String rel = f.get("lfn").asText().substring(1);
            expectedStorage.add(rel);
            expectedStorage.add(rel + ".bz2");
            expectedTape.add(rel + ".bz2");
        }
        assertThat(regularFiles(storage)).as("storage holds exactly its marker, raw + .bz2, no leftovers").containsExactlyInAnyOrderElementsOf(expectedStorage);
        assertThat(regularFiles(tape)).as("tape holds exactly its marker and the .bz2 copies").containsExactlyInAnyOrderElementsOf(expectedTape);
        assertThat(regularFiles(base.resolve("work"))).as("no scratch files left (the janitor's sweep stamps stay)")
                .allMatch(name -> name.startsWith(".janitor-"));
    }

    @Test
    void quickstartTwice() throws Exception {
        Path base = tmp.resolve("qs");
        Path config = base.resolve("migdal-dm.yaml");

        CliFixture.Run first = CliFixture.raw("quickstart", "--dir", base.toString(), "--file-mib", "1");

        assertThat(first.code()).as("%s", first).isZero();
        assertThat(first.out()).contains("cycle 1:").contains("where the files went:").contains("ON_TAPE");
        assertThat(config).isRegularFile();
        List<JsonNode> rows = catalog(config);
        assertThat(rows).hasSize(24); // data1: three runs of 8 files
        assertThat(rows).allMatch(r -> r.get("disk").asText().equals("data1"));
        assertThat(rows).allMatch(r -> r.get("size").asLong() == 1048576L);
        checkEveryCopy(base, rows);
        Path data1 = base.resolve("daq/data1");
        assertThat(entries(data1)).as("data1 drained and handed back").containsExactly("ReadyForData");
        assertThat(entries(base.resolve("daq/data2"))).as("data2 is still filling, not touched").hasSize(1)
                .allMatch(n -> n.startsWith("MIG_AmBe_data_"));
        assertThat(entries(base.resolve("daq/data3"))).hasSize(1).allMatch(n -> n.startsWith("MIG_DD_data_"));

        CliFixture.Run second = CliFixture.raw("quickstart", "--dir", base.toString(), "--file-mib", "1");

        assertThat(second.code()).as("%s", second).isZero();
        assertThat(second.out()).contains("refills").contains(data1.toString());
        List<JsonNode> after = catalog(config);
        assertThat(after).hasSize(24 + 12); // the refill: two runs of 6 files
        assertThat(after.stream().map(r -> r.get("lfn").asText()))
                .containsAll(rows.stream().map(r -> r.get("lfn").asText()).toList());
        checkEveryCopy(base, after);
        assertThat(entries(data1)).containsExactly("ReadyForData");

        CliFixture.Run status = CliFixture.raw("-c", config.toString(), "status", "--json");
        long onTape = 0;
        for (JsonNode c : JSON.readTree(status.out()).get("counts")) {
            assertThat(c.get("state").asText()).isEqualTo("ON_TAPE");
            onTape += c.get("files").asLong();
        }
        assertThat(onTape).isEqualTo(36);
    }
}
