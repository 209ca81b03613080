package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.daq.SyntheticRuns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code daemon --role all} in a real child JVM: it drains a disk flagged while it runs, on its own schedule, and a
 * SIGTERM lets it finish the running cycle before the JVM exits (143, the usual code after SIGTERM).
 */
class DaemonIT {
    @TempDir
    Path dir;

    @Test
    void theDaemonDrainsAFlaggedDiskAndStopsCleanlyOnSigterm() throws Exception {
        Path disk = Files.createDirectories(dir.resolve("data1"));
        Path config = dir.resolve("migdal-dm.yaml");
        Files.writeString(config, DaqProcesses.config(dir.resolve("catalog.db"), List.of(disk),
                org.migdal.dm.testinfra.Markers.initialised(dir.resolve("storage")), org.migdal.dm.testinfra.Markers.initialised(dir.resolve("tape")), dir, 2));
        Path logs = dir.resolve("logs");
        Process daemon = DaqProcesses.cli(logs, "daemon", config, "daemon", "--role", "all", "--interval", "1");
        try {
            new SyntheticRuns(3).writeRun(disk, "Fe55", LocalDateTime.of(2026, 11, 28, 9, 0, 0), 4, 200_000);
            Files.writeString(disk.resolve("ReadyToTransfer"), "");

            boolean drained = false;
            try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null,
                    new ClaimPolicy("observer:1:0", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 2)) {
                for (int i = 0; i < 1200 && !drained && daemon.isAlive(); i++) {
                    drained = catalog.count(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 1)) == 4
                            && Files.exists(disk.resolve("ReadyForData"));
                    daemon.waitFor(100, TimeUnit.MILLISECONDS);
                }
            }
            assertThat(drained).as("drained while the daemon ran; its log:%n%s", DaqProcesses.err(logs, "daemon")).isTrue();
            assertThat(daemon.isAlive()).as("still running, waiting for its next cycle").isTrue();
        } finally {
            daemon.destroy(); // SIGTERM
        }
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).as(DaqProcesses.err(logs, "daemon")).isIn(0, 143);
        assertThat(DaqProcesses.err(logs, "daemon")).contains("cycle all done").contains("daemon stopping: the last cycle has finished");
    }
}
