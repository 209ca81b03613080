package org.migdal.dm.cli;

import org.migdal.dm.daq.SyntheticRuns;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Adler32;

/**
 * Two real DAQ disks with synthetic runs (data1: a Fe55 run of 3 files and an AmBe run of 2; data2: a DD run
 * of 2; both flagged full), file:// storage and tape folders, a SQLite catalog and a config file; runs the
 * command line in-process and captures what it prints.
 */
final class CliFixture {
    static final String RUN_A = SyntheticRuns.runName("Fe55", LocalDateTime.of(2022, 8, 3, 14, 54, 47));
    static final String RUN_B = SyntheticRuns.runName("AmBe", LocalDateTime.of(2022, 8, 4, 10, 10, 10));
    static final String RUN_C = SyntheticRuns.runName("DD", LocalDateTime.of(2022, 8, 5, 8, 0, 0));
    static final int FILE_BYTES = 256 * 256 * 2;

    final Path base;
    final Path config;
    final Path data1;
    final Path data2;
    final Path storage;
    final Path tape;

    CliFixture(Path base, String archiveYaml) throws IOException {
        this.base = base;
        data1 = Files.createDirectories(base.resolve("daq/data1"));
        data2 = Files.createDirectories(base.resolve("daq/data2"));
        storage = org.migdal.dm.testinfra.Markers.initialised(base.resolve("storage"));
        tape = org.migdal.dm.testinfra.Markers.initialised(base.resolve("tape"));
        SyntheticRuns synth = new SyntheticRuns(3);
        synth.writeRun(data1, "Fe55", LocalDateTime.of(2022, 8, 3, 14, 54, 47), 3, FILE_BYTES);
        synth.writeRun(data1, "AmBe", LocalDateTime.of(2022, 8, 4, 10, 10, 10), 2, FILE_BYTES);
        synth.writeRun(data2, "DD", LocalDateTime.of(2022, 8, 5, 8, 0, 0), 2, FILE_BYTES);
        Files.writeString(data1.resolve("ReadyToTransfer"), "");
        Files.writeString(data2.resolve("ReadyToTransfer"), "");
        config = base.resolve("migdal-dm.yaml");
        Files.writeString(config, """
                catalog: {url: "sqlite:%1$s/catalog.db"}
                daq:
                  disks:
                    - {name: data1, path: "%2$s"}
                    - {name: data2, path: "%3$s"}
                storage: {disk: "%4$s", tape: "%5$s"}
                transfer: {threads: 2, retryBackoffSeconds: 0}
                archive: {workDir: "%1$s/work", %6$s}
                executor: {threads: 2}
                lockDir: "%1$s"
                """.formatted(base, data1, data2, storage.toUri(), tape.toUri(), archiveYaml));
    }

    static String lfn(String run, int i) {
        String day = run.substring(run.length() - 13, run.length() - 7); // YYMMDD of YYMMDDTHHMMSS
        return "/" + day.substring(0, 4) + "/" + day + "/" + run + "/" + run + String.format(".CAL.%04d.dat", i);
    }

    static List<String> allLfns() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            l.add(lfn(RUN_A, i));
        }
        for (int i = 0; i < 2; i++) {
            l.add(lfn(RUN_B, i));
        }
        for (int i = 0; i < 2; i++) {
            l.add(lfn(RUN_C, i));
        }
        return l;
    }

    record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** Runs {@code migdal-dm -c CONFIG args…} in-process. */
    Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of("-c", config.toString()));
        all.addAll(List.of(args));
        return raw(all.toArray(String[]::new));
    }

    /** Runs {@code migdal-dm args…} with exactly these arguments. */
    static Run raw(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    Path inStorage(String name) {
        return storage.resolve(name.substring(1));
    }

    Path onTape(String name) {
        return tape.resolve(name.substring(1));
    }

    static String adler32(Path file) throws IOException {
        Adler32 a = new Adler32();
        a.update(Files.readAllBytes(file));
        return String.format("%08x", a.getValue());
    }

    static void flipByte(Path file, int at) throws IOException {
        byte[] b = Files.readAllBytes(file);
        b[at] ^= 0x01;
        Files.write(file, b);
    }
}
