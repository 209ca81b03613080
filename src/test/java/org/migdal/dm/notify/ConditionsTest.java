package org.migdal.dm.notify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.Activity;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.Overviews;
import org.migdal.dm.security.CredentialStore;
import org.migdal.dm.security.TestPki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The conditions, judged from real catalog states, real DAQ folders and real proxy files. */
class ConditionsTest {
    static final String STORE = "root://127.0.0.1:1094//store";

    @TempDir
    Path dir;

    /** Real time: the proxies are made valid from now on. */
    final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

    MigdalConfig config(Path proxy, Path... disks) {
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < disks.length; i++) {
            d.append("    - {name: data").append(i + 1).append(", path: ").append(disks[i]).append("}\n");
        }
        return ConfigLoader.parse("""
                catalog:
                  url: sqlite:%s
                daq:
                  disks:
                %s
                storage:
                  disk: %s
                  tape: root://127.0.0.1:1094//tape
                credentials:
                  proxy: %s
                  certDir: %s
                  requiredFqan: ""
                """.formatted(dir.resolve("c.db"), d, STORE, proxy, dir.resolve("pki/certificates")), "test.yaml");
    }

    JdbcCatalog open(MigdalConfig config) {
        return JdbcCatalog.open(config.catalog().url(), null, null, new ClaimPolicy("t", Duration.ofMinutes(5), 1,
                Duration.ofSeconds(1)), clock, 2);
    }

    /** A proxy valid from 5 minutes ago for {@code left}, written where the configuration expects it. */
    Path proxy(Duration left) {
        TestPki pki = TestPki.create();
        pki.writeAll(dir.resolve("pki"));
        TestPki.Issued user = pki.userCert();
        Instant now = Instant.now();
        return pki.writeProxyFile(dir.resolve("x509up"), pki.proxy(user, now.minus(Duration.ofMinutes(5)), now.plus(left)), user,
                TestPki.KeyFormat.PKCS1);
    }

    /** Free-space samples over the last hour falling at the rate that fills {@code disk}'s free space in {@code toFull}. */
    static void fillingSamples(JdbcCatalog c, String disk, Path root, Instant now, Duration toFull) throws Exception {
        long free = Files.getFileStore(root).getUsableSpace();
        double rate = free / (double) toFull.toSeconds();
        for (int i = 0; i <= 6; i++) {
            long f = free + (long) (rate * 600 * (6 - i));
            c.activity().recordSpace(new Activity.SpaceSample(disk, now.minus(Duration.ofMinutes(60 - 10L * i)), f, f * 4));
        }
    }

    /** {@code n} files registered on data1, and on its disk (a disk whose root is empty while files are expected is unmounted). */
    static List<NewFile> files(Path disk, int n) throws java.io.IOException {
        List<NewFile> out = new ArrayList<>();
        Files.createDirectories(disk.resolve("r"));
        for (int i = 0; i < n; i++) {
            Files.writeString(disk.resolve("r/f" + i + ".dat"), "x".repeat(100));
            out.add(new NewFile("/r/f" + i + ".dat", "data1", "r/f" + i + ".dat", "r", 100, Instant.parse("2024-03-01T00:00:00Z")));
        }
        return out;
    }

    @Test
    void eachConditionComesFromARealCatalogStateAndSaysWhatSinceWhenAndWhatToDo() throws Exception {
        Path d1 = Files.createDirectories(dir.resolve("data1"));
        MigdalConfig config = config(proxy(Duration.ofHours(30)), d1);
        try (JdbcCatalog c = open(config)) {
            c.register(files(d1, 3));
            CatalogFile a = c.claim(Stage.SHIP, 1).get(0);
            c.advance(a, FileState.ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", "shipped");
            Instant shipped = clock.instant();
            c.fail(c.claim(Stage.SHIP, 1).get(0), "ship", "checksum mismatch", true);
            c.markMissing(c.claim(Stage.SHIP, 1).get(0), "DAQ file vanished");
            c.endpointDown(STORE, "TRANSIENT: connection refused");
            clock.advance(Duration.ofMinutes(90));
            fillingSamples(c, "data1", d1, clock.instant(), Duration.ofHours(2));

            Evaluation ev = Conditions.evaluate(new Overviews(c, config, new CredentialStore(config.credentials(), Map.of(), clock),
                    clock).now(), "daq-host");

            assertThat(ev.holding()).extracting(Condition::key).containsExactlyInAnyOrder("credential@daq-host", "disk-full:data1",
                    "no-progress", "files-quarantined", "files-missing", "endpoint-down:" + STORE);
            assertThat(text(ev, "credential@daq-host")).contains("x509 proxy on daq-host runs out at").contains("(28 h 3").contains("voms-proxy-init");
            assertThat(text(ev, "disk-full:data1")).contains("DAQ disk data1 (" + d1 + ")").containsPattern("full in about (1 h 5\\d|2 h \\d) min") // others write to this disk meanwhile
                    .contains("migdal-dm run --role daq");
            assertThat(text(ev, "no-progress")).contains("since " + shipped).contains("1 file(s) wait")
                    .contains("the newest error (missing").contains("DAQ file vanished");
            assertThat(text(ev, "files-quarantined")).startsWith("1 file(s) QUARANTINED").contains("migdal-dm ls --state QUARANTINED");
            assertThat(text(ev, "files-missing")).startsWith("1 file(s) MISSING").contains("migdal-dm forget LFN");
            assertThat(text(ev, "endpoint-down:" + STORE)).contains("DOWN since " + shipped).contains("connection refused")
                    .contains("migdal-dm storage probe");
        }
    }

    @Test
    void aHealthySystemHoldsNoConditionAndADiskNotMountedHereIsUndecided() throws Exception {
        Path d1 = Files.createDirectories(dir.resolve("data1"));
        Path notMounted = dir.resolve("data2");
        MigdalConfig config = config(proxy(Duration.ofDays(5)), d1, notMounted);
        try (JdbcCatalog c = open(config)) {
            c.register(files(d1, 2));
            c.advance(c.claim(Stage.SHIP, 1).get(0), FileState.ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", "shipped");
            c.endpointUp(STORE);
            clock.advance(Duration.ofMinutes(50)); // progress 50 minutes ago: not yet an hour
            fillingSamples(c, "data1", d1, clock.instant(), Duration.ofHours(7)); // full in 7 h: not within 6

            Evaluation ev = Conditions.evaluate(new Overviews(c, config, new CredentialStore(config.credentials(), Map.of(), clock),
                    clock).now(), "daq-host");

            assertThat(ev.holding()).isEmpty();
            assertThat(ev.undecided()).containsExactly("disk-full:data2");
        }
    }

    @Test
    void anExpiredProxyIsACondition() throws Exception {
        Path d1 = Files.createDirectories(dir.resolve("data1"));
        MigdalConfig config = config(dir.resolve("pki/x509up-expired"), d1);
        TestPki.create().writeAll(dir.resolve("pki"));
        try (JdbcCatalog c = open(config)) {
            Evaluation ev = Conditions.evaluate(new Overviews(c, config, new CredentialStore(config.credentials(), Map.of(), clock),
                    clock).now(), "daq-host");
            assertThat(ev.holding()).singleElement().satisfies(k -> {
                assertThat(k.key()).isEqualTo("credential@daq-host");
                assertThat(k.text()).contains("cannot be used");
            });
            assertThat(ev.undecided()).as("no progress ever: judged by the other conditions").contains("no-progress");
        }
    }

    static String text(Evaluation ev, String key) {
        return ev.holding().stream().filter(k -> k.key().equals(key)).findFirst().orElseThrow().text();
    }
}
