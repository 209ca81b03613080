package org.migdal.dm.web;

import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.Overviews;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real SQLite catalog filled through the catalog API over the last hours (files registered, shipped, compressed and
 * put on tape hour by hour, odd LFNs among them, one failure), and the dashboard on 127.0.0.1, port 0.
 */
final class WebFixture implements AutoCloseable {
    /** LFNs a careless page or query would break. */
    static final List<String> ODD = List.of("/2026/261130/MIG_x/<script>alert('x')</script>&amp;\"q\".dat",
            "/2026/261130/MIG_x/new\nline.dat", "/2026/261130/MIG_x/ünïcödé 日本 100%_a\\b.dat");

    final Instant start = Instant.parse("2026-11-30T08:10:00Z");
    final Clock clock;
    final JdbcCatalog catalog;
    final WebServer server;
    final HttpClient http = HttpClient.newHttpClient();
    final List<String> lfns = new ArrayList<>();
    private final AtomicReference<Instant> now = new AtomicReference<>(start);

    WebFixture(Path dir, int files, MetricsSource metrics) throws IOException {
        clock = new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        Path d1 = Files.createDirectories(dir.resolve("data1"));
        MigdalConfig config = ConfigLoader.parse("""
                catalog: {url: "sqlite:%s"}
                daq: {disks: [{name: data1, path: "%s"}]}
                storage: {disk: "%s", tape: "%s"}
                """.formatted(dir.resolve("catalog.db"), d1, dir.resolve("storage").toUri(), dir.resolve("tape").toUri()), "web-test.yaml");
        catalog = JdbcCatalog.open(config.catalog().url(), null, null,
                new ClaimPolicy("web-test:1:0", Duration.ofMinutes(5), 3, Duration.ZERO), clock, 4);
        fill(files);
        server = WebServer.start(new Listen("127.0.0.1", 0), new Dashboard(catalog, new Overviews(catalog, config, null, clock), clock, null),
                metrics);
    }

    /** Each hour a batch is registered; the batch of the hour before is shipped, the one before compressed, then taped. */
    private void fill(int files) {
        int batch = Math.max(1, files / 6);
        for (int i = 0; i < files; i++) {
            String lfn = i < ODD.size() ? ODD.get(i) : String.format("/2026/261130/MIG_Fe55_data_261130T0800%02d/f.%05d.dat", i / batch, i);
            lfns.add(lfn);
        }
        for (int h = 0; h < 6; h++) {
            List<NewFile> now = new ArrayList<>();
            for (int i = h * batch; i < Math.min(files, (h + 1) * batch); i++) {
                String lfn = lfns.get(i);
                now.add(new NewFile(lfn, "data1", lfn.substring(13), "MIG_Fe55_data_261130T0800" + String.format("%02d", h), 1000L + i, start));
            }
            catalog.register(now);
            for (CatalogFile f : catalog.claim(Stage.TAPE, 10_000)) {
                catalog.advance(f, FileState.ON_TAPE, Changes.none(), "tape", "on tape");
            }
            for (CatalogFile f : catalog.claim(Stage.COMPRESS, 10_000)) {
                catalog.advance(f, FileState.COMPRESSED, Changes.none().compressed(f.lfn() + ".bz2", f.size() / 2, "0000abcd"), "compress", "ok");
            }
            for (CatalogFile f : catalog.claim(Stage.SHIP, 10_000)) {
                catalog.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", "shipped");
            }
            this.now.updateAndGet(t -> t.plus(Duration.ofHours(1)));
        }
        catalog.recordError(catalog.find(ODD.get(0)).orElseThrow().id(), "clean", "could not confirm <b>bold</b> & \"quoted\"");
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    URI uri(String path) {
        return URI.create(server.url().replaceAll("/$", "") + path);
    }

    @Override
    public void close() {
        server.close();
        catalog.close();
    }
}
