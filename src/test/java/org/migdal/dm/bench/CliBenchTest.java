package org.migdal.dm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI bench at --quick size, without the launcher: its commands answer correctly and its figures are sane. */
class CliBenchTest {
    @TempDir
    Path scratch;

    @Test
    void quickRunTimesEveryCommandOnAGeneratedCatalog() throws Exception {
        StringWriter log = new StringWriter();
        List<Figure> figures = new CliBench().run(new Bench.Context(scratch, 1, true, new PrintWriter(log), null));

        assertThat(figures).extracting(Figure::path).containsExactly("cli --version", "cli status", "cli status --json",
                "cli ls --limit 50 (first page)", "cli ls --limit 50 --after (last page)", "cli show LFN");
        assertThat(figures).allSatisfy(f -> {
            assertThat(f.ours()).isFinite().isPositive();
            assertThat(f.detail()).contains("10000 files");
        });
        assertThat(figures.get(0).baseValue()).isFinite().isPositive();
        assertThat(figures.get(0).ratio()).isFinite().isPositive();
        assertThat(log.toString()).contains("generated a catalog of 10000 files");
    }
}
