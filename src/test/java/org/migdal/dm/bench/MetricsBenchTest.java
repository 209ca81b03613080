package org.migdal.dm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The metrics bench at --quick size: it scrapes a generated catalog whose every file the metrics count. */
class MetricsBenchTest {
    @TempDir
    Path scratch;

    @Test
    void quickRunScrapesAGeneratedCatalog() throws Exception {
        StringWriter log = new StringWriter();
        List<Figure> figures = new MetricsBench().run(new Bench.Context(scratch, 1, true, new PrintWriter(log), null));

        assertThat(figures).extracting(Figure::path).containsExactly("metrics: one /metrics scrape",
                "metrics: first scrape after opening the catalog");
        assertThat(figures).allSatisfy(f -> assertThat(f.ours()).isFinite().isPositive());
        assertThat(figures.get(0).detail()).contains("10000 files");
        assertThat(log.toString()).contains("generated a catalog of 10000 files");
    }
}
