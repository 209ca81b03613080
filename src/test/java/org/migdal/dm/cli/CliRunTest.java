package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run --role all}: one cycle drains both disks to tape; raw cleanup only when configured. */
class CliRunTest {

    @TempDir
    Path tmp;

    private static long rawFiles(Path storage) throws Exception {
        try (Stream<Path> s = Files.walk(storage)) {
            return s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".dat")).count();
        }
    }

    @Test
    void oneCycleWithRawCleanupOff() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");

        CliFixture.Run r = fx.cli("run", "--role", "all");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(fx.cli("ls", "--state", "ON_TAPE").out()).contains("of 7");
        assertThat(rawFiles(fx.storage)).isEqualTo(7);
        for (String lfn : CliFixture.allLfns()) {
            assertThat(fx.inStorage(lfn)).exists();
            assertThat(Files.readAllBytes(fx.onTape(lfn + ".bz2"))).isEqualTo(Files.readAllBytes(fx.inStorage(lfn + ".bz2")));
        }
        assertThat(fx.data1.resolve("ReadyForData")).exists();
        assertThat(fx.data2.resolve("ReadyForData")).exists();
    }

    @Test
    void oneCycleWithRawCleanupOnDeletesRawCopiesOfConfirmedTapeFiles() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: true");

        CliFixture.Run r = fx.cli("run", "--role", "all");

        assertThat(r.code()).as("%s", r).isZero();
        assertThat(r.out()).contains("raw copies deleted 7");
        assertThat(rawFiles(fx.storage)).isZero();
        for (String lfn : CliFixture.allLfns()) {
            assertThat(fx.inStorage(lfn + ".bz2")).exists();
            assertThat(fx.onTape(lfn + ".bz2")).exists();
        }
        assertThat(fx.cli("show", CliFixture.allLfns().get(0)).out()).contains("rawDeletedAt").contains("delete-raw");
        // a second cycle has nothing to do and succeeds
        assertThat(fx.cli("run", "--role", "grid").code()).isZero();
    }
}
