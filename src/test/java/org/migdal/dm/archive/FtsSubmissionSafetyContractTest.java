package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.FtsContractServer;
import org.migdal.dm.security.ProxyLoader;
import org.migdal.dm.security.TestPki;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Issue 10, defects 7 and 13: FTS submission survives a crash at any instant without a duplicate job or a charged
 * attempt; an FTS server that refuses us (TLS, authentication, unreachable) stops tape work without charging files; and
 * an FTS job or row that is not about our file is never taken for our file.
 *
 * <p>All against {@link FtsContractServer}, which answers in the recorded fts-rest-flask 3.13 formats of
 * {@code ../shared/reference/fts3.md} and counts every request. A crash is a {@link SimulatedCrash} thrown out of the
 * catalog (a dynamic proxy over the real SQLite catalog) right before or after a named call: what was committed stays,
 * the claim stays with the dead owner until its lease runs out, and the rerun is another process (another catalog
 * handle with another owner on the same SQLite file).
 */
@DisplayName("FTS submission safety against the FTS3 contract server (recorded FTS3 REST formats)")
class FtsSubmissionSafetyContractTest {
    static TestPki.Layout pki;

    @TempDir
    Path dir;
    FtsMoverFixture fx;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void makePki(@TempDir Path pkiDir) {
        pki = TestPki.create().writeAll(pkiDir);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    /** The process "died" here. An Error, so no catch (Exception) on the way can swallow it. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash(String where) {
            super("simulated crash " + where);
        }
    }

    /** {@code real}, except that the process dies right before ({@code before}) or right after the first call of {@code method}. */
    static Catalog crashing(Catalog real, String method, boolean before) {
        boolean[] crashed = {false};
        return (Catalog) Proxy.newProxyInstance(Catalog.class.getClassLoader(), new Class<?>[] {Catalog.class}, (p, m, args) -> {
            boolean hit = m.getName().equals(method) && !crashed[0];
            if (hit && before) {
                crashed[0] = true;
                throw new SimulatedCrash("before " + method);
            }
            Object r;
            try {
                r = m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (hit) {
                crashed[0] = true;
                throw new SimulatedCrash("after " + method);
            }
            return r;
        });
    }

    /** {@code real}, running {@code action} once right after the first call of {@code method} returns. */
    static Catalog after(Catalog real, String method, Runnable action) {
        boolean[] done = {false};
        return (Catalog) Proxy.newProxyInstance(Catalog.class.getClassLoader(), new Class<?>[] {Catalog.class}, (p, m, args) -> {
            Object r;
            try {
                r = m.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (m.getName().equals(method) && !done[0]) {
                done[0] = true;
                action.run();
            }
            return r;
        });
    }

    JdbcCatalog secondProcess() {
        JdbcCatalog c = fx.open("catalog.db", "test-host:2:0");
        toClose.add(c);
        return c;
    }

    static void noFailureCharged(FtsMoverFixture fx, Catalog cat, List<CatalogFile> files) {
        for (CatalogFile f : files) {
            CatalogFile now = cat.get(f.id()).orElseThrow();
            assertThat(now.attempts()).as("attempts of %s", f.lfn()).isZero();
            assertThat(cat.events(f.id())).extracting(FileEvent::message)
                    .noneMatch(m -> m.startsWith("will retry") || m.startsWith("QUARANTINED"));
        }
    }

    // ------------------------------------------------------------------ defect 7: crash-safe submission

    @Test
    @DisplayName("crash between recording the job id and the POST: the rerun submits once, with the recorded id, charging nothing")
    void crashBetweenRecordingTheJobIdAndThePost() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        List<CatalogFile> files = fx.compressed(3);
        FtsMover dying = fx.mover(crashing(fx.catalog, "recordTapeJobs", false), fx.x509());

        assertThatThrownBy(dying::move).isInstanceOf(SimulatedCrash.class);
        assertThat(fx.server.requests("POST /jobs")).as("the crash came before the POST").isZero();
        String recorded = fx.row(files.get(0)).tapeTransferId();
        assertThat(recorded).as("the job id is in the catalog before anything is sent").isNotNull();
        for (CatalogFile f : files) {
            assertThat(fx.row(f).state()).isEqualTo(FileState.TAPE_SUBMITTED);
            assertThat(fx.row(f).tapeTransferId()).isEqualTo(recorded);
        }

        fx.clock.advance(Duration.ofMinutes(31)); // the dead process's lease runs out
        JdbcCatalog other = secondProcess();
        FtsMover rerun = fx.mover(other, fx.x509());
        rerun.move();
        assertThat(fx.server.requests("POST /jobs")).as("one POST in all").isEqualTo(1);
        assertThat(fx.server.jobIds()).containsExactly(recorded);
        noFailureCharged(fx, other, files);
        for (CatalogFile f : files) {
            CatalogFile now = fx.row(f);
            assertThat(now.state()).isEqualTo(FileState.TAPE_SUBMITTED);
            assertThat(now.tapeTransferId()).isEqualTo(recorded);
            assertThat(now.claimOwner()).isNull();
        }

        fx.server.complete(recorded);
        fx.clock.advance(Duration.ofMinutes(61));
        assertThat(rerun.move().onTape()).isEqualTo(3);
        assertThat(fx.server.requests("POST /jobs")).isEqualTo(1);
    }

    @Test
    @DisplayName("crash after the POST, before its reply is recorded: the rerun finds the job at FTS and submits nothing again")
    void crashAfterThePostBeforeTheReplyIsRecorded() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        List<CatalogFile> files = fx.compressed(3);
        FtsMover dying = fx.mover(crashing(fx.catalog, "release", true), fx.x509());

        assertThatThrownBy(dying::move).isInstanceOf(SimulatedCrash.class);
        assertThat(fx.server.requests("POST /jobs")).isEqualTo(1);
        String job = fx.server.jobIds().get(0);

        fx.clock.advance(Duration.ofMinutes(31));
        JdbcCatalog other = secondProcess();
        FtsMover rerun = fx.mover(other, fx.x509());
        rerun.move();
        assertThat(fx.server.requests("POST /jobs")).as("no second job").isEqualTo(1);
        assertThat(fx.server.jobCount()).isEqualTo(1);
        noFailureCharged(fx, other, files);
        for (CatalogFile f : files) {
            assertThat(fx.row(f).state()).isEqualTo(FileState.TAPE_SUBMITTED);
            assertThat(fx.row(f).tapeTransferId()).isEqualTo(job);
            assertThat(fx.row(f).claimOwner()).isNull();
        }
        fx.server.complete(job);
        fx.clock.advance(Duration.ofMinutes(61));
        assertThat(rerun.move().onTape()).isEqualTo(3);
        assertThat(fx.server.requests("POST /jobs")).isEqualTo(1);
    }

    // ------------------------------------------------------------------ defect 7: FTS-server-wide failures

    @Test
    @DisplayName("FTS refuses our credential at submission (HTML 403): tape work stops, the server and its reply are"
            + " reported, no attempt is charged, and the files go later with the job id recorded for them")
    void anAuthenticationFailureIsServerWide() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        CatalogFile inFlight = fx.compressed(1).get(0);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        List<CatalogFile> files = fx.compressed(2);
        fx.clock.advance(Duration.ofMinutes(61));
        fx.server.resetCounts();
        fx.server.failNext("POST /jobs", FtsContractServer.Fault.HTML_403_INVALID_CREDENTIALS);

        FtsMover.Refused e = catchThrowableOfType(FtsMover.Refused.class, mover::move);
        assertThat(e).as("the cycle reports the FTS server as unusable").isNotNull();
        System.out.println("reported: " + e.getMessage());
        assertThat(e.getMessage()).contains(fx.server.uri().toString()).contains("403").contains("Invalid credentials")
                .contains("no attempt charged");
        assertThat(fx.server.requests("GET /jobs")).as("no more tape work this cycle: no poll").isZero();
        noFailureCharged(fx, fx.catalog, files);
        for (CatalogFile f : files) {
            CatalogFile now = fx.row(f);
            assertThat(now.state()).isIn(FileState.COMPRESSED, FileState.TAPE_SUBMITTED);
            assertThat(now.claimOwner()).isNull();
            assertThat(now.nextAttemptAt()).as("waits").isAfter(fx.clock.instant());
        }
        assertThat(fx.row(inFlight).attempts()).isZero();

        fx.clock.advance(Duration.ofMinutes(61));
        fx.server.resetCounts();
        mover.move();
        assertThat(fx.server.requests("POST /jobs")).isEqualTo(1);
        String job = fx.row(files.get(0)).tapeTransferId();
        assertThat(fx.row(files.get(1)).tapeTransferId()).isEqualTo(job);
        fx.server.complete(job);
        fx.clock.advance(Duration.ofMinutes(61));
        assertThat(mover.move().onTape()).isEqualTo(2);
    }

    @Test
    @DisplayName("FTS unreachable between the delegation check and the POST: nothing charged, files wait, the server is named")
    void anUnreachableServerIsServerWide() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        List<CatalogFile> files = fx.compressed(2);
        FtsClient client = FtsClient.create(fx.clientSettings().withTimeouts(Duration.ofSeconds(3), Duration.ofSeconds(5)),
                new FtsClient.X509Auth(ProxyLoader.load(pki.proxyPkcs1())), pki.caDir(), false);
        // the server goes away right after the files are claimed
        FtsMover mover = fx.mover(after(fx.catalog, "claim", fx.server::close), client);

        FtsMover.Refused e = catchThrowableOfType(FtsMover.Refused.class, mover::move);
        assertThat(e).isNotNull();
        System.out.println("reported: " + e.getMessage());
        assertThat(e.getMessage()).contains(fx.server.uri().toString()).contains("no attempt charged");
        noFailureCharged(fx, fx.catalog, files);
        for (CatalogFile f : files) {
            assertThat(fx.row(f).state()).isIn(FileState.COMPRESSED, FileState.TAPE_SUBMITTED);
            assertThat(fx.row(f).claimOwner()).isNull();
            assertThat(fx.row(f).nextAttemptAt()).isAfter(fx.clock.instant());
        }
    }

    @Test
    @DisplayName("FTS answers 500 to the bulk status check: the files in flight are released as they are, nothing"
            + " charged, and the cycle reports the server")
    void anUnusableServerWhilePollingIsServerWide() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        List<CatalogFile> files = fx.compressed(2);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(files.get(0)).tapeTransferId();
        fx.clock.advance(Duration.ofMinutes(61));
        fx.server.failNext("GET /jobs", FtsContractServer.Fault.JSON_500);

        FtsMover.Refused e = catchThrowableOfType(FtsMover.Refused.class, mover::move);
        assertThat(e).isNotNull();
        System.out.println("reported: " + e.getMessage());
        assertThat(e.getMessage()).contains(fx.server.uri().toString()).contains("500").contains("MySQL server has gone away")
                .contains("no attempt charged");
        noFailureCharged(fx, fx.catalog, files);
        for (CatalogFile f : files) {
            assertThat(fx.row(f).state()).isEqualTo(FileState.TAPE_SUBMITTED);
            assertThat(fx.row(f).tapeTransferId()).isEqualTo(job);
            assertThat(fx.row(f).claimOwner()).isNull();
        }
        fx.server.complete(job);
        fx.clock.advance(Duration.ofMinutes(61));
        assertThat(mover.move().onTape()).isEqualTo(2);
        assertThat(fx.server.requests("POST /jobs")).isEqualTo(1);
    }

    @Test
    @DisplayName("a TLS failure (server certificate not from the grid CAs) refuses the cycle before any file is touched")
    void aTlsFailureTouchesNoFile() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        List<CatalogFile> files = fx.compressed(2);
        TestPki.Layout stranger = TestPki.create("Another CA").writeAll(dir.resolve("other-pki"));
        FtsClient client = FtsClient.create(fx.clientSettings(), new FtsClient.X509Auth(ProxyLoader.load(pki.proxyPkcs1())),
                stranger.caDir(), false);
        FtsMover.Refused e = catchThrowableOfType(FtsMover.Refused.class, fx.mover(client)::move);
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("TLS").contains(fx.server.uri().toString());
        noFailureCharged(fx, fx.catalog, files);
        for (CatalogFile f : files) {
            assertThat(fx.row(f).state()).isEqualTo(FileState.COMPRESSED);
        }
        assertThat(fx.server.requests()).as("the handshake failed: no request reached the server").isZero();
    }

    // ------------------------------------------------------------------ defect 13: another catalog's jobs

    @Test
    @DisplayName("two catalogs with overlapping catalog ids, one FTS, one proxy: neither takes the other's job")
    void twoCatalogsWithOverlappingIdsKeepTheirOwnJobs() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        List<CatalogFile> mine = fx.compressed(3);
        JdbcCatalog testInstance = fx.open("test-instance.db", "test-host:3:0");
        toClose.add(testInstance);
        List<CatalogFile> theirs = fx.compressed(testInstance, "MIG_Fe55_data_221010T101010", 3, new Random(7));
        assertThat(theirs).extracting(CatalogFile::id).containsExactlyElementsOf(mine.stream().map(CatalogFile::id).toList());

        FtsMover a = fx.mover(fx.x509());
        a.move();
        String jobA = fx.row(mine.get(0)).tapeTransferId();
        fx.server.complete(jobA);
        FtsMover b = fx.mover(testInstance, fx.x509());
        b.move();
        assertThat(fx.server.jobCount()).as("the test instance has a job of its own").isEqualTo(2);
        fx.clock.advance(Duration.ofMinutes(61));
        ArchiveReport rb = b.move();
        assertThat(rb.onTape()).isZero();
        for (CatalogFile f : theirs) {
            CatalogFile now = testInstance.get(f.id()).orElseThrow();
            assertThat(now.state()).isNotEqualTo(FileState.ON_TAPE);
            assertThat(now.tapeTransferId()).isNotEqualTo(jobA);
        }
        assertThat(a.move().onTape()).isEqualTo(3);
    }

    @Test
    @DisplayName("a second catalog with the same LFNs but other bytes adopts the first's job (409) and still never"
            + " marks a file ON_TAPE from rows about other bytes")
    void aSecondCatalogWithTheSameNamesButOtherBytesIsNotOnTape() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        List<CatalogFile> mine = fx.compressed(2);
        FtsMover a = fx.mover(fx.x509());
        a.move();
        String jobA = fx.row(mine.get(0)).tapeTransferId();
        fx.server.complete(jobA);
        assertThat(a.move().onTape()).isZero(); // not due yet
        fx.clock.advance(Duration.ofMinutes(61));
        assertThat(a.move().onTape()).isEqualTo(2);

        JdbcCatalog rebuilt = fx.open("rebuilt.db", "test-host:3:0");
        toClose.add(rebuilt);
        List<CatalogFile> theirs = fx.compressed(rebuilt, FtsMoverFixture.RUN, 2, new Random(99));
        assertThat(theirs.get(0).lfn()).isEqualTo(mine.get(0).lfn());
        assertThat(theirs.get(0).compressedAdler32()).isNotEqualTo(mine.get(0).compressedAdler32());
        FtsMover b = fx.mover(rebuilt, fx.x509());
        b.move();
        fx.clock.advance(Duration.ofMinutes(61));
        ArchiveReport rb = b.move();
        assertThat(rb.onTape()).isZero();
        for (int i = 0; i < theirs.size(); i++) {
            CatalogFile f = theirs.get(i);
            CatalogFile now = rebuilt.get(f.id()).orElseThrow();
            System.out.println("error: " + now.lastError());
            assertThat(now.state()).isNotEqualTo(FileState.ON_TAPE);
            assertThat(now.lastError()).as("a clear error naming both").contains(jobA).contains(fx.tapeUrl(f))
                    .contains(f.compressedAdler32()).contains(mine.get(i).compressedAdler32());
        }
    }

    @Test
    @DisplayName("a FINISHED row whose destination, size or checksum is not what we asked for is not ON_TAPE, and the"
            + " error names both")
    void aFinishedRowAboutSomethingElseIsAPerFileError() throws Exception {
        fx = new FtsMoverFixture(dir, pki, 5, Duration.ofMinutes(1));
        List<CatalogFile> files = fx.compressed(4);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(files.get(0)).tapeTransferId();
        CatalogFile wrongDest = files.get(0);
        CatalogFile wrongSize = files.get(1);
        CatalogFile wrongSum = files.get(2);
        CatalogFile right = files.get(3);
        String elsewhere = FtsMoverFixture.TAPE_BASE + "/2208/220803/other/MIG_other.dat.bz2";
        fx.server.misreport(job, fx.tapeUrl(wrongDest), elsewhere, null, null);
        fx.server.misreport(job, fx.tapeUrl(wrongSize), null, wrongSize.compressedSize() + 1, null);
        fx.server.misreport(job, fx.tapeUrl(wrongSum), null, null, "ADLER32:0badbeef");
        fx.server.complete(job);
        fx.clock.advance(Duration.ofMinutes(61));

        ArchiveReport r = mover.move();
        assertThat(r.onTape()).isEqualTo(1);
        assertThat(fx.row(right).state()).isEqualTo(FileState.ON_TAPE);
        for (CatalogFile f : List.of(wrongDest, wrongSize, wrongSum)) {
            CatalogFile now = fx.row(f);
            System.out.println("error: " + now.lastError());
            assertThat(now.state()).isEqualTo(FileState.COMPRESSED);
            assertThat(now.lastError()).contains(job).contains(fx.tapeUrl(f));
        }
        assertThat(fx.row(wrongDest).lastError()).contains(elsewhere);
        assertThat(fx.row(wrongSize).lastError()).contains(String.valueOf(wrongSize.compressedSize() + 1))
                .contains(String.valueOf(wrongSize.compressedSize()));
        assertThat(fx.row(wrongSum).lastError()).contains("0badbeef").contains(wrongSum.compressedAdler32());
    }
}
