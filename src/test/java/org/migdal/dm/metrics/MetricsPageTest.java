package org.migdal.dm.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.Activity;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.Counters;
import org.migdal.dm.catalog.Failure;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.catalog.StateCount;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.DiskOutlook;
import org.migdal.dm.health.Overview;
import org.migdal.dm.health.Overviews;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /metrics} over a real SQLite catalog and real DAQ folders, against the catalog's own counts; promtool accepts it. */
class MetricsPageTest {
    @TempDir
    Path dir;

    private final Instant now = Instant.parse("2024-03-01T18:00:00Z");
    private final Clock clock = Clock.fixed(now, ZoneOffset.UTC);

    private MigdalConfig config(Path d1, Path d2) {
        return ConfigLoader.parse("""
                catalog:
                  url: sqlite:%s
                daq:
                  disks:
                    - {name: data1, path: %s}
                    - {name: data2, path: %s}
                storage:
                  disk: file://%s
                  tape: file://%s
                """.formatted(dir.resolve("c.db"), d1, d2, dir.resolve("storage"), dir.resolve("tape")), "test.yaml");
    }

    private static String text(MetricsPage page) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        page.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theMetricsAreTheCatalogsCountsDisksEndpointsAndCountersAndPromtoolAcceptsThem() throws Exception {
        Path d1 = Files.createDirectories(dir.resolve("data1"));
        Path d2 = Files.createDirectories(dir.resolve("data2"));
        MigdalConfig config = config(d1, d2);
        Files.writeString(d2.resolve(config.daq().readyToTransferFlag()), "");
        Files.createDirectories(d1.resolve("r"));
        Files.writeString(d1.resolve("r/f0.dat"), "x"); // a disk whose root is empty while files are expected is unmounted
        String storage = "file://" + dir.resolve("storage");
        String tape = "file://" + dir.resolve("tape");
        try (JdbcCatalog c = JdbcCatalog.open(config.catalog().url(), null, null,
                new ClaimPolicy("t", Duration.ofMinutes(5), 3, Duration.ofSeconds(1)), clock, 2)) {
            List<NewFile> files = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                files.add(new NewFile("/r/f" + i + ".dat", i < 5 ? "data1" : "data2", "r/f" + i + ".dat", "r", 100L + i, now));
            }
            c.register(files);
            CatalogFile shipped = c.claim(Stage.SHIP, 1).get(0);
            c.advance(shipped, FileState.ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", "shipped");
            c.fail(c.claim(Stage.SHIP, 1).get(0), "ship", Failure.permanent("size changed while it was read")); // QUARANTINED
            c.markMissing(c.claim(Stage.SHIP, 1).get(0), "vanished from data1");                                    // MISSING
            c.fail(c.claim(Stage.SHIP, 1).get(0), "ship", Failure.endpoint(storage, "no space left"));            // waits
            c.endpointDown(storage, "NO_SPACE: no space left");
            c.endpointDown(tape, "unreachable");
            c.endpointUp(tape);
            for (int i = 0; i <= 6; i++) { // data1 loses 1 MB an hour: a forecast
                c.activity().recordSpace(new Activity.SpaceSample("data1", now.minus(Duration.ofMinutes(60 - 10L * i)),
                        900_000_000L - 166_667L * i, 1L << 40));
            }
            Counters counters = new Counters(c);
            counters.stageEnded("ship", Duration.ofMillis(2500), List.of(new Counters.Moved("shipped", 1, 100)));
            counters.stageEnded("ship", Duration.ofMillis(700), List.of());
            counters.stageEnded("scan", Duration.ofMillis(30), List.of(new Counters.Moved("registered", 6, 0)));
            Overviews overviews = new Overviews(c, config, null, clock);
            MetricsPage page = new MetricsPage(overviews, c);

            String text = text(page);
            Exposition m = new Exposition(text);

            assertThat(page.contentType()).startsWith("text/plain; version=0.0.4");
            // every (disk, state) of the catalog's counts, and 0 for the states a disk has no file in
            List<StateCount> counts = c.counts();
            assertThat(counts).isNotEmpty();
            for (StateCount sc : counts) {
                assertThat(m.get("migdal_dm_files", "disk", sc.disk(), "state", sc.state().name())).as("%s", sc).isEqualTo(sc.files());
                assertThat(m.get("migdal_dm_bytes", "disk", sc.disk(), "state", sc.state().name())).as("%s", sc).isEqualTo(sc.bytes());
            }
            for (String disk : List.of("data1", "data2")) {
                double sum = 0;
                for (FileState s : FileState.values()) {
                    sum += m.get("migdal_dm_files", "disk", disk, "state", s.name());
                }
                assertThat(sum).isEqualTo(counts.stream().filter(x -> x.disk().equals(disk)).mapToLong(StateCount::files).sum());
            }
            assertThat(m.get("migdal_dm_files", "disk", "data1", "state", "QUARANTINED")).isEqualTo(1);
            assertThat(m.get("migdal_dm_files", "disk", "data1", "state", "MISSING")).isEqualTo(1);
            assertThat(m.get("migdal_dm_files", "disk", "data2", "state", "ON_TAPE")).isZero();
            assertThat(m.get("migdal_dm_files_waiting")).isEqualTo(overviews.now().waiting()).isEqualTo(4);
            // endpoints
            assertThat(m.get("migdal_dm_endpoint_up", "endpoint", storage)).isZero();
            assertThat(m.get("migdal_dm_endpoint_up", "endpoint", tape)).isEqualTo(1);
            // disks: phase, free space, forecast (absent without samples)
            assertThat(m.get("migdal_dm_disk_phase", "disk", "data1", "phase", "FILLING")).isEqualTo(1);
            assertThat(m.get("migdal_dm_disk_phase", "disk", "data1", "phase", "FULL")).isZero();
            assertThat(m.get("migdal_dm_disk_phase", "disk", "data2", "phase", "FULL")).isEqualTo(1);
            DiskOutlook one = overviews.now().disks().get(0);
            assertThat(m.get("migdal_dm_disk_size_bytes", "disk", "data1")).isEqualTo(one.totalBytes());
            assertThat(m.get("migdal_dm_disk_free_bytes", "disk", "data1")).isPositive();
            assertThat(m.get("migdal_dm_disk_full_forecast_seconds", "disk", "data1")).isPositive().isLessThan(Double.POSITIVE_INFINITY);
            assertThat(m.get("migdal_dm_disk_fill_rate_bytes_per_second", "disk", "data1")).isCloseTo(166_667.0 / 600,
                    org.assertj.core.api.Assertions.withinPercentage(1));
            assertThat(m.value("migdal_dm_disk_full_forecast_seconds", "disk", "data2")).as("no samples: no forecast").isEmpty();
            // progress and errors
            assertThat(m.get("migdal_dm_last_progress_timestamp_seconds")).isEqualTo(now.getEpochSecond());
            assertThat(m.get("migdal_dm_last_error_timestamp_seconds", "stage", "ship")).isEqualTo(now.getEpochSecond());
            assertThat(m.get("migdal_dm_errors_total", "class", "permanent", "stage", "ship")).isEqualTo(1);
            assertThat(m.get("migdal_dm_errors_total", "class", "endpoint", "stage", "ship")).isEqualTo(1);
            assertThat(m.value("migdal_dm_errors_total", "class", "file", "stage", "ship")).isEmpty();
            assertThat(m.value("migdal_dm_credential_seconds_left", "kind", "x509 proxy")).as("local storage: no credential").isEmpty();
            // histograms and step counters
            assertThat(m.get("migdal_dm_stage_duration_seconds_count", "stage", "ship")).isEqualTo(2);
            assertThat(m.get("migdal_dm_stage_duration_seconds_sum", "stage", "ship")).isEqualTo(3.2);
            assertThat(m.get("migdal_dm_stage_duration_seconds_bucket", "le", "0.5", "stage", "ship")).isZero();
            assertThat(m.get("migdal_dm_stage_duration_seconds_bucket", "le", "1.0", "stage", "ship")).isEqualTo(1);
            assertThat(m.get("migdal_dm_stage_duration_seconds_bucket", "le", "5.0", "stage", "ship")).isEqualTo(2);
            assertThat(m.get("migdal_dm_stage_duration_seconds_bucket", "le", "+Inf", "stage", "ship")).isEqualTo(2);
            assertThat(m.get("migdal_dm_stage_duration_seconds_bucket", "le", "0.1", "stage", "scan")).isEqualTo(1);
            assertThat(m.get("migdal_dm_step_files_total", "step", "registered")).isEqualTo(6);
            assertThat(m.get("migdal_dm_step_files_total", "step", "shipped")).isEqualTo(1);
            assertThat(m.get("migdal_dm_step_bytes_total", "step", "shipped")).isEqualTo(100);
            // no label carries an LFN
            assertThat(text).doesNotContain("/r/f");

            Exposition.Result check = Exposition.promtool(dir, text, "check", "metrics");
            assertThat(check.code()).as("promtool check metrics:\n%s\non\n%s", check.output(), text).isZero();
            assertThat(check.output()).as("promtool lint findings").isBlank();
        }
    }

    @Test
    void aCredentialShowsItsSecondsLeftAndATokenWithoutExpiryIsInfinite() {
        Overview.CredentialLife proxy = new Overview.CredentialLife("x509 proxy", now.plusSeconds(3600), 3600, "WARN", "1 h left");
        Overview.CredentialLife token = new Overview.CredentialLife("bearer token", null, -1, "OK", "no expiry");
        DiskOutlook notFilling = new DiskOutlook("data1", "/d1", DiskOutlook.Phase.DRAINING, 10, 100, 0.0, 5.0, null, "not filling");
        Families.Counted none = new Families.Counted(List.of(), List.of(), List.of());
        Exposition a = new Exposition(write(Families.of(new Overview(now, List.of(), List.of(notFilling), List.of(), proxy, List.of(), null), none)));
        Exposition b = new Exposition(write(Families.of(new Overview(now, List.of(), List.of(), List.of(), token, List.of(), null), none)));

        assertThat(a.get("migdal_dm_credential_seconds_left", "kind", "x509 proxy")).isEqualTo(3600);
        assertThat(a.get("migdal_dm_disk_full_forecast_seconds", "disk", "data1")).as("a forecast says it is not filling").isInfinite();
        assertThat(a.get("migdal_dm_disk_phase", "disk", "data1", "phase", "DRAINING")).isEqualTo(1);
        assertThat(a.value("migdal_dm_last_progress_timestamp_seconds")).as("never progressed").isEmpty();
        assertThat(b.get("migdal_dm_credential_seconds_left", "kind", "bearer token")).isInfinite();
    }

    @Test
    void endpointLabelsCarryNoUserInformationNorQuery() {
        assertThat(Families.endpointLabel("https://alice:secret@dcache.example.org:2880/pnfs/migdal?authz=abc"))
                .isEqualTo("https://dcache.example.org:2880/pnfs/migdal");
        assertThat(Families.endpointLabel("root://xrootd.example.org//store")).isEqualTo("root://xrootd.example.org//store");
        assertThat(Families.endpointLabel("htcondor:schedd")).isEqualTo("htcondor:schedd");
    }

    private static String write(io.prometheus.metrics.model.snapshots.MetricSnapshots s) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out, s);
            return out.toString(StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
