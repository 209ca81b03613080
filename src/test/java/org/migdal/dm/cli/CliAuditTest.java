package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.StorageNames;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migdal-dm audit} on a real state: the whole pipeline on file:// storage and tape with a SQLite catalog, audited
 * consistent; then a discrepancy of every kind injected by hand, each reported with its evidence; {@code --fix} repairing
 * only the safe ones; an untrusted endpoint; an audit interrupted and resumed by its cursor.
 */
class CliAuditTest {
    @TempDir
    Path tmp;

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(CliFixture.Run r) throws IOException {
        return JSON.readTree(r.out());
    }

    /** kind → subjects, of the discrepancy items of a JSON report. */
    private static Map<String, List<String>> items(JsonNode report) {
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode i : report.get("items")) {
            out.computeIfAbsent(i.get("kind").asText(), k -> new ArrayList<>()).add(i.get("subject").asText());
        }
        return out;
    }

    private static JsonNode item(JsonNode report, String kind, String subject) {
        for (JsonNode i : report.get("items")) {
            if (i.get("kind").asText().equals(kind) && i.get("subject").asText().equals(subject)) {
                return i;
            }
        }
        throw new AssertionError("no " + kind + " item for " + subject + " in " + report.toPrettyString());
    }

    private static Path aged(Path p, byte[] content, Duration age) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(age)));
        return p;
    }

    private static void truncate(Path file, int by) throws IOException {
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, b.length - by));
    }

    @Test
    void aConsistentStateAuditsCleanAndEveryInjectedKindIsReportedWithItsEvidence() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("run", "--role", "all").code()).isZero();

        CliFixture.Run clean = fx.cli("audit");
        assertThat(clean.code()).as("%s", clean).isZero();
        assertThat(clean.out()).contains("complete", "7 catalog file(s) checked", "no discrepancy", "consistent");
        JsonNode cleanJson = json(fx.cli("audit", "--json"));
        assertThat(cleanJson.get("consistent").asBoolean()).isTrue();
        assertThat(cleanJson.get("complete").asBoolean()).isTrue();
        assertThat(cleanJson.get("discrepancies").asLong()).isZero();
        assertThat(cleanJson.get("copyChecks").asLong()).as("raw, compressed and tape copy of 7 files").isEqualTo(21);
        assertThat(cleanJson.get("items")).isEmpty();

        List<String> lfns = CliFixture.allLfns();
        // 1. a tape copy deleted; 2. a tape copy with one byte changed, same size
        Files.delete(fx.onTape(lfns.get(0) + ".bz2"));
        CliFixture.flipByte(fx.onTape(lfns.get(1) + ".bz2"), 100);
        // 3. a raw storage copy corrupted, same size; 4. a compressed storage copy truncated; 5. a raw storage copy deleted
        CliFixture.flipByte(fx.inStorage(lfns.get(2)), 1000);
        truncate(fx.inStorage(lfns.get(3) + ".bz2"), 7);
        Files.delete(fx.inStorage(lfns.get(4)));
        // 6. a data file on a handed-back DAQ disk older than the hand-back, and a new one the DAQ just wrote (not reported)
        String runA = CliFixture.RUN_A;
        Path oldDaq = aged(fx.data1.resolve(runA + "/" + runA + ".CAL.0099.dat"), new byte[]{1, 2, 3, 4}, Duration.ofDays(30));
        aged(fx.data2.resolve(runA + "/" + runA + ".CAL.0100.dat"), new byte[]{5, 6}, Duration.ZERO);
        Files.setLastModifiedTime(fx.data2.resolve(runA + "/" + runA + ".CAL.0100.dat"), FileTime.from(Instant.now().plusSeconds(5)));
        // 7. unknown files at the storage and at the tape endpoint
        aged(fx.storage.resolve("2208/220803/stray.dat"), new byte[]{9}, Duration.ofDays(2));
        aged(fx.tape.resolve("2208/220804/stray.dat.bz2"), new byte[]{9, 9}, Duration.ofDays(2));
        // 8. an orphaned upload temporary at the storage, and one in flight at the tape
        String orphanName = StorageNames.newTempName();
        Path orphan = aged(fx.storage.resolve("2208/220803/" + orphanName), new byte[]{7}, Duration.ofHours(48));
        String youngName = StorageNames.newTempName();
        aged(fx.tape.resolve("2208/" + youngName), new byte[]{7}, Duration.ofMinutes(5));

        CliFixture.Run text = fx.cli("audit");
        assertThat(text.code()).as("%s", text).isEqualTo(1);
        assertThat(text.out()).contains("TAPE_COPY_MISSING " + lfns.get(0) + ".bz2", "STORAGE_COPY_DIFFERS " + lfns.get(2),
                "UNKNOWN_COPY /2208/220803/stray.dat", "TEMPORARY_IN_FLIGHT /2208/" + youngName + " (not a discrepancy)",
                "9 discrepancies").doesNotContain("consistent", "not audited");

        CliFixture.Run jr = fx.cli("audit", "--json");
        assertThat(jr.code()).isEqualTo(1);
        JsonNode report = json(jr);
        assertThat(report.get("consistent").asBoolean()).isFalse();
        assertThat(report.get("complete").asBoolean()).isTrue();
        assertThat(report.get("discrepancies").asLong()).isEqualTo(9);
        assertThat(items(report)).isEqualTo(new TreeMap<>(Map.of(
                "TAPE_COPY_MISSING", List.of(lfns.get(0) + ".bz2"),
                "TAPE_COPY_DIFFERS", List.of(lfns.get(1) + ".bz2"),
                "STORAGE_COPY_DIFFERS", List.of(lfns.get(2), lfns.get(3) + ".bz2"),
                "STORAGE_COPY_MISSING", List.of(lfns.get(4)),
                "DAQ_FILE_UNKNOWN", List.of("data1:" + runA + "/" + runA + ".CAL.0099.dat"),
                "UNKNOWN_COPY", List.of("/2208/220803/stray.dat", "/2208/220804/stray.dat.bz2"),
                "ORPHANED_TEMPORARY", List.of("/2208/220803/" + orphanName),
                "TEMPORARY_IN_FLIGHT", List.of("/2208/" + youngName))));
        assertThat(report.get("counts").get("STORAGE_COPY_DIFFERS").asLong()).isEqualTo(2);

        JsonNode tapeMissing = item(report, "TAPE_COPY_MISSING", lfns.get(0) + ".bz2");
        assertThat(tapeMissing.get("url").asText()).isEqualTo(fx.tape.toUri() + lfns.get(0).substring(1) + ".bz2");
        assertThat(tapeMissing.get("found").asText()).isEqualTo("no file");
        assertThat(tapeMissing.get("expected").asText()).contains("adler32 ", "on tape");
        assertThat(tapeMissing.get("fileId").asLong()).isPositive();
        String tapeSum = CliFixture.adler32(fx.onTape(lfns.get(1) + ".bz2"));
        assertThat(item(report, "TAPE_COPY_DIFFERS", lfns.get(1) + ".bz2").get("found").asText()).contains("adler32 " + tapeSum);
        JsonNode rawBad = item(report, "STORAGE_COPY_DIFFERS", lfns.get(2));
        assertThat(rawBad.get("expected").asText()).startsWith("raw copy, " + CliFixture.FILE_BYTES + " bytes, adler32 ");
        assertThat(rawBad.get("found").asText()).isEqualTo(CliFixture.FILE_BYTES + " bytes, adler32 "
                + CliFixture.adler32(fx.inStorage(lfns.get(2))));
        long bz2Size = Files.size(fx.inStorage(lfns.get(3) + ".bz2"));
        assertThat(item(report, "STORAGE_COPY_DIFFERS", lfns.get(3) + ".bz2").get("found").asText()).isEqualTo(bz2Size + " bytes");
        assertThat(item(report, "STORAGE_COPY_DIFFERS", lfns.get(3) + ".bz2").get("expected").asText())
                .startsWith("compressed copy, " + (bz2Size + 7) + " bytes");
        assertThat(item(report, "STORAGE_COPY_MISSING", lfns.get(4)).get("todo").asText()).contains("compressed copy");
        JsonNode daqUnknown = item(report, "DAQ_FILE_UNKNOWN", "data1:" + runA + "/" + runA + ".CAL.0099.dat");
        assertThat(daqUnknown.get("url").asText()).isEqualTo(oldDaq.toUri().toString());
        assertThat(daqUnknown.get("expected").asText()).contains("/2208/220803/" + runA + "/" + runA + ".CAL.0099.dat", "hand-back");
        assertThat(daqUnknown.get("found").asText()).startsWith("not in the catalog: 4 bytes");
        assertThat(item(report, "UNKNOWN_COPY", "/2208/220804/stray.dat.bz2").get("url").asText())
                .isEqualTo(fx.tape.toUri() + "2208/220804/stray.dat.bz2");
        assertThat(item(report, "TEMPORARY_IN_FLIGHT", "/2208/" + youngName).get("discrepancy").asBoolean()).isFalse();
        assertThat(report.toString()).doesNotContain(Marker.NAME);

        // --fix: only the safe ones, and it says what it did
        byte[] corrupted = Files.readAllBytes(fx.inStorage(lfns.get(2)));
        CliFixture.Run fix = fx.cli("audit", "--fix", "--json");
        assertThat(fix.code()).as("%s", fix).isEqualTo(1);
        JsonNode fixed = json(fix);
        assertThat(fixed.get("fixed").get("registered").asLong()).isEqualTo(1);
        assertThat(fixed.get("fixed").get("temporariesRemoved").asLong()).isEqualTo(1);
        assertThat(fixed.get("fixed").get("reshipped").asLong()).as("no ON_DISK_STORAGE file is concerned").isZero();
        assertThat(item(fixed, "DAQ_FILE_UNKNOWN", "data1:" + runA + "/" + runA + ".CAL.0099.dat").get("fixed").asText())
                .contains("registered");
        assertThat(item(fixed, "ORPHANED_TEMPORARY", "/2208/220803/" + orphanName).get("fixed").asText()).contains("janitor");
        assertThat(item(fixed, "TAPE_COPY_MISSING", lfns.get(0) + ".bz2").get("fixed").isNull()).isTrue();
        assertThat(orphan).doesNotExist();
        assertThat(fx.cli("show", "/2208/220803/" + runA + "/" + runA + ".CAL.0099.dat").out()).contains("REGISTERED");
        // no data copy deleted or changed, no ON_TAPE evidence touched
        assertThat(Files.readAllBytes(fx.inStorage(lfns.get(2)))).isEqualTo(corrupted);
        assertThat(fx.storage.resolve("2208/220803/stray.dat")).exists();
        assertThat(fx.tape.resolve("2208/220804/stray.dat.bz2")).exists();
        assertThat(fx.cli("ls", "--state", "ON_TAPE").out()).contains("of 7");

        JsonNode after = json(fx.cli("audit", "--json"));
        assertThat(items(after).keySet()).containsExactlyInAnyOrder("TAPE_COPY_MISSING", "TAPE_COPY_DIFFERS", "STORAGE_COPY_DIFFERS",
                "STORAGE_COPY_MISSING", "UNKNOWN_COPY", "TEMPORARY_IN_FLIGHT");
        assertThat(after.get("discrepancies").asLong()).isEqualTo(7);
    }

    @Test
    void aStorageWithoutItsMarkerIsUntrustedAndNothingIsConcludedFromIt() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("run", "--role", "all").code()).isZero();
        List<String> lfns = CliFixture.allLfns();
        Files.delete(fx.inStorage(lfns.get(0))); // would be STORAGE_COPY_MISSING on a trusted storage
        aged(fx.storage.resolve("2208/stray.dat"), new byte[]{1}, Duration.ofDays(1));
        Files.delete(fx.storage.resolve(Marker.NAME)); // an empty mount point would look like this

        CliFixture.Run r = fx.cli("audit", "--json");

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        JsonNode report = json(r);
        assertThat(items(report)).isEqualTo(Map.of("UNTRUSTED", List.of("storage " + fx.storage.toUri())));
        JsonNode untrusted = report.get("items").get(0);
        assertThat(untrusted.get("found").asText()).contains("MARKER_MISSING", Marker.NAME);
        assertThat(report.get("complete").asBoolean()).isTrue();
        assertThat(fx.inStorage(lfns.get(1))).exists();
        assertThat(fx.cli("audit").out()).contains("UNTRUSTED storage " + fx.storage.toUri(), "nothing at this endpoint was concluded");
    }

    @Test
    void aMissingStorageCopyWithItsDaqCopyIntactIsShippedAgainByFix() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        String lfn = CliFixture.lfn(CliFixture.RUN_C, 0);
        Path daqFile = fx.data2.resolve(CliFixture.RUN_C + "/" + CliFixture.RUN_C + ".CAL.0000.dat");
        Path aside = Files.copy(daqFile, tmp.resolve("aside.dat"), StandardCopyOption.COPY_ATTRIBUTES);
        String other = CliFixture.lfn(CliFixture.RUN_C, 1);
        CliFixture.Run before = fx.cli("audit");
        assertThat(before.code()).as("flagged disks wait for their scan: not a discrepancy").isZero();
        assertThat(before.out()).contains("not audited: DAQ disk data1: its ReadyToTransfer flag waits for the scan",
                "not audited: DAQ disk data2", "0 catalog file(s) checked");
        assertThat(fx.cli("run", "--role", "daq").code()).isZero();
        assertThat(fx.cli("audit").code()).as("ON_DISK_STORAGE everywhere, consistent").isZero();
        assertThat(daqFile).as("shipped, so deleted from the DAQ disk").doesNotExist();
        // the storage copy vanishes; the DAQ copy is (back) on its disk, bytes and mtime as registered
        Files.delete(fx.inStorage(lfn));
        Files.createDirectories(daqFile.getParent());
        Files.copy(aside, daqFile, StandardCopyOption.COPY_ATTRIBUTES);
        // another storage copy vanishes whose DAQ copy is gone: not fixable
        Files.delete(fx.inStorage(other));

        JsonNode found = json(fx.cli("audit", "--json"));
        assertThat(items(found)).isEqualTo(Map.of("STORAGE_COPY_MISSING", List.of(lfn, other)));
        assertThat(item(found, "STORAGE_COPY_MISSING", lfn).get("todo").asText()).contains("DAQ copy present at " + daqFile,
                "audit --fix");
        assertThat(item(found, "STORAGE_COPY_MISSING", other).get("todo").asText()).contains("is gone", "no other copy is known");

        CliFixture.Run fix = fx.cli("audit", "--fix");
        assertThat(fix.code()).as("%s", fix).isEqualTo(1);
        assertThat(fix.out()).contains("fixed: sent back to be shipped", "1 file(s) sent back to be shipped");
        CliFixture.Run show = fx.cli("show", lfn);
        assertThat(show.out()).contains("REGISTERED", "audit-fix");
        assertThat(fx.cli("show", other).out()).contains("ON_DISK_STORAGE");

        assertThat(fx.cli("run", "--role", "daq").code()).isZero();
        assertThat(fx.inStorage(lfn)).exists();
        assertThat(CliFixture.adler32(fx.inStorage(lfn))).isEqualTo(CliFixture.adler32(aside));
        JsonNode remaining = json(fx.cli("audit", "--json"));
        assertThat(items(remaining)).isEqualTo(Map.of("STORAGE_COPY_MISSING", List.of(other)));
    }

    @Test
    void anInterruptedAuditContinuesFromItsCursor() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("run", "--role", "all").code()).isZero();
        JsonNode ls = JSON.readTree(fx.cli("ls", "--json", "--limit", "50").out());
        List<String> byId = new ArrayList<>();
        ls.get("files").forEach(f -> byId.add(f.get("lfn").asText()));
        assertThat(byId).hasSize(7);
        String first = byId.get(0);
        String last = byId.get(6);
        Files.delete(fx.onTape(first + ".bz2"));
        Files.delete(fx.onTape(last + ".bz2"));

        JsonNode part = json(fx.cli("audit", "--json", "--max-files", "3"));
        assertThat(part.get("complete").asBoolean()).isFalse();
        assertThat(part.get("consistent").asBoolean()).isFalse();
        assertThat(part.get("filesChecked").asLong()).isEqualTo(3);
        assertThat(items(part)).isEqualTo(Map.of("TAPE_COPY_MISSING", List.of(first + ".bz2")));
        long id = part.get("audit").asLong();

        JsonNode rest = json(fx.cli("audit", "--json", "--resume", "--max-files", "3"));
        assertThat(rest.get("audit").asLong()).isEqualTo(id);
        assertThat(rest.get("filesChecked").asLong()).isEqualTo(6);
        assertThat(rest.get("complete").asBoolean()).isFalse();

        CliFixture.Run end = fx.cli("audit", "--resume");
        assertThat(end.code()).isEqualTo(1);
        assertThat(end.out()).contains("audit " + id + ": complete", "7 catalog file(s) checked",
                "TAPE_COPY_MISSING " + first + ".bz2", "TAPE_COPY_MISSING " + last + ".bz2");

        JsonNode next = json(fx.cli("audit", "--json", "--resume"));
        assertThat(next.get("audit").asLong()).as("nothing left to resume: a new audit").isEqualTo(id + 1);
        assertThat(next.get("filesChecked").asLong()).isEqualTo(7);
    }

    @Test
    void usageErrorsExitTwo() {
        CliFixture.Run r = CliFixture.raw("audit", "--rate", "-1", "-c", tmp.resolve("none.yaml").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(CliFixture.raw("audit", "--bogus").code()).isEqualTo(2);
        CliFixture.Run help = CliFixture.raw("audit", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("--fix", "--rate", "--resume", "--max-files", "--json");
    }
}
