package org.migdal.dm.cli;

import org.migdal.dm.catalog.RunPage;
import org.migdal.dm.catalog.RunSummary;
import org.migdal.dm.catalog.Runs;
import org.migdal.dm.custody.ManifestEntry;
import org.migdal.dm.custody.ManifestWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * {@code runs}: per-run completeness, a page of runs in name order: "run X: N files, all on tape since …" or
 * "run X: N files, M not on tape (3 COMPRESSED, …)". The model is {@link Runs}.
 */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = {"Per-run completeness: files per run, and whether every file's compressed copy is confirmed on tape.",
                "A page of runs in name order; each page ends with the --after cursor of the next."})
final class RunsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--incomplete", description = "only runs with a file not on tape (FORGOTTEN files included: given up, never on tape)")
    boolean incomplete;

    @Option(names = "--after", paramLabel = "RUN", description = "start after this run name: the cursor that each page prints for the next one")
    String after;

    @Option(names = "--limit", defaultValue = "50", description = "runs per page (at most " + Runs.MAX_LIMIT + "; default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--missing", paramLabel = "N", defaultValue = "0",
            description = "also list the first N files not on tape of each incomplete run, with state and last error (default ${DEFAULT-VALUE})")
    int missing;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (limit < 1 || missing < 0) {
            main.spec.commandLine().getErr().println("--limit must be at least 1 and --missing at least 0");
            return Main.USAGE;
        }
        PrintWriter out = main.spec.commandLine().getOut();
        try (Context ctx = new Context(main.loadConfig())) {
            RunPage page = new Runs(ctx.catalog()).page(after, limit, incomplete, missing);
            if (json) {
                out.println(JsonOutput.mapper().writeValueAsString(page));
                return Main.OK;
            }
            for (RunSummary r : page.runs()) {
                out.println(line(r));
                for (RunSummary.NotOnTape f : r.missing()) {
                    out.printf("    %-15s %s%s%n", f.state(), ManifestEntry.escape(f.lfn()),
                            f.lastError() == null ? "" : "   [" + ManifestEntry.escape(f.lastError()) + "]");
                }
            }
            out.printf("-- %d %sruns%s%s%n", page.runs().size(), incomplete ? "incomplete " : "",
                    after == null ? "" : " after " + ManifestEntry.escape(after),
                    page.next() == null ? "" : "; next page: --after " + ManifestEntry.escape(page.next()));
        }
        return Main.OK;
    }

    /** "run X: N files, all on tape since …" or "run X: N files, M not on tape (3 COMPRESSED, 1 QUARANTINED)". */
    static String line(RunSummary r) {
        String head = "run " + ManifestEntry.escape(r.run()) + ": " + r.files() + " files (" + InfoCommands.mib(r.bytes()) + "), ";
        if (r.complete()) {
            return head + "all on tape" + (r.allOnTapeSince() == null ? "" : " since " + r.allOnTapeSince());
        }
        return head + r.notOnTape() + " not on tape (" + r.notOnTapeStates() + ")";
    }
}
