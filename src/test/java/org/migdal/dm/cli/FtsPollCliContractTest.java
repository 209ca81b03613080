package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
import org.migdal.dm.fts.Submission;
import org.migdal.dm.fts.TapeSubmissionBuilder;
import org.migdal.dm.security.ProxyLoader;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.TapeRestContractServer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code migdal-dm poll} with {@code archive.mover: fts}: the configuration's {@code fts:} section, the credential store's
 * proxy and CA directory, and the wiring in {@code Context} against the FTS3 contract server (FTS3 cannot run here; the
 * server answers in the exact formats of {@code ../shared/reference/fts3.md}). A file is put in flight the way the mover
 * does it, its job finishes at the server, and one {@code poll} makes it ON_TAPE once the tape endpoint (an EOS-like
 * WebDAV endpoint with the WLCG Tape REST API, {@link TapeRestContractServer}) confirms size, adler32 and archiveinfo
 * locality TAPE; {@code show} names that evidence.
 */
class FtsPollCliContractTest {
    @TempDir
    Path dir;

    static String run(String... args) {
        StringWriter out = new StringWriter();
        int rc = Main.commandLine(new PrintWriter(out, true), new PrintWriter(out, true)).execute(args);
        System.out.println(out);
        return rc + "|" + out;
    }

    @Test
    void pollWithTheFtsMoverDelegatesChecksInBulkAndMarksFinishedFilesOnTape() throws Exception {
        TestPki.Layout pki = TestPki.create().writeAll(dir.resolve("pki"));
        try (FtsContractServer server = FtsContractServer.start(pki, "gridpp");
             TapeRestContractServer antares = new TapeRestContractServer(TapeRestContractServer.Dialect.EOS,
                     Files.createDirectories(dir.resolve("antares")), "/eos/antares/prod/migdal")) {
            String disk = "root://dcache.test:1094//pnfs/pp.rl.ac.uk/data/gridpp/migdal";
            String tape = antares.storageUrl();
            Path config = dir.resolve("migdal-dm.yaml");
            Files.writeString(config, String.join("\n",
                    "catalog: {url: 'sqlite:" + dir.resolve("catalog.db") + "'}",
                    "storage: {disk: '" + disk + "', tape: '" + tape + "', diskAuth: none, tapeAuth: none}",
                    "archive: {mover: fts}",
                    "fts: {url: '" + server.uri() + "', pollSeconds: 10, auth: x509}",
                    "credentials: {proxy: '" + pki.proxyPkcs1() + "', certDir: '" + pki.caDir() + "', requiredFqan: ''}",
                    "lockDir: '" + dir + "'", ""));

            // a file in flight, handed over as the mover does it
            String lfn = "/2208/220803/MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat";
            // what FTS copied to the tape endpoint, archived there
            byte[] compressed = "BZh9\u0017rE8P\u0090\u0000\u0000\u0000\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            java.util.zip.Adler32 a = new java.util.zip.Adler32();
            a.update(compressed);
            String sum = Checksum.adler32(a.getValue()).value();
            Path marker = dir.resolve("antares").resolve(antares.serverPath("/" + org.migdal.dm.storage.Marker.NAME).substring(1));
            Files.createDirectories(marker.getParent());
            Files.writeString(marker, "migdal-dm storage marker (test)\n"); // the tape endpoint as `storage init` leaves it
            Path onTape = dir.resolve("antares").resolve(antares.serverPath(lfn + ".bz2").substring(1));
            Files.createDirectories(onTape.getParent());
            Files.write(onTape, compressed);
            antares.locality(lfn + ".bz2", "TAPE");
            String job;
            try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null,
                    new ClaimPolicy("seed:1:0", Duration.ofMinutes(5), 5, Duration.ZERO), Clock.systemUTC(), 2)) {
                catalog.register(List.of(new NewFile(lfn, "data1", "/data1/x", "MIG_Fe55_data_220803T145447", 10, Instant.now())));
                catalog.advance(catalog.claim(Stage.SHIP, 1).get(0), FileState.ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", "seed");
                catalog.advance(catalog.claim(Stage.COMPRESS, 1).get(0), FileState.COMPRESSED,
                        Changes.none().compressed(lfn + ".bz2", compressed.length, sum), "compress", "seed");
                CatalogFile f = catalog.claim(Stage.TAPE, 1).get(0);
                FtsClient client = FtsClient.create(FtsClient.Settings.of(server.uri()), new FtsClient.X509Auth(ProxyLoader.load(pki.proxyPkcs1())),
                        pki.caDir(), false);
                client.ensureDelegated();
                Submission s = new TapeSubmissionBuilder("seed", Duration.ofHours(24)).add(new TapeSubmissionBuilder.TapeFile(lfn,
                        String.valueOf(f.id()), 1, disk + lfn + ".bz2", tape + lfn + ".bz2", sum, compressed.length)).build().get(0);
                job = client.submit(s).jobId();
                catalog.release(f, Changes.none().tapeTransferId(job), Instant.now(), "tape-submit", "seed: handed to FTS3 as job " + job);
            }
            server.complete(job);
            server.resetCounts();

            String out = run("--config", config.toString(), "poll");
            assertThat(out).startsWith("0|");
            assertThat(out).contains("FTS3 " + server.uri() + ": checked 1 files in 1 jobs with 1 bulk status requests")
                    .contains("on tape 1, failed 0, quarantined 0; 0 files still TAPE_SUBMITTED");
            assertThat(server.requests("GET /jobs")).isEqualTo(1);

            try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null,
                    new ClaimPolicy("check:1:0", Duration.ofMinutes(5), 5, Duration.ZERO), Clock.systemUTC(), 2)) {
                CatalogFile f = catalog.find(lfn).orElseThrow();
                assertThat(f.state()).isEqualTo(FileState.ON_TAPE);
                List<FileEvent> ev = catalog.events(f.id());
                assertThat(ev.get(ev.size() - 1).message()).contains("FTS3 job " + job + " FINISHED")
                        .contains("the tape endpoint confirms");
                assertThat(f.tapeEvidence()).isEqualTo("archiveinfo locality TAPE at " + antares.tapeRestApi() + "archiveinfo/");
            }
            assertThat(antares.archiveInfoBodies()).containsExactly("{\"paths\":[\"" + antares.serverPath(lfn + ".bz2") + "\"]}");
            String show = run("--config", config.toString(), "show", lfn);
            assertThat(show).startsWith("0|").contains("tapeEvidence").contains("archiveinfo locality TAPE at " + antares.tapeRestApi());
        }
    }
}
