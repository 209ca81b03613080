package org.migdal.dm.fts;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Bulk polling, scripted job progressions and lost submission replies. FTS3 cannot run here, so these run against
 * {@link FtsContractServer}, which answers in the exact formats of {@code ../shared/reference/fts3.md} and counts
 * requests, so the polling cost per cycle is measured, not assumed.
 */
class FtsPollingContractTest {
    @TempDir
    static Path dir;
    static FtsFixture fx;
    static FtsClient client;

    @BeforeAll
    static void up() throws Exception {
        fx = new FtsFixture(dir);
        client = fx.x509();
        client.ensureDelegated();
    }

    @AfterAll
    static void down() {
        fx.close();
    }

    @BeforeEach
    void reset() {
        fx.server.resetCounts();
    }

    private static List<Submission> build(String run, int n, int attempt, int perJob) {
        return new TapeSubmissionBuilder(run, Duration.ofHours(24)).maxFilesPerJob(perJob)
                .addAll(FtsFixture.tapeFiles(run, n, attempt, false)).build();
    }

    @Test
    void thousandInFlightFilesCostOneStatusRequestPerCycle() throws Exception {
        List<String> ids = new ArrayList<>();
        for (Submission s : build("run-1000", 1000, 1, 200)) {
            ids.add(client.submit(s).jobId());
        }
        assertThat(ids).hasSize(5).doesNotHaveDuplicates();
        List<String> states = new ArrayList<>();
        List<Integer> perCycle = new ArrayList<>();
        for (int cycle = 0; cycle < 4; cycle++) {
            fx.server.resetCounts();
            Map<String, JobLookup> r = client.jobs(ids, FtsClient.POLL_FILE_FIELDS);
            perCycle.add(fx.server.requests());
            assertThat(r.values()).allSatisfy(l -> {
                assertThat(l.isFound()).isTrue();
                assertThat(l.job().files()).hasSize(200);
            });
            int files = r.values().stream().mapToInt(l -> l.job().files().size()).sum();
            assertThat(files).isEqualTo(1000);
            states.add(r.get(ids.get(0)).job().jobState());
            ids.forEach(fx.server::advance);
        }
        assertThat(perCycle).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(10)).containsOnly(1);
        assertThat(states).containsExactly("SUBMITTED", "ACTIVE", "ARCHIVING", "FINISHED");
    }

    @Test
    void jobGoesSubmittedActiveArchivingFinished() throws Exception {
        Submission s = build("run-prog", 3, 1, 200).get(0);
        String id = client.submit(s).jobId();
        Job j = client.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS).get(id).job();
        assertThat(j.jobState()).isEqualTo("SUBMITTED");
        assertThat(j.files()).allSatisfy(f -> assertThat(f.startTime()).isNull());

        fx.server.advance(id);
        j = client.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS).get(id).job();
        assertThat(j.jobState()).isEqualTo("ACTIVE");
        assertThat(j.files()).allSatisfy(f -> {
            assertThat(f.fileState()).isEqualTo("ACTIVE");
            assertThat(f.startTime()).isNotNull();
        });

        fx.server.advance(id);
        j = client.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS).get(id).job();
        assertThat(j.jobState()).isEqualTo(FtsStates.ARCHIVING);
        assertThat(j.isTerminal()).isFalse();
        assertThat(j.files()).allSatisfy(f -> {
            assertThat(f.fileState()).isEqualTo("ARCHIVING");
            assertThat(f.isTerminal()).isFalse();
            assertThat(f.finishTime()).isNotNull();
            assertThat(f.archiveStartTime()).isNotNull();
            assertThat(f.archiveFinishTime()).isNull();
        });

        fx.server.advance(id);
        j = client.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS).get(id).job();
        assertThat(j.jobState()).isEqualTo("FINISHED");
        assertThat(j.isTerminal()).isTrue();
        assertThat(j.reason()).isEmpty();
        assertThat(j.jobFinished()).isNotNull();
        assertThat(j.files()).allSatisfy(f -> {
            assertThat(f.fileState()).isEqualTo("FINISHED");
            assertThat(f.archiveFinishTime()).isNotNull();
            assertThat(f.filesize()).isEqualTo(f.metadata("catalog_id").map(c -> 1000L + Long.parseLong(c.substring(c.lastIndexOf('-') + 1))).orElseThrow());
            assertThat(f.checksum()).matches("ADLER32:[0-9a-f]{8}");
            assertThat(f.fileId()).isNotNull();
        });
    }

    @Test
    void aFailedJobSucceedsOnResubmissionWithTheNextAttempt() throws Exception {
        List<TapeSubmissionBuilder.TapeFile> files = FtsFixture.tapeFiles("run-fail", 2, 1, false);
        String reason = "ARCHIVING [110] archive timeout has been exceeded";
        fx.server.failFirstAttemptOf(files.get(1).destination(), reason);
        Submission first = new TapeSubmissionBuilder("run-fail", Duration.ofHours(24)).addAll(files).build().get(0);
        String id = client.submit(first).jobId();
        fx.server.complete(id);
        Job j = client.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS).get(id).job();
        assertThat(j.jobState()).isEqualTo("FINISHEDDIRTY");
        assertThat(j.reason()).isEqualTo("One or more files failed. Please have a look at the details for more information");
        JobFile failed = j.files().stream().filter(f -> f.fileState().equals("FAILED")).findFirst().orElseThrow();
        assertThat(failed.reason()).isEqualTo(reason);
        assertThat(failed.metadata("catalog_id")).hasValue("run-fail-1");

        // the mover resubmits just that file with attempt 2: a new sid, so a new job and no 409
        TapeSubmissionBuilder.TapeFile f = files.get(1);
        Submission retry = new TapeSubmissionBuilder("run-fail-2", Duration.ofHours(24)).add(new TapeSubmissionBuilder.TapeFile(
                f.lfn(), f.catalogId(), 2, f.source(), f.destination(), f.adler32(), f.size())).build().get(0);
        SubmitResult r = client.submit(retry);
        assertThat(r.outcome()).isEqualTo(SubmitResult.Outcome.SUBMITTED);
        assertThat(r.jobId()).isNotEqualTo(id);
        fx.server.complete(r.jobId());
        assertThat(client.job(r.jobId()).orElseThrow().jobState()).isEqualTo("FINISHED");
    }

    @Test
    void aWholeJobFailsAtTransfer() throws Exception {
        List<TapeSubmissionBuilder.TapeFile> files = FtsFixture.tapeFiles("run-allfail", 1, 1, false);
        String reason = "DESTINATION [5] Source and destination ADLER32 checksum do not match (0a1b2c3d != 0a1b2c3e)";
        fx.server.failFirstAttemptOf(files.get(0).destination(), reason);
        String id = client.submit(new TapeSubmissionBuilder("r", Duration.ofHours(1)).addAll(files).build().get(0)).jobId();
        fx.server.complete(id);
        Job j = client.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS).get(id).job();
        assertThat(j.jobState()).isEqualTo("FAILED");
        assertThat(j.files().get(0).reason()).isEqualTo(reason);
        assertThat(j.files().get(0).archiveStartTime()).isNull();
    }

    @Test
    void destinationAlreadyOnTapeReportsDstFile() throws Exception {
        List<TapeSubmissionBuilder.TapeFile> files = FtsFixture.tapeFiles("run-exists", 1, 1, false);
        fx.server.destinationExistsOnTape(files.get(0).destination());
        String id = client.submit(new TapeSubmissionBuilder("run-exists", Duration.ofHours(24)).addAll(files).build().get(0)).jobId();
        fx.server.complete(id);
        JobFile f = client.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS).get(id).job().files().get(0);
        assertThat(f.fileState()).isEqualTo("FAILED");
        assertThat(f.reason()).contains("Destination file exists and overwrite is not enabled");
        JobFile.DstFile d = f.dstFile().orElseThrow();
        assertThat(d.fileOnTape()).isTrue();
        assertThat(d.checksumType()).isEqualTo("ADLER32");
        assertThat(d.checksumValue()).isEqualTo("00001000");
        assertThat(d.fileSize()).isEqualTo(1000L);
    }

    @Test
    void aPurgedJobIsNotFoundInBulkAndSingleQueries() throws Exception {
        String kept = client.submit(build("run-purge-a", 1, 1, 200).get(0)).jobId();
        String purged = client.submit(build("run-purge-b", 1, 1, 200).get(0)).jobId();
        fx.server.complete(purged);
        fx.server.purge(purged);
        Map<String, JobLookup> bulk = client.jobs(List.of(kept, purged), FtsClient.POLL_FILE_FIELDS);
        assertThat(bulk.get(kept).isFound()).isTrue();
        assertThat(bulk.get(purged).isNotFound()).isTrue();
        assertThat(client.jobs(List.of(purged), List.of()).get(purged).isNotFound()).isTrue();
        assertThat(client.job(purged)).isEmpty();
    }

    @Test
    void lostReplyByCutConnectionIsRecoveredWithoutADuplicate() throws Exception {
        Submission s = build("run-cut", 5, 1, 200).get(0);
        String expected = client.expectedJobId(s.sid());
        int before = fx.server.jobCount();
        fx.server.failNext("POST /jobs", FtsContractServer.Fault.CUT_AFTER_STORE);
        SubmitResult r = client.submit(s);
        assertThat(r.jobId()).isEqualTo(expected);
        assertThat(r.outcome()).isEqualTo(SubmitResult.Outcome.RECOVERED);
        assertThat(fx.server.jobCount()).isEqualTo(before + 1);
        assertThat(fx.server.requests("POST /jobs")).isEqualTo(1);
        assertThat(fx.server.requestLog()).contains("GET /jobs/" + expected);
        // and a later retry by the mover is recognised too
        assertThat(client.submit(s).outcome()).isEqualTo(SubmitResult.Outcome.ALREADY_SUBMITTED);
        assertThat(fx.server.jobCount()).isEqualTo(before + 1);
    }

    @Test
    void lostReplyByTimeoutIsRecoveredWithoutADuplicate() throws Exception {
        FtsClient quick = FtsClient.create(fx.settings().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1)),
                new FtsClient.X509Auth(fx.proxy()), fx.pki.caDir(), false);
        Submission s = build("run-timeout", 5, 1, 200).get(0);
        int before = fx.server.jobCount();
        fx.server.failNext("POST /jobs", FtsContractServer.Fault.HOLD_AFTER_STORE);
        try {
            SubmitResult r = quick.submit(s);
            assertThat(r.outcome()).isEqualTo(SubmitResult.Outcome.RECOVERED);
            assertThat(r.jobId()).isEqualTo(quick.expectedJobId(s.sid()));
            assertThat(fx.server.jobCount()).isEqualTo(before + 1);
            assertThat(fx.server.requests("POST /jobs")).isEqualTo(1);
        } finally {
            fx.server.releaseHeld();
        }
    }

    @Test
    void replyLostBeforeStoringIsSubmittedOnceByTheRepost() throws Exception {
        Submission s = build("run-503", 2, 1, 200).get(0);
        int before = fx.server.jobCount();
        fx.server.failNext("POST /jobs", FtsContractServer.Fault.HTML_503);
        SubmitResult r = client.submit(s);
        assertThat(r.outcome()).isEqualTo(SubmitResult.Outcome.SUBMITTED);
        assertThat(r.jobId()).isEqualTo(client.expectedJobId(s.sid()));
        assertThat(fx.server.jobCount()).isEqualTo(before + 1);
        assertThat(fx.server.requests("POST /jobs")).isEqualTo(2);

        fx.server.failNext("POST /jobs", FtsContractServer.Fault.HTML_503);
        fx.server.failNext("POST /jobs", FtsContractServer.Fault.HTML_503);
        Submission s2 = build("run-503b", 2, 1, 200).get(0);
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.submit(s2));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.UNAVAILABLE);
        assertThat(fx.server.jobCount()).isEqualTo(before + 1);
    }
}
