package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.FtsContractServer;
import org.migdal.dm.security.BearerToken;
import org.migdal.dm.security.ProxyLoader;
import org.migdal.dm.security.TestPki;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared set-up of the FTS mover contract tests: the FTS3 contract server (HTTPS on 127.0.0.1, the reference's exact
 * formats), an X509 client with the test PKI's proxy, a real SQLite catalog on a clock the test moves, and disk and tape
 * storage as real folders named with {@code root://} URLs ({@link AliasedEndpoint}).
 */
final class FtsMoverFixture implements AutoCloseable {
    static final URI DISK_BASE = URI.create("root://dcache.test:1094//pnfs/pp.rl.ac.uk/data/gridpp/migdal");
    static final URI TAPE_BASE = URI.create("root://antares.test:1094//eos/antares/prod/migdal");
    static final String RUN = "MIG_Fe55_data_220803T145447";

    /** A clock the test moves by hand (catalog retry times, the mover's in-flight times). */
    static final class TestClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    final TestPki.Layout pki;
    final TestClock clock = new TestClock();
    final FtsContractServer server;
    final JdbcCatalog catalog;
    final AliasedEndpoint disk;
    final AliasedEndpoint tape;
    final Path base;
    private final Random random = new Random(42);
    private int nextIndex;

    FtsMoverFixture(Path base, TestPki.Layout pki, int maxAttempts, Duration backoff) throws IOException {
        this.base = base;
        this.pki = pki;
        this.server = FtsContractServer.start(pki, "gridpp");
        this.disk = new AliasedEndpoint(Files.createDirectories(base.resolve("disk")), DISK_BASE);
        this.tape = new AliasedEndpoint(Files.createDirectories(base.resolve("tape")), TAPE_BASE);
        this.catalog = JdbcCatalog.open("sqlite:" + base.resolve("catalog.db"), null, null,
                new ClaimPolicy("test-host:1:0", Duration.ofMinutes(30), maxAttempts, backoff), clock, 4);
        // a FINISHED file is confirmed at the tape endpoint (CopyCheck): the copy FTS made must be in the tape folder
        server.onCopied((source, destination) -> {
            if (source.startsWith(DISK_BASE.toString()) && destination.startsWith(TAPE_BASE.toString())) {
                try {
                    Path from = disk.folder().resolve(source.substring(DISK_BASE.toString().length() + 1));
                    Path to = tape.folder().resolve(destination.substring(TAPE_BASE.toString().length() + 1));
                    if (Files.exists(from)) {
                        Files.createDirectories(to.getParent());
                        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
    }

    FtsClient.Settings clientSettings() {
        return FtsClient.Settings.of(server.uri()).withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    FtsClient x509() throws Exception {
        return FtsClient.create(clientSettings(), new FtsClient.X509Auth(ProxyLoader.load(pki.proxyPkcs1())), pki.caDir(), false);
    }

    FtsClient tokenOnly() throws Exception {
        String jwt = jwt("migdal-robot");
        server.acceptToken(jwt, "https://iam.example.org/", "migdal-robot");
        BearerToken t = BearerToken.parse(jwt, "test");
        return FtsClient.create(clientSettings(), new FtsClient.TokenAuth(() -> t), pki.caDir(), false);
    }

    static String jwt(String sub) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        return b.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b.encodeToString(("{\"iss\":\"https://iam.example.org/\",\"sub\":\"" + sub
                + "\",\"aud\":\"https://wlcg.cern.ch/jwt/v1/any\",\"scope\":\"fts\",\"exp\":4102444800}").getBytes(StandardCharsets.UTF_8))
                + ".c2lnbmF0dXJlLXBsYWNlaG9sZGVy";
    }

    /** 150 files per cycle, 200 per job, 24 h archive timeout, 3 FTS retries, polls from 60 s, 24 h margin. */
    static FtsMover.Settings settings() {
        return new FtsMover.Settings(150, 10_000, 200, Duration.ofHours(24), 3, Duration.ofSeconds(60), Duration.ofHours(24),
                "test-run");
    }

    FtsMover mover(FtsClient client) {
        return mover(client, settings());
    }

    FtsMover mover(FtsClient client, FtsMover.Settings s) {
        return new FtsMover(catalog, disk, tape, client, s, clock);
    }

    /** A mover of another catalog handle (another process, or another catalog) against the same FTS and storage. */
    FtsMover mover(Catalog other, FtsClient client) {
        return new FtsMover(other, disk, tape, client, settings(), clock);
    }

    /** Another handle, as another process ({@code owner}) would open it, on the SQLite catalog file {@code file}. */
    JdbcCatalog open(String file, String owner) {
        return JdbcCatalog.open("sqlite:" + base.resolve(file), null, null,
                new ClaimPolicy(owner, Duration.ofMinutes(30), 5, Duration.ofMinutes(1)), clock, 4);
    }

    /**
     * {@code n} files driven through the catalog to COMPRESSED, each with a real compressed copy (random bytes) in the
     * disk folder whose size and adler32 are recorded.
     */
    List<CatalogFile> compressed(int n) throws IOException {
        return compressed(catalog, RUN, n, random);
    }

    /**
     * As {@link #compressed(int)}, in {@code cat}, for files of run {@code run}; the compressed bytes come from {@code rnd}
     * (and are written to the disk folder, replacing any copy of the same name).
     */
    List<CatalogFile> compressed(JdbcCatalog cat, String run, int n, Random rnd) throws IOException {
        List<NewFile> news = new ArrayList<>();
        List<String> lfns = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = cat == catalog && run.equals(RUN) ? nextIndex++ : i;
            String lfn = String.format(Locale.ROOT, "/2208/220803/%s/%s.CAL.%04d.dat", run, run, k);
            lfns.add(lfn);
            news.add(new NewFile(lfn, "data1", "/data1/" + run + "/" + run + String.format(Locale.ROOT, ".CAL.%04d.dat", k), run,
                    4096, Instant.parse("2022-08-03T14:54:47Z")));
        }
        cat.register(news);
        for (CatalogFile f : cat.claim(Stage.SHIP, n)) {
            cat.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("0badc0de"), "ship", "test: shipped");
        }
        for (CatalogFile f : cat.claim(Stage.COMPRESS, n)) {
            String name = f.lfn() + ".bz2";
            byte[] bytes = new byte[512 + rnd.nextInt(2048)];
            rnd.nextBytes(bytes);
            Path p = disk.folder().resolve(name.substring(1));
            Files.createDirectories(p.getParent());
            Files.write(p, bytes);
            cat.advance(f, FileState.COMPRESSED, Changes.none().compressed(name, bytes.length, adler32(bytes)), "compress",
                    "test: compressed");
        }
        List<CatalogFile> out = new ArrayList<>();
        for (String lfn : lfns) {
            CatalogFile f = cat.find(lfn).orElseThrow();
            assertThat(f.state()).isEqualTo(FileState.COMPRESSED);
            out.add(f);
        }
        return out;
    }

    CatalogFile row(String lfn) {
        return catalog.find(lfn).orElseThrow();
    }

    CatalogFile row(CatalogFile f) {
        return catalog.get(f.id()).orElseThrow();
    }

    List<FileEvent> events(CatalogFile f) {
        return catalog.events(f.id());
    }

    String tapeUrl(CatalogFile f) {
        return tape.urlOf(f.compressedName());
    }

    /** Stands in for FTS's data movement: the compressed copy is copied from the disk folder to the tape folder. */
    void copyToTape(CatalogFile f) throws IOException {
        Path from = disk.folder().resolve(f.compressedName().substring(1));
        Path to = tape.folder().resolve(f.compressedName().substring(1));
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    Path onTape(CatalogFile f) {
        return tape.folder().resolve(f.compressedName().substring(1));
    }

    static String adler32(byte[] bytes) {
        Adler32 a = new Adler32();
        a.update(bytes);
        return String.format(Locale.ROOT, "%08x", a.getValue());
    }

    @Override
    public void close() {
        server.close();
        catalog.close();
    }
}
