package org.migdal.dm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The runs bench at --quick size, without the launcher: what it times answers correctly (it checks) and its figures are sane. */
class RunsBenchTest {
    @TempDir
    Path scratch;

    @Test
    void quickRunTimesThePagesAndTheManifestOnAGeneratedCatalog() throws Exception {
        StringWriter log = new StringWriter();
        List<Figure> figures = new RunsBench().run(new Bench.Context(scratch, 1, true, new PrintWriter(log), null));

        assertThat(figures).extracting(Figure::path).containsExactly("runs: first page (in process)", "runs: last page, --after (in process)",
                "runs --incomplete: first page (in process)", "runs: one run (in process)", "manifest of a 1000-file run (in process, text)",
                "cli runs --limit 5 (first page)", "cli runs --limit 5 --after (last page)", "cli manifest RUN --out FILE (1000 files)");
        assertThat(figures).allSatisfy(f -> {
            assertThat(f.ours()).isFinite().isPositive();
            assertThat(f.detail()).contains("10000 files in 10 runs");
        });
        assertThat(log.toString()).contains("runs: generated a catalog of 10000 files");
        assertThat(Benches.all()).extracting(Bench::name).contains("runs");
    }
}
