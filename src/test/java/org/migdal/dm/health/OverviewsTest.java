package org.migdal.dm.health;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.Activity;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The overview over a real SQLite catalog and real DAQ folders. */
class OverviewsTest {
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

    @Test
    void countsDisksForecastProgressAndErrorsComeFromTheCatalogAndTheDisks() throws Exception {
        Path d1 = Files.createDirectories(dir.resolve("data1"));
        Path d2 = Files.createDirectories(dir.resolve("data2"));
        MigdalConfig config = config(d1, d2);
        Files.writeString(d2.resolve(config.daq().readyToTransferFlag()), "");
        Files.createDirectories(d1.resolve("r"));
        Files.writeString(d1.resolve("r/b.dat"), "x".repeat(50)); // a disk whose root is empty while files are expected is unmounted
        try (JdbcCatalog c = JdbcCatalog.open(config.catalog().url(), null, null,
                new org.migdal.dm.catalog.ClaimPolicy("t", Duration.ofMinutes(5), 3, Duration.ofSeconds(1)), clock, 2)) {
            c.register(List.of(new NewFile("/r/a.dat", "data1", "r/a.dat", "r", 100, now), new NewFile("/r/b.dat", "data1", "r/b.dat", "r", 50, now)));
            CatalogFile a = c.claim(Stage.SHIP, 1).get(0);
            c.advance(a, FileState.ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", "shipped");
            c.recordError(c.find("/r/b.dat").orElseThrow().id(), "clean", "could not confirm");
            // data1 lost 1 MB over the last hour: at that rate its free space runs out in free / (1e6 / 3600) seconds
            for (int i = 0; i <= 6; i++) {
                c.activity().recordSpace(new Activity.SpaceSample("data1", now.minus(Duration.ofMinutes(60 - 10L * i)), 900_000_000L - 166_667L * i, 1L << 40));
            }
            Overview o = new Overviews(c, config, null, clock).now();

            assertThat(o.at()).isEqualTo(now);
            assertThat(o.files(FileState.ON_DISK_STORAGE)).isEqualTo(1);
            assertThat(o.files(FileState.REGISTERED)).isEqualTo(1);
            assertThat(o.waiting()).isEqualTo(2);
            assertThat(o.lastProgress()).isEqualTo(now);
            assertThat(o.lastErrors()).singleElement().satisfies(e -> {
                assertThat(e.action()).isEqualTo("clean");
                assertThat(e.lfn()).isEqualTo("/r/b.dat");
            });
            assertThat(o.credential()).as("local storage needs no credential").isNull();
            assertThat(o.disks()).extracting(DiskOutlook::disk).containsExactly("data1", "data2");
            DiskOutlook one = o.disks().get(0);
            assertThat(one.phase()).isEqualTo(DiskOutlook.Phase.FILLING);
            assertThat(one.freeBytes()).isPositive().isCloseTo(Files.getFileStore(d1).getUsableSpace(), org.assertj.core.api.Assertions.withinPercentage(5)); // others write meanwhile
            assertThat(one.secondsToFull()).isNotNull();
            double rate = 166_667.0 / 600;
            assertThat((double) one.secondsToFull()).isCloseTo(one.freeBytes() / rate, org.assertj.core.api.Assertions.withinPercentage(1));
            assertThat(one.fillBytesPerSecond()).isCloseTo(rate, org.assertj.core.api.Assertions.withinPercentage(1));
            assertThat(one.drainBytesPerSecond()).isZero();
            DiskOutlook two = o.disks().get(1);
            assertThat(two.phase()).isEqualTo(DiskOutlook.Phase.FULL);
            assertThat(two.secondsToFull()).isNull();
            assertThat(two.forecastNote()).contains("0 free-space sample(s)");
        }
    }

    @Test
    void aMissingDiskIsUnavailableWithTheReasonAndSamplingSkipsIt() throws Exception {
        Path d1 = Files.createDirectories(dir.resolve("data1"));
        Path gone = dir.resolve("not-mounted");
        MigdalConfig config = config(d1, gone);
        try (JdbcCatalog c = JdbcCatalog.open(config.catalog().url(), null, null,
                new org.migdal.dm.catalog.ClaimPolicy("t", Duration.ofMinutes(5), 3, Duration.ofSeconds(1)), clock, 2)) {
            new DiskSpace(c, config.daq(), clock).sample();
            assertThat(c.activity().space("data1", now)).singleElement().satisfies(s -> assertThat(s.totalBytes()).isPositive());
            assertThat(c.activity().space("data2", now)).isEmpty();
            DiskOutlook two = new Overviews(c, config, null, clock).now().disks().get(1);
            assertThat(two.phase()).isEqualTo(DiskOutlook.Phase.UNAVAILABLE);
            assertThat(two.freeBytes()).isEqualTo(-1);
            assertThat(two.forecastNote()).contains(gone.toString());
        }
    }
}
