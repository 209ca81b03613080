package org.migdal.dm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The archive bench on --quick data, one round: every figure is there and sane (no timing is judged here). */
class ArchiveBenchTest {
    @TempDir
    Path tmp;

    @Test
    void quickRunGivesEveryFigureWithFiniteValuesAndEveryCopyPassingBzip2Test() throws Exception {
        StringWriter log = new StringWriter();
        List<Figure> figures = new ArchiveBench().run(new Bench.Context(tmp, 1, true, new PrintWriter(log), null));

        assertThat(figures).extracting(Figure::path).containsExactly(
                "archive bzip2 -9 (verify included, file://)", "archive bzip2 -9 CPU time (verify included)", "archive bzip2 size",
                "archive bzip2 -9, one file at a time (verify included)", "archive bzip2 -6 (archive.level 6, verify included)",
                "archive bzip2 -6 size", "archive bzip2 copies passing bzip2 -t",
                "archive zstd speed-up over archive bzip2", "archive gzip -6 (verify included, file://)",
                "archive of 100 files: peak RSS", "archive of 100 files: time per file beyond bzip2 -9");
        boolean bzip2 = ArchiveBench.present("bzip2");
        Figure time = figures.get(0);
        assertThat(time.ours()).isPositive().isFinite();
        assertThat(Double.isNaN(time.baseValue())).isEqualTo(!bzip2);
        if (bzip2) {
            // our copies are bzip2's own bytes or within a few percent of them, and every one passes bzip2 -t
            assertThat(figures.get(2).ratio()).isBetween(0.9, 1.1);
            assertThat(figures.get(1).ratio()).isFinite().isGreaterThan(1.0); // verification costs CPU on top of bzip2's own
            assertThat(figures.get(6).ours()).isEqualTo(4);
            assertThat(figures.get(5).ratio()).isBetween(0.9, 1.1);
            assertThat(figures.get(3).ours()).isPositive().isFinite();
        }
        assertThat(figures.get(7).ours()).isPositive().isFinite();
        if (java.nio.file.Files.isExecutable(Path.of("/usr/bin/time"))) {
            assertThat(figures.get(9).ours()).isBetween(16.0, 4096.0); // a real peak RSS in MiB, of a child that archived every file
        }
        assertThat(log.toString()).contains("4 camera files of 2 MiB");
    }
}
