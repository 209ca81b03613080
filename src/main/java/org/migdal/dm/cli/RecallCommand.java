package org.migdal.dm.cli;

import org.migdal.dm.archive.Recaller;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.RecallStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code recall LFN…|--run RUN [--to URL]}: stage compressed copies back from tape, verified on arrival. */
@Command(name = "recall", mixinStandardHelpOptions = true, description = "Stage files back from tape to a storage endpoint (default: storage.disk); verifies the adler32 of what arrives.")
final class RecallCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "LFN", arity = "0..*")
    List<String> lfns = new ArrayList<>();

    @Option(names = "--run", description = "every ON_TAPE file of this run folder")
    String run;

    @Option(names = "--to", description = "destination base URL (default: storage.disk)")
    String to;

    @Option(names = "--json", description = "print what was requested and recalled as one JSON document (no progress bar)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        PrintWriter err = main.spec.commandLine().getErr();
        if (lfns.isEmpty() == (run == null)) {
            err.println("give either LFNs or --run RUN");
            return Main.USAGE;
        }
        try (Context ctx = new Context(main.loadConfig())) {
            String destination = to != null ? to : ctx.config.storage().disk();
            Optional<String> refusal = ctx.credentialRefusal(false, true);
            if (refusal.isPresent()) {
                return refused(out, err, "recall not started: " + refusal.get());
            }
            List<CatalogFile> files = new ArrayList<>();
            if (run != null) {
                files.addAll(ctx.catalog().list(new FileFilter(FileState.ON_TAPE, null, run, null, 0, 100_000)));
                if (files.isEmpty()) {
                    return refused(out, err, "no ON_TAPE file of run " + run + " in the catalog");
                }
            }
            for (String lfn : lfns) {
                Optional<CatalogFile> f = ctx.catalog().find(lfn);
                if (f.isEmpty()) {
                    return refused(out, err, "no file " + lfn + " in the catalog");
                }
                files.add(f.get());
            }
            RecallStore store = ctx.recalls();
            int requested = 0;
            for (CatalogFile f : files) {
                if (store.request(f, destination)) {
                    requested++;
                }
            }
            long bytes = files.stream().mapToLong(f -> f.compressedSize() == null ? 0 : f.compressedSize()).sum();
            Recaller.Report r;
            try (Progress p = new Progress(System.err, Progress.interactive(json) && bytes > 0, "recall", bytes)) {
                r = ctx.recaller().run(files.size() + 100, p);
            }
            boolean fts = ctx.config.archive().mover().equals("fts");
            if (json) {
                java.util.Map<String, Object> report = new java.util.LinkedHashMap<>();
                report.put("destination", destination);
                report.put("files", files.size());
                report.put("requested", requested);
                report.put("alreadyOpen", files.size() - requested);
                report.put("recalled", r.done());
                report.put("failed", r.failed());
                report.put("stagingThroughFts", fts);
                JsonOutput.print(out, StageCommands.json("recall", r.failed() == 0, report, List.of()));
                return r.failed() == 0 ? Main.OK : Main.FAILURE;
            }
            out.println(requested + " recall(s) requested to " + destination + (requested < files.size()
                    ? " (" + (files.size() - requested) + " already open)" : ""));
            out.println("recalled and verified " + r.done() + ", failed " + r.failed() + " (see `show LFN` for each file's history)");
            if (fts) {
                out.println("the others are staging through FTS3; `migdal-dm poll` (or the grid cycle) verifies them as they arrive");
            }
            return r.failed() == 0 ? Main.OK : Main.FAILURE;
        }
    }

    /** Nothing was recalled: the reason on stderr, and as the JSON document with {@code --json}; exit 1. */
    private int refused(PrintWriter out, PrintWriter err, String why) {
        err.println(why);
        if (json) {
            JsonOutput.print(out, StageCommands.json("recall", false, null, List.of(why)));
        }
        return Main.FAILURE;
    }
}
