package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.cli.CliFixture.RUN_A;
import static org.migdal.dm.cli.CliFixture.lfn;

/** A damaged storage copy is quarantined by archive; retry (by LFN and --failed) puts it back once repaired. */
class CliRetryTest {

    @TempDir
    Path tmp;

    @Test
    void quarantinedFileIsRetriedByLfnAndByFailed() throws Exception {
        CliFixture fx = new CliFixture(tmp, "jobsPerCycle: 150");
        assertThat(fx.cli("scan").code()).isZero();
        assertThat(fx.cli("ship").code()).isZero();
        String bad = lfn(RUN_A, 1);
        Path raw = fx.inStorage(bad);
        CliFixture.flipByte(raw, 1000);

        CliFixture.Run archive = fx.cli("archive");
        assertThat(archive.code()).as("%s", archive).isEqualTo(1);
        assertThat(archive.out()).contains("compressed 6, on tape 6, failed 0, quarantined 1");

        CliFixture.Run ls = fx.cli("ls", "--state", "QUARANTINED");
        assertThat(ls.out()).contains(bad).contains("damaged").contains("-- 1–1 of 1");
        assertThat(fx.cli("show", bad).out()).contains("QUARANTINED").contains("COMPRESSING");

        // retry by LFN: back to ON_DISK_STORAGE; still damaged, so quarantined again
        CliFixture.Run retry = fx.cli("retry", bad);
        assertThat(retry.code()).as("%s", retry).isZero();
        assertThat(retry.out()).contains("1 file(s) put back");
        CliFixture.Run show = fx.cli("show", bad);
        assertThat(show.out()).contains("ON_DISK_STORAGE").containsPattern("ok +retry +operator retry: QUARANTINED → ON_DISK_STORAGE");
        assertThat(fx.cli("archive").out()).contains("quarantined 1");
        assertThat(fx.cli("ls", "--state", "QUARANTINED").out()).contains(bad);

        // unknown LFN: a failure, nothing changed
        CliFixture.Run unknown = fx.cli("retry", "/2208/220803/no/such.dat");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("/2208/220803/no/such.dat");

        // repaired, then retry --failed: archived like the others
        CliFixture.flipByte(raw, 1000);
        CliFixture.Run failed = fx.cli("retry", "--failed");
        assertThat(failed.code()).isZero();
        assertThat(failed.out()).contains("1 file(s) put back");
        CliFixture.Run again = fx.cli("archive");
        assertThat(again.code()).as("%s", again).isZero();
        assertThat(again.out()).contains("compressed 1, on tape 1, failed 0, quarantined 0");
        assertThat(fx.cli("ls", "--state", "ON_TAPE").out()).contains("-- 1–7 of 7");
        assertThat(Files.readAllBytes(fx.onTape(bad + ".bz2"))).isEqualTo(Files.readAllBytes(fx.inStorage(bad + ".bz2")));
        assertThat(fx.cli("retry", "--failed").out()).contains("0 file(s) put back");
    }
}
