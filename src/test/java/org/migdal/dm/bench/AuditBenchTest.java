package org.migdal.dm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.zip.Adler32;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit bench at --quick size, without the launcher: the generated state audits consistent, and a damaged one fails it. */
class AuditBenchTest {
    @TempDir
    Path scratch;

    @Test
    void quickRunAuditsTheGeneratedStateConsistent() throws Exception {
        StringWriter log = new StringWriter();
        List<Figure> figures = new AuditBench().run(new Bench.Context(scratch, 1, true, new PrintWriter(log), null));

        assertThat(figures).extracting(Figure::path).containsExactly("audit: consistent state, files/s", "audit: peak RSS");
        assertThat(figures).allSatisfy(f -> assertThat(f.detail()).contains("2000 files"));
        assertThat(figures.get(0).ours()).isFinite().isPositive();
        assertThat(log.toString()).contains("generated 2000 files");
    }

    @Test
    void theGeneratedCopiesAreWhatTheCatalogRecords() throws Exception {
        Path storage = scratch.resolve("s");
        AuditBench.generate(scratch.resolve("c.db"), storage, 1500);
        try (var s = Files.walk(storage)) {
            assertThat(s.filter(Files::isRegularFile).count()).isEqualTo(1500);
        }
        try (JdbcCatalog c = JdbcCatalog.open("sqlite:" + scratch.resolve("c.db"), null, null,
                new ClaimPolicy("t", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 2)) {
            List<CatalogFile> rows = c.list(FileFilter.all(2000));
            assertThat(rows).hasSize(1500).allSatisfy(f -> assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE));
            for (CatalogFile f : List.of(rows.get(0), rows.get(1499))) {
                Adler32 a = new Adler32();
                a.update(Files.readAllBytes(storage.resolve(f.lfn().substring(1))));
                assertThat(f.adler32()).isEqualTo(String.format("%08x", a.getValue()));
                assertThat(f.size()).isEqualTo(AuditBench.BYTES);
            }
        }
    }
}
