package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.cli.CliFixture.RUN_A;
import static org.migdal.dm.cli.CliFixture.RUN_C;
import static org.migdal.dm.cli.CliFixture.lfn;

/**
 * An operator's view of a vanished DAQ file and of a file the scan refuses: reported once (exit 1), then shown by
 * status, doctor and ls (exit 0) with what to do; forget acknowledges the vanished file; the disks' fates.
 */
class CliMissingAndProblemsTest {

    @TempDir
    Path tmp;

    @Test
    void aVanishedFileAndARefusedNameAreReportedOnceShownWithWhatToDoAndTheDisksDecided() throws Exception {
        CliFixture fx = new CliFixture(tmp, "jobsPerCycle: 4");
        Path refused = Files.createDirectories(fx.data1.resolve("MIG_Fe55_data")).resolve("frame_0001.dat");
        Files.writeString(refused, "no run stamp anywhere in this path");
        String gone = lfn(RUN_C, 1);

        CliFixture.Run scan = fx.cli("scan");
        assertThat(scan.code()).as("a new scan problem fails the scan once: %s", scan).isEqualTo(1);
        assertThat(scan.err()).contains("data1:MIG_Fe55_data/frame_0001.dat").contains("to do: rename");
        Files.delete(fx.data2.resolve(gone.substring("/2208/220805/".length()))); // removed on the DAQ disk before shipping

        CliFixture.Run ship = fx.cli("ship");
        assertThat(ship.code()).as("%s", ship).isEqualTo(1);
        assertThat(ship.out()).contains("shipped 6 files").contains("1 MISSING");

        CliFixture.Run again = fx.cli("scan");
        assertThat(again.code()).as("the same problem again is not a new failure: %s", again).isZero();
        assertThat(again.err()).contains("still open").contains("frame_0001.dat");

        CliFixture.Run cycle = fx.cli("run", "--role", "daq");
        assertThat(cycle.code()).as("nothing new: cron is not failed every cycle: %s", cycle).isZero();
        assertThat(cycle.out()).contains("disks released [data2]");

        CliFixture.Run status = fx.cli("status");
        assertThat(status.code()).isZero();
        assertThat(status.out()).contains("MISSING").contains("1 open scan problem(s)").contains("NO_RUN_STAMP data1:MIG_Fe55_data/frame_0001.dat")
                .contains("to do: rename the file or its run folder to carry a run stamp").contains("forget LFN");
        assertThat(status.out().lines().filter(l -> l.startsWith("disk data2"))).singleElement().asString().contains("RELEASED");
        assertThat(status.out().lines().filter(l -> l.startsWith("disk data1"))).singleElement().asString().contains("DRAINING")
                .contains("scan problem");
        JsonNode statusJson = new ObjectMapper().readTree(fx.cli("status", "--json").out());
        assertThat(statusJson.get("scanProblems")).hasSize(1);
        assertThat(statusJson.get("scanProblems").get(0).get("kind").asText()).isEqualTo("NO_RUN_STAMP");

        CliFixture.Run problems = fx.cli("ls", "--problems");
        assertThat(problems.code()).isZero();
        assertThat(problems.out()).contains("data1:MIG_Fe55_data/frame_0001.dat").contains("seen by 3 scan(s)").contains("to do: rename")
                .contains("-- 1 open scan problem(s)");
        assertThat(fx.cli("ls", "--problems", "--disk", "data2").out()).contains("-- 0 open scan problem(s)");
        JsonNode problemsJson = new ObjectMapper().readTree(fx.cli("ls", "--problems", "--json").out());
        assertThat(problemsJson.get("problems").get(0).get("action").asText()).contains("rename");

        CliFixture.Run missing = fx.cli("ls", "--state", "MISSING");
        assertThat(missing.out()).contains(gone).contains("vanished").contains("-- 1–1 of 1");

        CliFixture.Run doctor = fx.cli("doctor");
        assertThat(doctor.out().lines().filter(l -> l.startsWith("WARN") && l.contains("scan data1")))
                .singleElement().asString().contains("frame_0001.dat").contains("to do: rename");
        assertThat(doctor.out().lines().filter(l -> l.startsWith("WARN") && l.contains("disk data1")))
                .singleElement().asString().contains("1 open scan problem(s)");
        assertThat(doctor.out().lines().filter(l -> l.startsWith("WARN") && l.contains("MISSING files")))
                .singleElement().asString().contains("forget");

        CliFixture.Run notMissing = fx.cli("forget", lfn(RUN_A, 0));
        assertThat(notMissing.code()).isEqualTo(1);
        assertThat(notMissing.err()).contains(lfn(RUN_A, 0)).contains("ON_DISK_STORAGE, not MISSING");
        CliFixture.Run forget = fx.cli("forget", gone);
        assertThat(forget.code()).as("%s", forget).isZero();
        assertThat(forget.out()).contains("1 file(s) forgotten, 0 refused");
        assertThat(fx.cli("show", gone).out()).contains("FORGOTTEN").contains("forget").contains("missing");
        assertThat(fx.cli("doctor").out()).doesNotContain("MISSING files");

        // the operator renames the refused folder: the next cycle takes the file, clears the problem and hands data1 back
        Files.move(refused.getParent(), fx.data1.resolve("MIG_Fe55_data_220806T101010"));
        CliFixture.Run fixed = fx.cli("run", "--role", "daq");
        assertThat(fixed.code()).as("%s", fixed).isZero();
        assertThat(fixed.out()).contains("disks released [data1]");
        assertThat(fx.cli("ls", "--problems").out()).contains("-- 0 open scan problem(s)");
        assertThat(fx.cli("doctor").out()).doesNotContain("scan data1");
    }
}
