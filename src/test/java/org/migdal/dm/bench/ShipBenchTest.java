package org.migdal.dm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.testinfra.XrootdServer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bench ship --quick} runs the real shipping path end to end (the bench itself fails unless every file was
 * shipped and every DAQ copy deleted) and returns sane figures: finite ratios against the baselines, and a launch count
 * that agrees with its own target. Timings are not judged here.
 */
class ShipBenchTest {
    @TempDir
    Path scratch;

    @Test
    void quickRunGivesFiniteFiguresForEveryPath() throws Exception {
        StringWriter log = new StringWriter();
        List<Figure> figures = new ShipBench().run(new Bench.Context(scratch, 1, true, new PrintWriter(log), null));

        assertThat(figures).extracting(Figure::path).containsExactly("ship root:// (4 × 2 MiB)", "ship root:// tool launches per file",
                "ship file:// (4 × 2 MiB)", "ship file:// (1 × 24 MiB)");
        for (Figure f : figures.subList(2, 4)) {
            assertThat(f.ratio()).as(f.path()).isFinite().isPositive();
            assertThat(f.baseline()).startsWith("cp + sync + ");
        }
        if (XrootdServer.unavailableReason().isPresent()) {
            assertThat(figures.subList(0, 2)).allSatisfy(f -> {
                assertThat(f.ours()).isNaN();
                assertThat(f.met()).isFalse();
                assertThat(f.detail()).startsWith("not measured: ");
            });
            return;
        }
        assertThat(figures.get(0).ratio()).isFinite().isPositive();
        Figure launches = figures.get(1);
        // each shipped file needs its own xrdcp: at least one launch per file
        assertThat(launches.ours()).isFinite().isGreaterThanOrEqualTo(1.0);
        assertThat(launches.met()).isEqualTo(launches.ours() <= 2.0);
        assertThat(launches.detail()).contains("over 4 shipped files");
    }
}
