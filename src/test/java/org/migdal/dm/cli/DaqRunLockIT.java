package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.cli.DaqProcesses.assertExit;
import static org.migdal.dm.cli.DaqProcesses.err;

/** {@code run --role daq} (and the DAQ stage commands) exit at once with code 3 while another process holds the lock. */
class DaqRunLockIT {
    @TempDir
    Path tmp;

    @Test
    void aSecondDaqRunExitsWithCode3WhileAnotherProcessHoldsTheLock() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("daq/data1"));
        String run = "MIG_Fe55_data_220803T145447";
        Path file = disk.resolve(run).resolve(run + ".CAL.0000.dat");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[]{1, 2, 3, 4, 5});
        Files.writeString(disk.resolve("ReadyToTransfer"), "");
        Path lockDir = Files.createDirectories(tmp.resolve("locks"));
        Path catalogDb = tmp.resolve("state/catalog.db");
        Path config = tmp.resolve("migdal-dm.yaml");
        Files.writeString(config, DaqProcesses.config(catalogDb, List.of(disk), org.migdal.dm.testinfra.Markers.initialised(tmp.resolve("storage")),
                org.migdal.dm.testinfra.Markers.initialised(tmp.resolve("tape")), lockDir, 1));
        Path lockFile = lockDir.resolve("migdal-dm-daq.lock");
        Path logs = tmp.resolve("logs");

        ProcessBuilder pb = new ProcessBuilder(DaqProcesses.java(), "-cp", System.getProperty("java.class.path"),
                DaqLockHolder.class.getName(), lockFile.toString()).redirectError(ProcessBuilder.Redirect.INHERIT);
        Process holder = pb.start();
        try {
            BufferedReader holderOut = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String first = holderOut.readLine(); // blocks until the holder has the lock (or dies: null)
            assertThat(first).isEqualTo("LOCKED " + holder.pid());

            Process second = DaqProcesses.cli(logs, "run-busy", config, "run", "--role", "daq");
            assertExit(logs, "run-busy", second, 3, 120);
            assertThat(err(logs, "run-busy"))
                    .contains("another migdal-dm daq run holds " + lockFile.toAbsolutePath())
                    .contains("pid " + holder.pid())
                    .contains("exiting without doing anything");
            // it did nothing: the flag is still there, the file is in place, no catalog was even opened
            assertThat(disk.resolve("ReadyToTransfer")).exists();
            assertThat(file).exists();
            assertThat(catalogDb).doesNotExist();

            // the single DAQ stages take the same lock
            for (String stage : List.of("scan", "ship", "clean")) {
                Process p = DaqProcesses.cli(logs, stage + "-busy", config, stage);
                assertExit(logs, stage + "-busy", p, 3, 120);
                assertThat(err(logs, stage + "-busy")).contains("another migdal-dm daq run holds");
            }
            // another role's lock is another file: grid work is not blocked by a DAQ run
            Process grid = DaqProcesses.cli(logs, "grid", config, "run", "--role", "grid");
            assertExit(logs, "grid", grid, 0, 120);
        } finally {
            holder.getOutputStream().close(); // the holder lets go when its stdin closes
            assertThat(DaqProcesses.exitCode(holder, 60)).isZero();
        }

        // once the holder is gone the next run works normally and drains the disk
        Process after = DaqProcesses.cli(logs, "run-free", config, "run", "--role", "daq");
        assertExit(logs, "run-free", after, 0, 120);
        assertThat(disk.resolve("ReadyToTransfer")).doesNotExist();
        assertThat(file).doesNotExist();
        assertThat(tmp.resolve("storage/2208/220803").resolve(run).resolve(run + ".CAL.0000.dat")).hasBinaryContent(new byte[]{1, 2, 3, 4, 5});
        assertThat(disk.resolve("ReadyForData")).exists();
    }
}
