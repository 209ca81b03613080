package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.metrics.Exposition;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code migdal-dm metrics} after real cycles: stage histograms and step counters kept in the catalog, any process. */
class CliMetricsTest {
    @TempDir
    Path tmp;

    @Test
    void cyclesCountTheirStagesAndStepsAndEveryProcessReadsTheSameCounters() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("scan").code()).isZero();
        // a DAQ file that changes after its listing fails its ship once (the file's own failure), then is shipped (no backoff)
        String changed = CliFixture.lfn(CliFixture.RUN_C, 0);
        Path daqCopy = fx.data2.resolve(changed.substring(changed.lastIndexOf('/', changed.lastIndexOf('/') - 1) + 1));
        Files.write(daqCopy, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);

        CliFixture.Run run = fx.cli("run", "--role", "all");
        assertThat(run.code()).as("%s", run).isEqualTo(1);
        CliFixture.Run second = fx.cli("run", "--role", "grid");
        assertThat(second.code()).as("%s", second).isZero();

        CliFixture.Run metrics = fx.cli("metrics");
        assertThat(metrics.code()).as("%s", metrics).isZero();
        Exposition m = new Exposition(metrics.out());
        // the scan command, then one cycle of each stage of both roles, then one grid cycle
        assertThat(m.get("migdal_dm_stage_duration_seconds_count", "stage", "scan")).isEqualTo(2);
        assertThat(m.get("migdal_dm_stage_duration_seconds_count", "stage", "ship")).isEqualTo(1);
        assertThat(m.get("migdal_dm_stage_duration_seconds_count", "stage", "clean")).isEqualTo(1);
        assertThat(m.get("migdal_dm_stage_duration_seconds_count", "stage", "archive")).isEqualTo(2);
        assertThat(m.get("migdal_dm_stage_duration_seconds_count", "stage", "recall")).isEqualTo(2);
        assertThat(m.get("migdal_dm_stage_duration_seconds_count", "stage", "janitor")).isEqualTo(2);
        assertThat(m.get("migdal_dm_stage_duration_seconds_bucket", "le", "+Inf", "stage", "archive")).isEqualTo(2);
        assertThat(m.get("migdal_dm_stage_duration_seconds_sum", "stage", "archive")).isPositive();
        assertThat(m.value("migdal_dm_stage_duration_seconds_count", "stage", "cleanup_raw")).as("cleanupRaw is off").isEmpty();
        assertThat(m.get("migdal_dm_step_files_total", "step", "registered")).isEqualTo(7);
        assertThat(m.get("migdal_dm_step_files_total", "step", "shipped")).isEqualTo(7);
        assertThat(m.get("migdal_dm_step_bytes_total", "step", "shipped")).isEqualTo(7.0 * CliFixture.FILE_BYTES + 3);
        assertThat(m.get("migdal_dm_step_files_total", "step", "compressed")).isEqualTo(7);
        assertThat(m.get("migdal_dm_step_files_total", "step", "on_tape")).isEqualTo(7);
        assertThat(m.get("migdal_dm_errors_total", "class", "file", "stage", "ship")).isEqualTo(1);
        double onTape = 0;
        for (String disk : List.of("data1", "data2")) {
            onTape += m.get("migdal_dm_files", "disk", disk, "state", "ON_TAPE");
        }
        assertThat(onTape).isEqualTo(7);
        assertThat(m.get("migdal_dm_files_waiting")).isZero();

        // --output: the same text, written atomically, that promtool accepts
        Path prom = Files.createDirectories(tmp.resolve("textfile")).resolve("migdal_dm.prom");
        assertThat(fx.cli("metrics", "--output", prom.toString()).code()).isZero();
        java.util.function.Predicate<Exposition.Sample> notFreeSpace = x -> !x.name().startsWith("migdal_dm_disk_"); // others write meanwhile
        assertThat(new Exposition(Files.readString(prom)).samples.stream().filter(notFreeSpace))
                .isEqualTo(m.samples.stream().filter(notFreeSpace).toList());
        try (var left = Files.list(prom.getParent())) {
            assertThat(left).as("no temporary left").containsExactly(prom);
        }
        Exposition.Result check = Exposition.promtool(tmp, Files.readString(prom), "check", "metrics");
        assertThat(check.code()).as("%s", check.output()).isZero();
    }
}
