package org.migdal.dm.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.Job;
import org.migdal.dm.fts.JobFile;
import org.migdal.dm.fts.JobLookup;
import org.migdal.dm.security.TestPki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The FTS3 tape mover against the FTS3 contract server. FTS3 cannot run here (it needs MySQL, Apache with gridsite and
 * the C++ daemons, reference §9), so these tests run against {@code FtsContractServer}, which answers in the exact formats
 * of {@code ../shared/reference/fts3.md} (HTTPS with the proxy as client identity, 200/207/404 bulk status, Flask and HTML
 * errors, delegation) and moves jobs on only when the test says so. The catalog is a real SQLite catalog on a clock the
 * test moves; storage folders are real and named with {@code root://} URLs ({@link AliasedEndpoint}) because FTS refuses
 * {@code file://}. FTS never moves bytes here: where a test needs the copy on the tape endpoint, it copies it and says so.
 */
class FtsMoverContractTest {
    static TestPki.Layout pki;

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

    FtsMoverFixture fixture(int maxAttempts, Duration backoff) throws Exception {
        fx = new FtsMoverFixture(dir, pki, maxAttempts, backoff);
        return fx;
    }

    /** Moves the test clock past every file's next check (polls are at most an hour apart). */
    void due() {
        fx.clock.advance(Duration.ofMinutes(61));
    }

    static Set<FileState> states(FtsMoverFixture fx, List<CatalogFile> files) {
        Set<FileState> s = new HashSet<>();
        files.forEach(f -> s.add(fx.row(f).state()));
        return s;
    }

    static String lastMessage(FtsMoverFixture fx, CatalogFile f) {
        List<FileEvent> ev = fx.events(f);
        return ev.get(ev.size() - 1).message();
    }

    @Test
    void aJobGoesSubmittedActiveArchivingFinishedAndTheFilesAreOnTapeOnlyAtFinished() throws Exception {
        fixture(5, Duration.ofMinutes(1));
        List<CatalogFile> files = fx.compressed(3);
        FtsMover mover = fx.mover(fx.x509());

        ArchiveReport r = mover.move();
        assertThat(r.onTape()).isZero();
        assertThat(fx.server.jobCount()).isEqualTo(1);
        String job = fx.server.jobIds().get(0);
        assertThat(mover.lastCycle().filesSubmitted()).isEqualTo(3);
        assertThat(mover.lastCycle().jobsSubmitted()).isEqualTo(1);
        for (CatalogFile f : files) {
            CatalogFile now = fx.row(f);
            assertThat(now.state()).isEqualTo(FileState.TAPE_SUBMITTED);
            assertThat(now.tapeTransferId()).isEqualTo(job);
            assertThat(now.claimOwner()).as("released: polled later, by anyone").isNull();
            assertThat(now.nextAttemptAt()).isAfter(fx.clock.instant());
            assertThat(lastMessage(fx, f)).contains("handed to FTS3").contains(job).contains("attempt 1")
                    .contains(fx.tapeUrl(f)).contains("ADLER32:" + f.compressedAdler32());
        }
        // the submission as the server stored it: tape parameters of reference §10.4
        FtsClient client = fx.x509();
        Job stored = client.jobs(List.of(job), FtsClient.POLL_FILE_FIELDS).get(job).job();
        assertThat(stored.archiveTimeout()).isEqualTo(24 * 3600);
        assertThat(stored.dstFileReport()).isTrue();
        assertThat(stored.verifyChecksum()).isEqualTo("b");
        assertThat(stored.overwriteFlag()).as("root:// tape: no overwrite at all").isNull();
        assertThat(stored.files()).extracting(JobFile::sourceSurl).allMatch(u -> u.startsWith(FtsMoverFixture.DISK_BASE.toString()));

        // polling before the next check is due asks nothing
        fx.server.resetCounts();
        mover.move();
        assertThat(fx.server.requests("GET /jobs")).isZero();

        for (String expected : List.of("ACTIVE", "ARCHIVING")) {
            fx.server.advance(job);
            assertThat(fx.server.jobState(job)).isEqualTo(expected);
            due();
            r = mover.move();
            assertThat(r.onTape()).as("not on tape while %s", expected).isZero();
            assertThat(states(fx, files)).containsExactly(FileState.TAPE_SUBMITTED);
            assertThat(mover.lastCycle().stillInFlight()).isEqualTo(3);
        }
        fx.server.advance(job);
        assertThat(fx.server.jobState(job)).isEqualTo("FINISHED");
        JobFile finished = client.jobs(List.of(job), FtsClient.POLL_FILE_FIELDS).get(job).job().files().get(0);
        due();
        r = mover.move();
        assertThat(r.onTape()).isEqualTo(3);
        assertThat(states(fx, files)).containsExactly(FileState.ON_TAPE);
        String msg = lastMessage(fx, files.get(0));
        System.out.println("history: " + msg);
        assertThat(msg).contains("FTS3 job " + job + " FINISHED at " + finished.archiveFinishTime());
        assertThat(fx.row(files.get(0)).onTapeAt()).isNotNull();
    }

    @Test
    void aFailedJobIsRetriedWithBackoffAsANewAttemptWithANewSidAndThenSucceeds() throws Exception {
        fixture(5, Duration.ofMinutes(2));
        CatalogFile f = fx.compressed(1).get(0);
        String reason = "TRANSFER [5] DESTINATION CHECKSUM MISMATCH Source and destination ADLER32 checksum do not match";
        fx.server.failFirstAttemptOf(fx.tapeUrl(f), reason);
        FtsMover mover = fx.mover(fx.x509());
        FtsClient client = fx.x509();

        mover.move();
        String first = fx.row(f).tapeTransferId();
        fx.server.complete(first);
        assertThat(fx.server.jobState(first)).isEqualTo("FAILED");
        due();
        ArchiveReport r = mover.move();
        assertThat(r.failed()).isEqualTo(1);
        CatalogFile failed = fx.row(f);
        assertThat(failed.state()).isEqualTo(FileState.COMPRESSED);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).isEqualTo("FTS job " + first + ": " + reason);
        assertThat(failed.nextAttemptAt()).as("exponential backoff: 2 min (+ jitter)").isAfterOrEqualTo(fx.clock.instant().plusSeconds(119));

        mover.move();
        assertThat(fx.server.jobCount()).as("not resubmitted before its retry time").isEqualTo(1);
        fx.clock.advance(Duration.ofMinutes(3));
        mover.move();
        assertThat(fx.server.jobCount()).isEqualTo(2);
        String second = fx.row(f).tapeTransferId();
        assertThat(second).isNotEqualTo(first);
        JobFile jf = client.jobs(List.of(second), FtsClient.POLL_FILE_FIELDS).get(second).job().files().get(0);
        assertThat(jf.fileMetadata().get("attempt").asInt()).isEqualTo(2);
        assertThat(lastMessage(fx, f)).contains("attempt 2");

        fx.server.complete(second);
        due();
        assertThat(mover.move().onTape()).isEqualTo(1);
        assertThat(fx.row(f).state()).isEqualTo(FileState.ON_TAPE);
        assertThat(fx.row(f).tapeTransferId()).isEqualTo(second);
    }

    @Test
    void aPurgedJobIsJudgedByTheTapeEndpointBeforeAnyResubmission() throws Exception {
        fixture(5, Duration.ZERO);
        List<CatalogFile> files = fx.compressed(4);
        CatalogFile onTape = files.get(0);      // copied, right checksum: success
        CatalogFile missing = files.get(1);     // never arrived: resubmit
        CatalogFile damaged = files.get(2);     // wrong bytes on the tape endpoint: resubmit
        CatalogFile shorter = files.get(3);     // wrong size: resubmit
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(onTape).tapeTransferId();
        fx.copyToTape(onTape);   // stands in for FTS's data movement before the job was purged
        fx.copyToTape(damaged);
        byte[] b = Files.readAllBytes(fx.onTape(damaged));
        b[10] ^= 1;
        Files.write(fx.onTape(damaged), b);
        fx.copyToTape(shorter);
        Files.write(fx.onTape(shorter), new byte[] {1, 2, 3});
        fx.server.purge(job);

        due();
        ArchiveReport r = mover.move();
        assertThat(r.onTape()).isEqualTo(1);
        assertThat(r.failed()).isEqualTo(3);
        assertThat(fx.row(onTape).state()).isEqualTo(FileState.ON_TAPE);
        String msg = lastMessage(fx, onTape);
        System.out.println("history: " + msg);
        assertThat(msg).contains("last-chance check").contains("no longer knows job " + job)
                .contains(fx.tapeUrl(onTape)).contains(onTape.compressedAdler32());
        assertThat(fx.row(missing).lastError()).contains("no longer knows job " + job).contains("is missing");
        assertThat(fx.row(damaged).lastError()).contains("has adler32");
        assertThat(fx.row(shorter).lastError()).contains("has 3 bytes");
        for (CatalogFile f : List.of(missing, damaged, shorter)) {
            assertThat(fx.row(f).state()).isEqualTo(FileState.COMPRESSED);
        }
        mover.move();
        assertThat(fx.server.jobCount()).as("the three are submitted again, in a new job").isEqualTo(1);
        String again = fx.row(missing).tapeTransferId();
        assertThat(again).isNotEqualTo(job);
        assertThat(List.of(fx.row(damaged).tapeTransferId(), fx.row(shorter).tapeTransferId())).containsOnly(again);
    }

    @Test
    void whereTheTapeEndpointReportsATapeFlagTheLastChanceCheckNeedsIt() throws Exception {
        fixture(5, Duration.ZERO);
        List<CatalogFile> files = fx.compressed(1);
        CatalogFile f = files.get(0);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(f).tapeTransferId();
        fx.copyToTape(f);
        fx.server.purge(job);
        fx.tape.reportTapeFlag(false);   // on the EOS disk buffer, not (yet) on tape
        due();
        mover.move();
        assertThat(fx.row(f).state()).isEqualTo(FileState.COMPRESSED);
        assertThat(fx.row(f).lastError()).contains("is not yet on tape");
        mover.move();
        String second = fx.row(f).tapeTransferId();
        assertThat(second).isNotEqualTo(job);
        fx.server.purge(second);
        fx.tape.reportTapeFlag(true);
        due();
        assertThat(mover.move().onTape()).isEqualTo(1);
        assertThat(lastMessage(fx, f)).contains("tape: tape copy flag reported by " + fx.tapeUrl(f));
        assertThat(fx.row(f).tapeEvidence()).isEqualTo("tape copy flag reported by " + fx.tapeUrl(f));
    }

    @Test
    void attemptsExhaustedQuarantineTheFileWithFtsReason() throws Exception {
        fixture(3, Duration.ZERO);
        CatalogFile f = fx.compressed(1).get(0);
        String reason = "ARCHIVING [110] archive timeout has been exceeded";
        for (int i = 0; i < 3; i++) {
            fx.server.failFirstAttemptOf(fx.tapeUrl(f), reason);
        }
        FtsMover mover = fx.mover(fx.x509());
        ArchiveReport last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            mover.move();
            String job = fx.row(f).tapeTransferId();
            fx.server.complete(job);
            assertThat(fx.server.jobState(job)).isEqualTo("FAILED");
            due();
            last = mover.move();
        }
        assertThat(fx.server.jobCount()).isEqualTo(3);
        assertThat(last.quarantined()).isEqualTo(1);
        CatalogFile q = fx.row(f);
        assertThat(q.state()).isEqualTo(FileState.QUARANTINED);
        assertThat(q.quarantinedFrom()).isEqualTo(FileState.TAPE_SUBMITTED);
        assertThat(q.lastError()).contains(reason).contains("gave up after 3 attempts");
        System.out.println("quarantined: " + q.lastError());
        mover.move();
        assertThat(fx.server.jobCount()).as("a quarantined file is not submitted again").isEqualTo(3);
    }

    @Test
    void aDestinationAlreadyOnTapeWithTheSameSizeAndChecksumIsSuccess() throws Exception {
        fixture(5, Duration.ZERO);
        List<CatalogFile> files = fx.compressed(2);
        CatalogFile exists = files.get(0);
        CatalogFile plainFailure = files.get(1);
        fx.server.destinationExistsOnTape(fx.tapeUrl(exists));
        fx.copyToTape(exists);   // it is there already: the tape endpoint confirms what the dst_file report says
        fx.server.failFirstAttemptOf(fx.tapeUrl(plainFailure), "DESTINATION [17] Destination file exists and overwrite is not enabled");
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(exists).tapeTransferId();
        fx.server.complete(job);
        assertThat(fx.server.jobState(job)).isEqualTo("FAILED");
        due();
        ArchiveReport r = mover.move();
        assertThat(r.onTape()).isEqualTo(1);
        assertThat(fx.row(exists).state()).isEqualTo(FileState.ON_TAPE);
        assertThat(lastMessage(fx, exists)).contains("dst_file").contains("file_on_tape true").contains(exists.compressedAdler32());
        assertThat(fx.row(plainFailure).state()).as("same reason, no dst_file report: a failure").isEqualTo(FileState.COMPRESSED);
    }

    @Test
    void theDestinationExistsRuleNeedsSizeChecksumAndTapeToMatch() throws Exception {
        fixture(5, Duration.ZERO);
        CatalogFile f = fx.compressed(1).get(0);
        ObjectMapper m = new ObjectMapper();
        String ok = "{\"dst_file\": {\"file_size\": " + f.compressedSize() + ", \"checksum_type\": \"ADLER32\", \"checksum_value\": \""
                + f.compressedAdler32().replaceFirst("^0+", "") + "\", \"file_on_tape\": true, \"file_on_disk\": false}}";
        String reason = "DESTINATION [17] Destination file exists and overwrite is not enabled";
        assertThat(FtsMover.existsOnTape(row(m, ok, reason), f)).isPresent();
        assertThat(FtsMover.existsOnTape(row(m, ok, "DESTINATION [17] Destination file exists and is on tape (overwrite-when-only-on-disk requested)"), f)).isPresent();
        assertThat(FtsMover.existsOnTape(row(m, ok, "TRANSFER [5] some other error"), f)).isEmpty();
        assertThat(FtsMover.existsOnTape(row(m, ok.replace("\"file_size\": " + f.compressedSize(), "\"file_size\": 1"), reason), f)).isEmpty();
        assertThat(FtsMover.existsOnTape(row(m, ok.replace("\"file_on_tape\": true", "\"file_on_tape\": false"), reason), f)).isEmpty();
        assertThat(FtsMover.existsOnTape(row(m, ok.replace("ADLER32", "MD5"), reason), f)).isEmpty();
        String otherSum = String.format("%08x", (Long.parseLong(f.compressedAdler32(), 16) + 1) & 0xffffffffL);
        assertThat(FtsMover.existsOnTape(row(m, ok.replace(f.compressedAdler32().replaceFirst("^0+", ""), otherSum), reason), f)).isEmpty();
        assertThat(FtsMover.existsOnTape(row(m, "{}", reason), f)).isEmpty();
    }

    static JobFile row(ObjectMapper m, String metadata, String reason) throws Exception {
        JsonNode md = m.readTree(metadata);
        return new JobFile(1L, 0, "job", "FAILED", "root://a/b", "root://c/d", reason, null, null, null, null, null, null, null,
                null, null, 0, false, null, null, md);
    }

    @Test
    void aTokenOnlyConfigurationIsRefusedBeforeAnyFileChangesState() throws Exception {
        fixture(5, Duration.ZERO);
        List<CatalogFile> files = fx.compressed(2);
        int events = fx.events(files.get(0)).size();
        FtsMover mover = fx.mover(fx.tokenOnly());
        fx.server.resetCounts();
        assertThatThrownBy(mover::move).isInstanceOf(FtsMover.Refused.class)
                .hasMessageContaining("no file touched").hasMessageContaining("X509")
                .hasMessageContaining("token").hasMessageContaining("§6");
        assertThatThrownBy(mover::poll).isInstanceOf(FtsMover.Refused.class);
        for (CatalogFile f : files) {
            CatalogFile now = fx.row(f);
            assertThat(now.state()).isEqualTo(FileState.COMPRESSED);
            assertThat(now.attempts()).isZero();
            assertThat(now.claimOwner()).isNull();
            assertThat(fx.events(f)).hasSize(events);
        }
        assertThat(fx.server.requests()).as("not even a request to FTS").isZero();
    }

    @Test
    void aJobStillInFlightPastArchiveTimeoutPlusMarginIsCancelledAndItsFilesFailed() throws Exception {
        fixture(5, Duration.ZERO);
        List<CatalogFile> files = fx.compressed(2);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(files.get(0)).tapeTransferId();
        fx.server.advance(job);
        fx.server.advance(job);
        assertThat(fx.server.jobState(job)).isEqualTo("ARCHIVING");
        // 47 h: still waiting, checked again within the hour
        fx.clock.advance(Duration.ofHours(47));
        mover.move();
        assertThat(states(fx, files)).containsExactly(FileState.TAPE_SUBMITTED);
        assertThat(Duration.between(fx.clock.instant(), fx.row(files.get(0)).nextAttemptAt())).isEqualTo(Duration.ofHours(1));
        fx.clock.advance(Duration.ofHours(2));
        ArchiveReport r = mover.move();
        assertThat(r.failed()).isEqualTo(2);
        assertThat(fx.server.jobState(job)).isEqualTo("CANCELED");
        assertThat(mover.lastCycle().cancelled()).as("one DELETE for the job, not one per file").isEqualTo(1);
        assertThat(fx.server.requests("DELETE /jobs")).isEqualTo(1);
        for (CatalogFile f : files) {
            assertThat(fx.row(f).state()).isEqualTo(FileState.COMPRESSED);
            // in flight since FTS's submit_time (whole seconds, on the server's own clock): 48 h 59 min or 49 h
            assertThat(fx.row(f).lastError()).containsPattern("still ARCHIVING after 4[89] h in flight \\(archive timeout 24 h \\+ margin 24 h\\)")
                    .contains("job cancelled at FTS");
        }
    }

    @Test
    void aJobThatCannotBeReadIsCheckedAgainLaterWithoutSpendingAnAttempt() throws Exception {
        fixture(5, Duration.ZERO);
        List<CatalogFile> files = fx.compressed(1);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(files.get(0)).tapeTransferId();
        // a second job so the bulk request has two ids and answers 207 with a per-item 403
        CatalogFile other = fx.compressed(1).get(0);
        mover.move();
        fx.server.forbid(job);
        due();
        mover.move();
        CatalogFile f = fx.row(files.get(0));
        assertThat(f.state()).isEqualTo(FileState.TAPE_SUBMITTED);
        assertThat(f.attempts()).isZero();
        assertThat(f.nextAttemptAt()).isAfter(fx.clock.instant());
        assertThat(fx.row(other).state()).isEqualTo(FileState.TAPE_SUBMITTED);
    }

    @Test
    void pollIntervalsGrowWithTheTimeInFlight() {
        Duration min = Duration.ofSeconds(60);
        assertThat(FtsMover.nextPoll(Duration.ZERO, min)).isEqualTo(min);
        assertThat(FtsMover.nextPoll(Duration.ofMinutes(10), min)).isEqualTo(Duration.ofMinutes(5));
        assertThat(FtsMover.nextPoll(Duration.ofHours(1), min)).isEqualTo(Duration.ofMinutes(30));
        assertThat(FtsMover.nextPoll(Duration.ofHours(30), min)).isEqualTo(Duration.ofHours(1));
        assertThat(FtsMover.nextPoll(Duration.ofHours(30), Duration.ofHours(2))).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void oneThousandFilesInFlightArePolledWithOneBulkRequest() throws Exception {
        fixture(5, Duration.ZERO);
        List<CatalogFile> files = fx.compressed(1000);
        FtsMover mover = fx.mover(fx.x509());   // archive.jobsPerCycle 150, fts.filesPerJob 200
        while (!fx.catalog.list(new org.migdal.dm.catalog.FileFilter(FileState.COMPRESSED, null, null, null, 0, 1)).isEmpty()) {
            mover.submit();
        }
        assertThat(states(fx, files)).containsExactly(FileState.TAPE_SUBMITTED);
        int jobs = fx.server.jobCount();
        assertThat(jobs).isEqualTo(7);
        List<String> ids = fx.server.jobIds();
        fx.server.advance(ids.get(0));
        fx.server.advance(ids.get(1));
        fx.server.complete(ids.get(2));

        due();
        fx.server.resetCounts();
        ArchiveReport r = mover.poll();
        int bulk = fx.server.requests("GET /jobs");
        int all = fx.server.requests();
        System.out.printf("poll cycle, 1000 files in flight in %d jobs: %d bulk status request(s), %d requests in all (%s)%n",
                jobs, bulk, all, fx.server.requestLog().stream().map(l -> l.length() > 60 ? l.substring(0, 60) + "…" : l).toList());
        assertThat(bulk).isEqualTo(1);
        assertThat(all).as("the delegation check and the bulk status").isEqualTo(2);
        assertThat(mover.lastCycle().filesPolled()).isEqualTo(1000);
        assertThat(mover.lastCycle().statusRequests()).isEqualTo(1);
        assertThat(r.onTape()).isEqualTo(150);
        assertThat(fx.server.requestLog()).noneMatch(l -> l.contains("/files"));
    }

    @Test
    void withSmallJobsAThousandFilesTakeOneBulkRequestPerHundredJobs() throws Exception {
        fixture(5, Duration.ZERO);
        fx.compressed(1000);
        FtsMover.Settings s = FtsMoverFixture.settings();
        FtsMover mover = fx.mover(fx.x509(), new FtsMover.Settings(1000, 10_000, 4, s.archiveTimeout(), s.retry(), s.pollInterval(),
                s.inFlightMargin(), "small-jobs"));
        mover.submit();
        assertThat(fx.server.jobCount()).isEqualTo(250);
        due();
        fx.server.resetCounts();
        mover.poll();
        int bulk = fx.server.requests("GET /jobs");
        System.out.printf("poll cycle, 1000 files in flight in 250 four-file jobs: %d bulk status requests, %d requests in all%n",
                bulk, fx.server.requests());
        assertThat(bulk).isEqualTo(3);
        assertThat(fx.server.requestLog()).filteredOn(l -> l.startsWith("GET /jobs/"))
                .extracting(l -> l.substring(10, l.indexOf('?')).split(",").length).containsExactly(100, 100, 50);
    }

    @Test
    void aTakenOverFileWhoseJobIsStillAliveIsFollowedNotSubmittedAgain() throws Exception {
        fixture(5, Duration.ZERO);
        CatalogFile f = fx.compressed(1).get(0);
        FtsMover mover = fx.mover(fx.x509());
        mover.move();
        String job = fx.row(f).tapeTransferId();
        fx.server.advance(job);
        // a poller claims it and dies: its lease runs out, and the in-flight check takes the claim over (no attempt charged)
        due();
        assertThat(fx.catalog.claimInFlight(10)).hasSize(1);
        fx.clock.advance(Duration.ofMinutes(31));
        mover.move();
        assertThat(fx.server.jobCount()).as("no second job").isEqualTo(1);
        assertThat(fx.row(f).state()).isEqualTo(FileState.TAPE_SUBMITTED);
        assertThat(fx.row(f).tapeTransferId()).isEqualTo(job);
        assertThat(fx.row(f).attempts()).as("a takeover of a file whose job is at FTS is no failed attempt").isZero();
        fx.server.complete(job);
        due();
        assertThat(mover.move().onTape()).isEqualTo(1);
    }
}
