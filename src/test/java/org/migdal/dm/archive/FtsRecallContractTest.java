package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.Recall;
import org.migdal.dm.catalog.RecallStore;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.Job;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.storage.StorageEndpoint;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Recall through FTS3 ({@code bring_online}) against the FTS3 contract server, which answers in the exact formats of
 * {@code ../shared/reference/fts3.md} because FTS3 cannot run here. The destination is a real folder named with a
 * {@code root://} URL ({@link AliasedEndpoint}); the test copies the bytes into it when the job finishes, standing in for
 * FTS's data movement, and the recaller must verify them from the destination itself.
 */
class FtsRecallContractTest {
    static TestPki.Layout pki;
    static final String DEST = "root://recall.test:1094//pnfs/pp.rl.ac.uk/data/gridpp/migdal-recall";

    @TempDir
    Path dir;
    FtsMoverFixture fx;

    @BeforeAll
    static void makePki(@TempDir Path pkiDir) {
        pki = TestPki.create().writeAll(pkiDir);
    }

    @AfterEach
    void close() {
        if (fx != null) {
            fx.close();
        }
    }

    void due() {
        fx.clock.advance(Duration.ofMinutes(61));
    }

    /** Files archived through the FTS mover (FINISHED, the bytes copied to the tape folder as FTS would have). */
    List<CatalogFile> onTape(int n) throws Exception {
        List<CatalogFile> files = fx.compressed(n);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(files.get(0)).tapeTransferId();
        files.forEach(f -> {
            try {
                fx.copyToTape(f);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        fx.server.complete(job);
        due();
        assertThat(mover.move().onTape()).isEqualTo(n);
        return files.stream().map(fx::row).toList();
    }

    static Recall only(RecallStore store, CatalogFile f) {
        List<Recall> rs = store.of(f.id());
        assertThat(rs).hasSize(1);
        return rs.get(0);
    }

    void arrive(AliasedEndpoint dest, CatalogFile f, boolean damaged) throws Exception {
        Path to = dest.folder().resolve(f.compressedName().substring(1));
        Files.createDirectories(to.getParent());
        Files.copy(fx.onTape(f), to, StandardCopyOption.REPLACE_EXISTING);
        if (damaged) {
            byte[] b = Files.readAllBytes(to);
            b[0] ^= 1;
            Files.write(to, b);
        }
    }

    @Test
    void recallsAreStagedWithBringOnlineAndVerifiedOnArrival() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ZERO);
        List<CatalogFile> files = onTape(2);
        CatalogFile good = files.get(0);
        CatalogFile bad = files.get(1);
        AliasedEndpoint dest = new AliasedEndpoint(Files.createDirectories(dir.resolve("recall")), URI.create(DEST));
        Function<String, StorageEndpoint> destinations = u -> {
            if (!u.equals(DEST)) {
                throw new IllegalArgumentException("unknown destination " + u);
            }
            return dest;
        };
        RecallStore store = new RecallStore(fx.catalog, fx.clock, Duration.ofMinutes(30), 3);
        assertThat(store.request(good, DEST)).isTrue();
        assertThat(store.request(bad, DEST)).isTrue();
        FtsClient client = fx.x509();
        FtsRecaller recaller = new FtsRecaller(fx.catalog, store, fx.tape, destinations, client,
                new FtsRecaller.Settings(200, Duration.ofHours(24), 3, Duration.ofSeconds(60), Duration.ofHours(24)), fx.clock);
        int jobsBefore = fx.server.jobCount();

        Recaller.Report r = recaller.run(100);
        assertThat(r.done() + r.failed()).isZero();
        assertThat(fx.server.jobCount()).isEqualTo(jobsBefore + 1);
        Recall staging = only(store, good);
        assertThat(staging.state()).isEqualTo(Recall.State.STAGING);
        String job = staging.transferId();
        assertThat(only(store, bad).transferId()).isEqualTo(job);
        assertThat(fx.server.jobState(job)).isEqualTo("STAGING");
        Job stored = client.jobs(List.of(job), FtsClient.POLL_FILE_FIELDS).get(job).job();
        assertThat(stored.bringOnline()).isEqualTo(24 * 3600);
        assertThat(stored.verifyChecksum()).isEqualTo("b");
        assertThat(stored.files()).extracting(f -> f.sourceSurl()).containsExactlyInAnyOrder(fx.tapeUrl(good), fx.tapeUrl(bad));
        assertThat(stored.files()).extracting(f -> f.destSurl())
                .containsExactlyInAnyOrder(dest.urlOf(good.compressedName()), dest.urlOf(bad.compressedName()));

        fx.server.advance(job);   // STAGING → ACTIVE
        due();
        r = recaller.run(100);
        assertThat(r.done() + r.failed()).isZero();
        assertThat(only(store, good).state()).isEqualTo(Recall.State.STAGING);

        arrive(dest, good, false);   // stands in for FTS's copy
        arrive(dest, bad, true);     // what arrives is not what was archived
        fx.server.advance(job);
        assertThat(fx.server.jobState(job)).isEqualTo("FINISHED");
        due();
        r = recaller.run(100);
        assertThat(r.done()).isEqualTo(1);
        assertThat(r.failed()).isEqualTo(1);
        assertThat(only(store, good).state()).isEqualTo(Recall.State.DONE);
        List<FileEvent> ev = fx.events(good);
        String msg = ev.get(ev.size() - 1).message();
        System.out.println("recall history: " + msg);
        assertThat(msg).contains("job " + job).contains("FINISHED").contains(good.compressedAdler32()).contains("as archived");
        Recall retry = only(store, bad);
        assertThat(retry.state()).isEqualTo(Recall.State.REQUESTED);
        assertThat(retry.attempts()).isEqualTo(1);
        assertThat(retry.lastError()).contains("expected " + bad.compressedAdler32());

        // the retry is a new job (new attempt, new sid), after its delay
        fx.clock.advance(Duration.ofMinutes(3));
        recaller.run(100);
        String second = only(store, bad).transferId();
        assertThat(second).isNotNull().isNotEqualTo(job);
        arrive(dest, bad, false);
        fx.server.complete(second);
        due();
        assertThat(recaller.run(100).done()).isEqualTo(1);
        assertThat(only(store, bad).state()).isEqualTo(Recall.State.DONE);
        assertThat(fx.row(bad).state()).as("recall does not change the file's state").isEqualTo(FileState.ON_TAPE);
    }

    @Test
    void aPurgedRecallJobIsJudgedByTheDestination() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ZERO);
        CatalogFile f = onTape(1).get(0);
        AliasedEndpoint dest = new AliasedEndpoint(Files.createDirectories(dir.resolve("recall")), URI.create(DEST));
        RecallStore store = new RecallStore(fx.catalog, fx.clock, Duration.ofMinutes(30), 3);
        store.request(f, DEST);
        FtsRecaller recaller = new FtsRecaller(fx.catalog, store, fx.tape, u -> dest, fx.x509(),
                new FtsRecaller.Settings(200, Duration.ofHours(24), 3, Duration.ofSeconds(60), Duration.ofHours(24)), fx.clock);
        recaller.run(10);
        String job = only(store, f).transferId();
        arrive(dest, f, false);
        fx.server.purge(job);
        due();
        assertThat(recaller.run(10).done()).isEqualTo(1);
        assertThat(only(store, f).state()).isEqualTo(Recall.State.DONE);
    }

    @Test
    void aTokenOnlyConfigurationCannotRecallThroughFts() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ZERO);
        CatalogFile f = onTape(1).get(0);
        RecallStore store = new RecallStore(fx.catalog, fx.clock, Duration.ofMinutes(30), 3);
        store.request(f, DEST);
        FtsRecaller recaller = new FtsRecaller(fx.catalog, store, fx.tape, u -> fx.disk, fx.tokenOnly(),
                new FtsRecaller.Settings(200, Duration.ofHours(24), 3, Duration.ofSeconds(60), Duration.ofHours(24)), fx.clock);
        assertThatThrownBy(() -> recaller.run(10)).isInstanceOf(FtsMover.Refused.class).hasMessageContaining("bring_online")
                .hasMessageContaining("X509");
        Recall r = only(store, f);
        assertThat(r.state()).isEqualTo(Recall.State.REQUESTED);
        assertThat(r.attempts()).isZero();
    }
}
