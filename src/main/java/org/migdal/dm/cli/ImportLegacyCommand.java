package org.migdal.dm.cli;

import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.LegacyImport;
import org.migdal.dm.catalog.LegacyRows;
import org.migdal.dm.config.MigdalConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code import-legacy PATH}: takes over the Python system's catalog. */
@Command(name = "import-legacy", mixinStandardHelpOptions = true, description = "Import the Python system's SQLite catalog (table migdal_db), read-only, in one transaction.")
final class ImportLegacyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PATH", description = "the legacy catalog (e.g. sqlite_dt.db); never modified")
    Path legacy;

    @Option(names = "--dry-run", description = "print what would happen per state; write nothing")
    boolean dryRun;

    @Option(names = "--json")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        MigdalConfig config = main.loadConfig();
        Map<String, Path> disks = new LinkedHashMap<>();
        for (MigdalConfig.Disk d : config.daq().disks()) {
            disks.put(d.name(), Path.of(d.path()));
        }
        LegacyImport importer = new LegacyImport(disks);
        try (LegacyRows rows = LegacyRows.open(legacy); Context ctx = new Context(config)) {
            LegacyImport.Report r = importer.run(rows, ctx.catalog(), dryRun, ctx.clock.instant());
            if (json) {
                out.println(JsonOutput.mapper().writeValueAsString(r));
                return Main.OK;
            }
            out.printf(Locale.ROOT, "%s %s: %d rows read%n", dryRun ? "dry run of the import of" : "imported", legacy, r.read());
            for (FileState s : FileState.values()) {
                Integer n = r.perState().get(s);
                if (n != null) {
                    out.printf(Locale.ROOT, "  %-16s %7d%s%n", s, n, dryRun ? " would be imported" : "");
                }
            }
            out.printf(Locale.ROOT, "  quarantined      %7d%n", r.quarantined());
            out.printf(Locale.ROOT, "  already present  %7d (skipped)%n", r.skippedPresent());
            r.quarantineReasons().forEach((reason, n) -> out.printf(Locale.ROOT, "    %d × %s%n", n, reason));
            out.printf(Locale.ROOT, "  %.0f rows/s%n", r.read() / Math.max(0.001, r.millis() / 1000.0));
        }
        return Main.OK;
    }
}
