package org.migdal.dm.cli;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.SyntheticRuns;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;

/**
 * {@code quickstart}: a complete pipeline on this machine with no external service. Creates four DAQ disks with
 * synthetic runs (one flagged full), local storage and tape folders and a config, runs both roles to completion
 * and prints the result. Run again, it refills a released disk and drains it too.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, description = "Drain a synthetic DAQ disk to local storage and tape, end to end, in ./quickstart.")
final class QuickstartCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--dir", defaultValue = "quickstart", description = "working folder (default ./${DEFAULT-VALUE})")
    Path dir;

    @Option(names = "--file-mib", defaultValue = "8", description = "size of each synthetic file in MiB (default ${DEFAULT-VALUE})")
    int fileMib;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        Path base = dir.toAbsolutePath().normalize();
        Path configFile = base.resolve("migdal-dm.yaml");
        SyntheticRuns synth = new SyntheticRuns(System.nanoTime());
        LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        long fileBytes = fileMib * 1048576L;
        if (!Files.exists(configFile)) {
            out.println("creating " + base + " with four DAQ disks of synthetic MIGDAL runs …");
            for (String d : new String[]{"data1", "data2", "data3", "data4"}) {
                Files.createDirectories(base.resolve("daq").resolve(d));
            }
            Files.createDirectories(base.resolve("storage"));
            Files.createDirectories(base.resolve("tape"));
            Path data1 = base.resolve("daq/data1");
            synth.writeRun(data1, "Fe55", now.minusHours(3), 8, fileBytes);
            synth.writeRun(data1, "Fe55", now.minusHours(2), 8, fileBytes);
            synth.writeRun(data1, "AmBe", now.minusHours(1), 8, fileBytes);
            Files.writeString(data1.resolve("ReadyToTransfer"), "");
            synth.writeRun(base.resolve("daq/data2"), "AmBe", now.minusMinutes(30), 4, fileBytes);
            synth.writeRun(base.resolve("daq/data3"), "DD", now.minusMinutes(20), 4, fileBytes);
            Files.writeString(base.resolve("daq/data4/ReadyForData"), "");
            Files.writeString(configFile, config(base));
            out.println("data1 is full (flagged ReadyToTransfer); data2 and data3 are still filling; data4 is empty");
        } else {
            MigdalConfig existing = ConfigLoader.load(configFile);
            Path refill = null;
            for (MigdalConfig.Disk d : existing.daq().disks()) {
                if (Files.exists(Path.of(d.path()).resolve(existing.daq().readyForDataFlag()))) {
                    refill = Path.of(d.path());
                    break;
                }
            }
            if (refill != null) {
                out.println("quickstart exists; the DAQ refills the released disk " + refill + " and flags it full …");
                Files.delete(refill.resolve(existing.daq().readyForDataFlag()));
                synth.writeRun(refill, "Fe55", now.minusMinutes(10), 6, fileBytes);
                synth.writeRun(refill, "Fe55", now.minusMinutes(5), 6, fileBytes);
                Files.writeString(refill.resolve(existing.daq().readyToTransferFlag()), "");
            }
        }
        MigdalConfig config = ConfigLoader.load(configFile);
        try (Context ctx = new Context(config)) {
            for (String url : new String[]{config.storage().disk(), config.storage().tape()}) {
                StorageEndpoint e = ctx.unguarded(url);
                if (Marker.ensure(e, ClaimPolicy.thisProcessOwner(), ctx.clock.instant())) {
                    out.println("storage init: wrote " + e.urlOf(Marker.NAME));
                }
            }
            int cycles = 0;
            Cycle.Result r;
            do {
                r = Cycle.run(ctx, "all", Progress.interactive(false), System.err);
                out.println("cycle " + (++cycles) + ": " + Cycle.summary(r));
                r.problems().forEach(p -> out.println("  problem: " + p));
            } while (r.didWork() && cycles < 20
                    && ctx.catalog().count(new FileFilter(FileState.REGISTERED, null, null, null, 0, 1))
                    + ctx.catalog().count(new FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 1))
                    + ctx.catalog().count(new FileFilter(FileState.COMPRESSED, null, null, null, 0, 1)) > 0);
            out.println();
            InfoCommands.Status.print(ctx.catalog(), out, false);
            out.println();
            out.println("where the files went:");
            out.println("  DAQ disks     " + base.resolve("daq") + "   (drained disks get ReadyForData)");
            out.println("  disk storage  " + base.resolve("storage") + "   (raw files at their LFN, compressed beside them)");
            out.println("  tape          " + base.resolve("tape") + "   (compressed copies)");
            out.println("  catalog       " + config.catalog().url());
            out.println("try:  bin/migdal-dm -c " + configFile + " ls --state ON_TAPE");
            out.println("      bin/migdal-dm -c " + configFile + " show <LFN>");
            out.println("      bin/migdal-dm quickstart    (again: the DAQ refills a released disk)");
            long quarantined = ctx.catalog().count(new FileFilter(FileState.QUARANTINED, null, null, null, 0, 1));
            return quarantined == 0 ? Main.OK : Main.FAILURE;
        }
    }

    static String config(Path base) {
        return """
                # migdal-dm quickstart: everything local (see config/migdal-dm.example.yaml for every key)
                catalog:
                  url: sqlite:%1$s/catalog.db
                daq:
                  disks:
                    - {name: data1, path: %1$s/daq/data1}
                    - {name: data2, path: %1$s/daq/data2}
                    - {name: data3, path: %1$s/daq/data3}
                    - {name: data4, path: %1$s/daq/data4}
                storage:
                  disk: %2$s
                  tape: %3$s
                  # no credentials here: local folders (or a local test server without authentication)
                  diskAuth: none
                  tapeAuth: none
                transfer:
                  threads: 4
                archive:
                  compression: bzip2
                  workDir: %1$s/work
                  # the quickstart's "tape" is a folder (or a test server) with no tape system behind it
                  requireTapeResidency: false
                lockDir: %1$s
                """.formatted(base, base.resolve("storage").toUri(), base.resolve("tape").toUri());
    }
}
