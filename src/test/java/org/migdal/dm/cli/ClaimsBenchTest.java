package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code bench claims} on a small SQLite catalog: it prints its figures and OK, and refuses a catalog that holds files. */
class ClaimsBenchTest {
    @TempDir
    Path tmp;

    @Test
    void workersAdvanceEveryFileExactlyOnceAndANonEmptyCatalogIsRefused() {
        String url = "sqlite:" + tmp.resolve("bench.db");
        CliFixture.Run r = CliFixture.raw("bench", "claims", "--catalog", url, "--workers", "3", "--files", "300", "--batch", "7");
        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("3 workers (threads, each its own catalog handle and owner), batch 7, 300 files")
                .contains("files claimed/s").contains("advances/s").contains("wall time")
                .contains("exactly once: OK (300 files COMPRESSED");

        CliFixture.Run again = CliFixture.raw("bench", "claims", "--catalog", url, "--files", "10");
        assertThat(again.code()).as("%s", again).isEqualTo(2);
        assertThat(again.err()).contains("already holds 300 files");
    }
}
