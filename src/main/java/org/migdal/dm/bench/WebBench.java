package org.migdal.dm.bench;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.Overviews;
import org.migdal.dm.web.Dashboard;
import org.migdal.dm.web.Listen;
import org.migdal.dm.web.WebServer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The dashboard's pages and API on a catalog of 1,000,000 files (10,000 with {@code --quick}) made by
 * {@link CatalogGenerator}: each request timed from the client (HTTP over 127.0.0.1, the server in this process), median
 * of the rounds, against 0.2 s each. The overview is timed twice: built for the request (a server without cache), and as
 * a dashboard serves it (at most 3 s old, kept fresh in the background while it is being looked at). The clock is set an hour
 * after the generated catalog's last progress, so the 48-hour plots have data; the disks' roots are recorded as a scan
 * records them.
 */
public final class WebBench implements Bench {
    static final double BOUND_SECONDS = 0.2;

    @Override
    public String name() {
        return "web";
    }

    @Override
    public List<Figure> run(Context ctx) throws Exception {
        CatalogGenerator.Generated g = CatalogGenerator.forBench(ctx, "web");
        Path db = CatalogGenerator.benchDb(ctx);
        StringBuilder disks = new StringBuilder();
        for (String d : CatalogGenerator.DISKS) {
            disks.append(disks.length() == 0 ? "" : ", ").append("{name: ").append(d).append(", path: \"")
                    .append(Files.createDirectories(ctx.scratch().resolve(d))).append("\"}");
        }
        MigdalConfig config = ConfigLoader.parse("""
                catalog: {url: "sqlite:%s"}
                daq: {disks: [%s]}
                storage: {disk: "%s", tape: "%s"}
                """.formatted(db, disks, ctx.scratch().resolve("storage").toUri(), ctx.scratch().resolve("tape").toUri()), "web-bench.yaml");
        Instant now;
        try (JdbcCatalog probe = open(config, Clock.systemUTC())) {
            now = probe.activity().lastProgress().orElseThrow().plus(Duration.ofHours(1));
            long t1 = System.nanoTime();
            int indexed = new org.migdal.dm.catalog.LfnIndex(probe).catchUp(Integer.MAX_VALUE); // as the daemon does after a cycle
            ctx.log().printf(Locale.ROOT, "web: LFN search index filled with %d files in %.1f s%n", indexed, (System.nanoTime() - t1) / 1e9);
            for (MigdalConfig.Disk d : config.daq().disks()) { // as a scan leaves them: the mounted root is known
                probe.rememberDiskRoot(d.name(), d.path(), org.migdal.dm.daq.DiskPaths.inode(Path.of(d.path())));
            }
        }
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        String middle = g.lastLfn().substring(0, g.lastLfn().lastIndexOf('/')); // a run folder of the last day
        String rare = g.firstLfn().substring(g.firstLfn().lastIndexOf('/') + 1); // matches one file
        long mid = g.files() / 2;
        try (JdbcCatalog catalog = open(config, clock);
             WebServer server = WebServer.start(new Listen("127.0.0.1", 0),
                     new Dashboard(catalog, new Overviews(catalog, config, null, clock), clock, null), null);
             WebServer uncached = WebServer.start(new Listen("127.0.0.1", 0),
                     new Dashboard(catalog, new Overviews(catalog, config, null, clock), clock, null, Duration.ZERO), null)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = server.url().replaceAll("/$", "");
            String cold = uncached.url().replaceAll("/$", "");
            List<String[]> pages = List.of(
                    new String[]{"web / (overview built for the request)", cold + "/", "id=\"throughput\""},
                    new String[]{"web /api/status (built for the request)", cold + "/api/status", "\"series\""},
                    new String[]{"web / (overview, as served: at most 3 s old)", "/", "id=\"throughput\""},
                    new String[]{"web /files (first page)", "/files", "id=\"next\""},
                    new String[]{"web /files?q= (LFN substring, one match)", "/files?q=" + enc(rare), rare},
                    new String[]{"web /files?q= (LFN substring, a run folder)", "/files?q=" + enc(middle.substring(middle.lastIndexOf('/'))), "id=\"next\""},
                    new String[]{"web /files?state=QUARANTINED&sort=-id", "/files?state=QUARANTINED&sort=-id", "QUARANTINED"},
                    new String[]{"web /files/{id} (file page)", "/files/" + mid, "id=\"history\""},
                    new String[]{"web /api/status (as served: at most 3 s old)", "/api/status", "\"series\""},
                    new String[]{"web /api/files?limit=50&after= (deep page)", "/api/files?limit=50&after=" + (g.files() - 100), "\"next\""});
            List<Rounds.Timed> contenders = new ArrayList<>();
            for (String[] p : pages) {
                URI uri = URI.create(p[1].startsWith("http") ? p[1] : base + p[1]);
                String body = get(http, uri);
                if (!body.contains(p[2])) {
                    throw new IllegalStateException("web bench: " + p[1] + " does not show " + p[2] + ":\n"
                            + body.substring(0, Math.min(800, body.length())));
                }
                for (int i = 0; i < 5; i++) {
                    get(http, uri); // warm-up: the JIT and the page cache
                }
                contenders.add(() -> Rounds.time(() -> get(http, uri)));
            }
            int rounds = Math.max(5, ctx.rounds());
            double[] medians = Rounds.medians(rounds, contenders);
            List<Figure> figures = new ArrayList<>();
            String how = String.format(Locale.ROOT, "%d files, HTTP on 127.0.0.1, median of %d rounds", g.files(), rounds);
            for (int i = 0; i < pages.size(); i++) {
                figures.add(Figure.absolute(pages.get(i)[0], medians[i], "s", BOUND_SECONDS, false, how));
            }
            return figures;
        }
    }

    private static JdbcCatalog open(MigdalConfig config, Clock clock) {
        return JdbcCatalog.open(config.catalog().url(), null, null, new ClaimPolicy("web-bench", Duration.ofMinutes(30), 5,
                Duration.ofMinutes(1)), clock, 4);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String get(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("web bench: " + uri + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }
}
