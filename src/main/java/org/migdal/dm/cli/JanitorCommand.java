package org.migdal.dm.cli;

import org.migdal.dm.storage.Janitor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code migdal-dm janitor [--dry-run]}: removes, now, orphaned temporary files ({@code .mdm-…part}) older than
 * {@code janitor.tempMaxAgeHours} at the storage and tape endpoints and in {@code archive.workDir}. The cycles do
 * the same at most once an hour per place ({@link #sweepDue}).
 */
@Command(name = "janitor", mixinStandardHelpOptions = true,
        description = "Remove orphaned temporary files (.mdm-*.part, left by killed uploads and compressions) older than"
                + " janitor.tempMaxAgeHours at the storage and tape endpoints and in archive.workDir.")
final class JanitorCommand implements Callable<Integer> {
    /** The cycles sweep a place at most this often. */
    static final Duration EVERY = Duration.ofHours(1);

    @ParentCommand
    Main main;

    @Option(names = "--dry-run", description = "list what would be removed; remove nothing")
    boolean dryRun;

    @Override
    public Integer call() {
        try (Context ctx = new Context(main.loadConfig())) {
            PrintWriter out = main.spec.commandLine().getOut();
            List<Janitor.Report> reports = sweep(ctx, places(ctx, "all"), dryRun, false);
            boolean problems = false;
            for (Janitor.Report r : reports) {
                out.println(r.summary());
                r.removed().forEach(p -> out.println("  " + (r.dryRun() ? "would remove " : "removed ") + p));
                problems |= !r.problems().isEmpty();
            }
            out.flush();
            return problems ? Main.FAILURE : Main.OK;
        }
    }

    /** A place to sweep: an endpoint (by its configured URL) or the scratch folder. */
    record Place(String url, boolean workDir) {
    }

    /** What a role writes temporaries to: the DAQ side the disk storage; the grid side storage, tape and workDir. */
    static List<Place> places(Context ctx, String role) {
        List<Place> out = new ArrayList<>();
        boolean daq = role.equals("daq") || role.equals("all");
        boolean grid = role.equals("grid") || role.equals("all");
        if (daq || grid) {
            out.add(new Place(ctx.config.storage().disk(), false));
        }
        if (grid) {
            out.add(new Place(ctx.config.storage().tape(), false));
            out.add(new Place(Path.of(ctx.config.archive().workDir()).toUri().toString(), true));
        }
        return out;
    }

    /** Sweeps each place; with {@code onlyDue}, only places not swept within {@link #EVERY} (stamps in workDir). */
    static List<Janitor.Report> sweep(Context ctx, List<Place> places, boolean dryRun, boolean onlyDue) {
        Janitor janitor = new Janitor(Duration.ofHours(ctx.config.janitor().tempMaxAgeHours()), ctx.clock);
        org.migdal.dm.storage.JanitorStamps stamps = new org.migdal.dm.storage.JanitorStamps(
                Path.of(ctx.config.archive().workDir()), EVERY, ctx.clock);
        List<Janitor.Report> out = new ArrayList<>();
        for (Place p : places) {
            if (onlyDue && !stamps.due(p.url())) {
                continue;
            }
            Janitor.Report r;
            if (p.workDir()) {
                r = janitor.sweepWorkDir(Path.of(ctx.config.archive().workDir()), dryRun);
            } else {
                // an endpoint DOWN (credential refused, marker missing, unreachable) is not swept and never created
                Optional<String> refusal = ctx.endpointRefusal(p.url().equals(ctx.config.storage().disk()),
                        p.url().equals(ctx.config.storage().tape()));
                if (refusal.isPresent()) {
                    out.add(new Janitor.Report(p.url(), dryRun, List.of(), 0, 0, 0, List.of("not swept: " + refusal.get())));
                    if (onlyDue) {
                        stamps.done(p.url()); // the cycle reports the endpoint itself; try again in an hour, not every cycle
                    }
                    continue;
                }
                r = janitor.sweep(ctx.endpoint(p.url()), dryRun);
            }
            out.add(r);
            if (!dryRun) {
                stamps.done(p.url());
            }
        }
        return out;
    }
}
