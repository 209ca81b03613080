package org.migdal.dm.bench;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.RunPage;
import org.migdal.dm.catalog.RunSummary;
import org.migdal.dm.catalog.Runs;
import org.migdal.dm.custody.ManifestWriter;

import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Per-run completeness on a catalog of 1,000,000 files in 1,000 runs of 1,000 (10,000 files with {@code --quick}), made by
 * {@link CatalogGenerator}: a page of 50 runs (each with its first 10 files not on tape) at the start and at the end of
 * the name order, the incomplete runs only, and the custody manifest of a 1,000-file run, in process (the time the web
 * server's {@code /runs} and {@code /api/runs} spend) against 200 ms; and {@code runs} and {@code manifest --out} as whole
 * processes, JVM start included, against 1 s.
 */
public final class RunsBench implements Bench {
    static final double PAGE_BOUND_MS = 200;
    static final double MANIFEST_BOUND_MS = 1000;
    private static final int PAGE = 50;
    private static final int MISSING = 10;

    @Override
    public String name() {
        return "runs";
    }

    @Override
    public List<Figure> run(Context ctx) throws Exception {
        CatalogGenerator.Generated g = CatalogGenerator.forBench(ctx, "runs");
        Path db = CatalogGenerator.benchDb(ctx);
        Path config = CliBench.Commands.config(ctx, db);
        CliBench.Commands cli = new CliBench.Commands(ctx.scratch(), CliBench.ours(ctx.launcher()), config);
        cli.warmUp(ctx.quick() ? null : ctx.launcher());
        Path out = ctx.scratch().resolve("manifest.txt");

        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + db, null, null,
                new ClaimPolicy("bench", Duration.ofMinutes(30), 5, Duration.ofMinutes(1)), Clock.systemUTC(), 2)) {
            Runs runs = new Runs(catalog);
            List<String> names = allRuns(runs);
            int page = Math.min(PAGE, names.size() / 2); // 5 of the 10 runs of a --quick catalog
            String lastAfter = names.get(names.size() - page - 1); // the cursor of the page before the last
            String run = names.get(names.size() / 2);
            int exit = runs.run(run, 0).orElseThrow().complete() ? 0 : 1; // the manifest of an incomplete run exits 1
            check(runs, names, page, lastAfter, run, cli, out, g, exit);

            List<Rounds.Timed> contenders = new ArrayList<>();
            contenders.add(() -> Rounds.time(() -> runs.page(null, page, false, MISSING)));
            contenders.add(() -> Rounds.time(() -> runs.page(lastAfter, page, false, MISSING)));
            contenders.add(() -> Rounds.time(() -> runs.page(null, page, true, MISSING)));
            contenders.add(() -> Rounds.time(() -> runs.run(run, MISSING)));
            contenders.add(() -> Rounds.time(() -> manifest(runs, run, Writer.nullWriter())));
            contenders.add(() -> cli.time(cli.command(List.of("runs", "--limit", String.valueOf(page)), true)));
            contenders.add(() -> cli.time(cli.command(List.of("runs", "--limit", String.valueOf(page), "--after", lastAfter), true)));
            contenders.add(() -> cli.time(cli.command(List.of("manifest", run, "--out", out.toString()), true), exit));
            Rounds.medians(1, contenders); // warm: the JIT and the page cache, as in a server that has answered before
            double[] t = Rounds.medians(Math.max(ctx.rounds(), 5), contenders);

            String in = String.format(Locale.ROOT, "%d files in %d runs, in process (JdbcCatalog open), %d runs per page with their first %d"
                    + " files not on tape, median of %d rounds", g.files(), names.size(), page, MISSING, Math.max(ctx.rounds(), 5));
            String whole = String.format(Locale.ROOT, "%d files in %d runs, whole process (JVM start included), median of %d rounds",
                    g.files(), names.size(), Math.max(ctx.rounds(), 5));
            int perRun = (int) (g.files() / names.size());
            return List.of(
                    Figure.absolute("runs: first page (in process)", t[0] * 1000, "ms", PAGE_BOUND_MS, false, in),
                    Figure.absolute("runs: last page, --after (in process)", t[1] * 1000, "ms", PAGE_BOUND_MS, false, in),
                    Figure.absolute("runs --incomplete: first page (in process)", t[2] * 1000, "ms", PAGE_BOUND_MS, false,
                            in + "; in this catalog nearly every run has a file not on tape"),
                    Figure.absolute("runs: one run (in process)", t[3] * 1000, "ms", PAGE_BOUND_MS, false, in),
                    Figure.absolute("manifest of a " + perRun + "-file run (in process, text)", t[4] * 1000, "ms", MANIFEST_BOUND_MS, false,
                            in.replace(", " + page + " runs per page with their first " + MISSING + " files not on tape", "")),
                    Figure.absolute("cli runs --limit " + page + " (first page)", t[5], "s", CliBench.COMMAND_BOUND_SECONDS, false, whole),
                    Figure.absolute("cli runs --limit " + page + " --after (last page)", t[6], "s", CliBench.COMMAND_BOUND_SECONDS, false, whole),
                    Figure.absolute("cli manifest RUN --out FILE (" + perRun + " files)", t[7], "s", CliBench.COMMAND_BOUND_SECONDS, false, whole));
        }
    }

    private static Optional<RunSummary> manifest(Runs runs, String run, Writer out) throws Exception {
        return ManifestWriter.write(runs, run, ManifestWriter.Format.TEXT,
                new ManifestWriter.About(Instant.now(), "bench", "bench", "file:///tape"), name -> "file:///tape" + name, out);
    }

    /** Every run name, a page at a time. */
    private static List<String> allRuns(Runs runs) {
        List<String> names = new ArrayList<>();
        String after = null;
        do {
            RunPage p = runs.page(after, Runs.MAX_LIMIT, false, 0);
            p.runs().forEach(r -> names.add(r.run()));
            after = p.next();
        } while (after != null);
        return names;
    }

    /** Each measured thing answers what it should: full pages, the last page last, a manifest of every file of the run. */
    private static void check(Runs runs, List<String> names, int page, String lastAfter, String run, CliBench.Commands cli, Path out,
                              CatalogGenerator.Generated g, int exit) throws Exception {
        RunPage first = runs.page(null, page, false, MISSING);
        require(first.runs().size() == page && first.next().equals(names.get(page - 1)), "first page: " + first.next());
        RunPage last = runs.page(lastAfter, page, false, MISSING);
        require(last.runs().size() == page && last.next() == null && last.runs().get(page - 1).run().equals(names.get(names.size() - 1)),
                "last page: " + last.runs().size() + " runs, next " + last.next());
        long files = 0;
        for (String name : names) {
            files += runs.run(name, 0).orElseThrow().files();
        }
        require(files == g.files(), "the runs count " + files + " files, the catalog has " + g.files());
        StringWriter text = new StringWriter();
        RunSummary s = manifest(runs, run, text).orElseThrow();
        long lines = text.toString().lines().filter(l -> l.matches("^[A-Z_]+ +\\d+ .*")).count();
        require(lines == s.files() && text.toString().contains("# end of manifest"),
                "the manifest of " + run + " has " + lines + " file lines for " + s.files() + " files");
        String listing = cli.run(cli.command(List.of("runs", "--limit", String.valueOf(page)), true));
        require(listing.lines().filter(l -> l.startsWith("run ")).count() == page && listing.contains("next page: --after " + names.get(page - 1)),
                "cli runs:\n" + listing);
        cli.run(cli.command(List.of("manifest", run, "--out", out.toString()), true), exit);
        require(Files.readString(out).contains("# end of manifest"), "manifest --out " + out + " is not whole");
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("runs bench: " + what);
        }
    }
}
