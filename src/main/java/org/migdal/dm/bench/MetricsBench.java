package org.migdal.dm.bench;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.Counters;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.Overviews;
import org.migdal.dm.metrics.MetricsPage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One scrape of {@code /metrics} (what {@code serve} and {@code migdal-dm metrics} do per request) on a generated SQLite
 * catalog of a million files, with free-space samples of four DAQ disks and counters: in process, the catalog open and
 * warm, as a long-running server answers it; and the first scrape after opening.
 */
public final class MetricsBench implements Bench {
    static final double SCRAPE_BOUND_SECONDS = 0.2;
    private static final int SCRAPES_PER_ROUND = 10;

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public List<Figure> run(Context ctx) throws Exception {
        CatalogGenerator.Generated g = CatalogGenerator.forBench(ctx, "metrics");
        Path db = CatalogGenerator.benchDb(ctx);
        StringBuilder disks = new StringBuilder();
        for (String d : CatalogGenerator.DISKS) {
            Path root = Files.createDirectories(ctx.scratch().resolve("daq").resolve(d));
            Files.writeString(root.resolve("MIG_placeholder"), "x"); // a mounted disk is not empty
            disks.append("    - {name: ").append(d).append(", path: \"").append(root).append("\"}\n");
        }
        MigdalConfig config = ConfigLoader.parse("""
                catalog: {url: "sqlite:%s"}
                daq:
                  disks:
                %s
                storage: {disk: "%s", tape: "%s"}
                """.formatted(db, disks.toString().stripTrailing().indent(2).stripTrailing(), ctx.scratch().resolve("s").toUri(),
                ctx.scratch().resolve("t").toUri()), "bench.yaml");
        Clock clock = Clock.systemUTC();
        try (JdbcCatalog catalog = JdbcCatalog.open(config.catalog().url(), null, null,
                new ClaimPolicy("bench", Duration.ofMinutes(30), 5, Duration.ofMinutes(1)), clock, 2)) {
            Instant now = clock.instant();
            catalog.inTransaction(c -> { // a DAQ cycle every 5 minutes for a week, as DiskSpace keeps them
                try (var ps = c.prepareStatement("INSERT INTO disk_space (disk, at, free_bytes, total_bytes) VALUES (?, ?, ?, ?)")) {
                    for (String d : CatalogGenerator.DISKS) {
                        for (int i = 0; i < 7 * 24 * 12; i++) {
                            ps.setString(1, d);
                            ps.setLong(2, now.minus(Duration.ofMinutes(5L * i)).toEpochMilli());
                            ps.setLong(3, 4_000_000_000_000L + 1_000_000L * i);
                            ps.setLong(4, 8_000_000_000_000L);
                            ps.addBatch();
                        }
                    }
                    ps.executeBatch();
                }
                return null;
            }, "adding free-space samples");
            for (String d : CatalogGenerator.DISKS) { // as the first scan of each disk does
                Path root = ctx.scratch().resolve("daq").resolve(d);
                catalog.rememberDiskRoot(d, root.toString(), org.migdal.dm.daq.DiskPaths.inode(root));
            }
            Counters counters = new Counters(catalog);
            for (String stage : List.of("scan", "ship", "clean", "archive", "recall", "janitor", "poll")) {
                for (int i = 0; i < 50; i++) {
                    counters.stageEnded(stage, Duration.ofMillis(37L * i * i), List.of(new Counters.Moved(stage + "ed", i, 1000L * i)));
                }
            }
            MetricsPage page = new MetricsPage(new Overviews(catalog, config, null, clock), catalog);
            double first = Rounds.time(() -> scrape(page));
            check(scrape(page), g);
            List<Rounds.Timed> contenders = new ArrayList<>();
            contenders.add(() -> {
                double[] t = new double[SCRAPES_PER_ROUND];
                for (int i = 0; i < t.length; i++) {
                    t[i] = Rounds.time(() -> scrape(page));
                }
                return Rounds.median(t);
            });
            double warm = Rounds.medians(ctx.rounds(), contenders)[0];
            String how = String.format(Locale.ROOT, "%d files, 4 DAQ disks with a week of free-space samples, in process (SQLite),"
                    + " median of %d × %d scrapes", g.files(), ctx.rounds(), SCRAPES_PER_ROUND);
            return List.of(Figure.absolute("metrics: one /metrics scrape", warm, "s", SCRAPE_BOUND_SECONDS, false, how),
                    new Figure("metrics: first scrape after opening the catalog", first, "s", "", Double.NaN, "informative", true,
                            g.files() + " files, in process (SQLite), one scrape: cold JIT and caches"));
        }
    }

    private static String scrape(MetricsPage page) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        page.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The scrape counts every generated file (a bench that measured an empty answer would mean nothing). */
    private static void check(String text, CatalogGenerator.Generated g) {
        long files = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("migdal_dm_files{")) {
                files += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        if (files != g.files()) {
            throw new IllegalStateException("the metrics count " + files + " files, the catalog holds " + g.files());
        }
    }
}
