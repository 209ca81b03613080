package org.migdal.dm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The web bench at --quick size: every page answers what it should (the bench checks it) and is timed. */
class WebBenchTest {
    @TempDir
    Path scratch;

    @Test
    void quickRunTimesEveryPageOnAGeneratedCatalog() throws Exception {
        StringWriter log = new StringWriter();
        List<Figure> figures = new WebBench().run(new Bench.Context(scratch, 1, true, new PrintWriter(log), null));

        assertThat(figures).hasSize(10).allSatisfy(f -> {
            assertThat(f.path()).startsWith("web ");
            assertThat(f.ours()).isFinite().isPositive();
            assertThat(f.detail()).contains("10000 files");
        });
        assertThat(log.toString()).contains("generated a catalog of 10000 files");
    }
}
