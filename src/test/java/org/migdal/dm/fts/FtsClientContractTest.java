package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Contract tests of {@link FtsClient}: every call and every error mapping. FTS3 cannot run here (it needs MySQL and the
 * C++ daemons), so these run against {@link FtsContractServer}, an HTTPS server on 127.0.0.1 that answers in the exact
 * formats of {@code ../shared/reference/fts3.md} (JSON with Python separators, streamed lists, 200/207/404/409/419/503,
 * Flask JSON and Werkzeug HTML error bodies).
 */
class FtsClientContractTest {
    @TempDir
    static java.nio.file.Path dir;
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

    private static Submission tapeJob(String run, int n) {
        return new TapeSubmissionBuilder(run, Duration.ofHours(24)).addAll(FtsFixture.tapeFiles(run, n, 1, false)).build().get(0);
    }

    @Test
    void probeReadsTheVersions() throws Exception {
        Probe p = client.probe();
        assertThat(p.api()).isEqualTo(new Probe.Version("3", "13", "4"));
        assertThat(p.delegation()).isEqualTo(new Probe.Version("1", "0", "0"));
        assertThat(p.core()).isEqualTo(new Probe.Version("3", "13", "2"));
        assertThat(p.api().majorNumber()).isEqualTo(3);
        assertThat(fx.server.requestLog()).containsExactly("GET /");
    }

    @Test
    void whoamiReadsIdentityDelegationIdAndVo() throws Exception {
        WhoAmI w = client.whoami();
        assertThat(w.userDn()).isEqualTo(FtsFixture.USER_DN);
        assertThat(w.method()).isEqualTo("certificate");
        assertThat(w.isCertificate()).isTrue();
        assertThat(w.baseId()).isEqualTo(DeterministicIds.FTS_BASE_ID.toString());
        assertThat(w.vos()).containsExactly(FtsFixture.VO);
        assertThat(w.delegationId()).hasSize(16).matches("[0-9a-f]{16}");
    }

    @Test
    void endpointWithTrailingSlashNeverProducesDoubleSlashes() throws Exception {
        URI withSlash = URI.create(fx.uri() + "//");
        FtsClient c = FtsClient.create(FtsClient.Settings.of(withSlash), new FtsClient.X509Auth(fx.proxy()), fx.pki.caDir(), false);
        c.probe();
        c.whoami();
        String id = c.submit(tapeJob("slash", 2)).jobId();
        c.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS);
        c.files(id);
        c.delegationInfo(c.whoami().delegationId());
        assertThat(fx.server.requestLog()).isNotEmpty().allSatisfy(r -> assertThat(r).doesNotContain("//"));
        assertThat(fx.server.requestLog()).contains("GET /", "GET /whoami", "POST /jobs");
    }

    @Test
    void submitSendsTheTapeParametersAndGetsTheDeterministicId() throws Exception {
        Submission s = tapeJob("run-sub", 3);
        SubmitResult r = client.submit(s);
        assertThat(r.outcome()).isEqualTo(SubmitResult.Outcome.SUBMITTED);
        assertThat(r.jobId()).isEqualTo(client.expectedJobId(s.sid()));
        Job j = client.job(r.jobId()).orElseThrow();
        assertThat(j.jobState()).isEqualTo("SUBMITTED");
        assertThat(j.verifyChecksum()).isEqualTo("b");
        assertThat(j.archiveTimeout()).isEqualTo(86400);
        assertThat(j.dstFileReport()).isTrue();
        assertThat(j.overwriteFlag()).isNull(); // overwrite false, root:// tape: no overwrite_when_only_on_disk
        assertThat(j.retry()).isEqualTo(3);
        assertThat(j.jobMetadata().get("issuer").asText()).isEqualTo("migdal-dm");
        assertThat(j.jobMetadata().get("run").asText()).isEqualTo("run-sub");
        assertThat(j.jobMetadata().get("auth_method").asText()).isEqualTo("certificate");
        assertThat(j.reason()).isEmpty();
        assertThat(j.jobFinished()).isNull();
        assertThat(j.submitTime()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
        assertThat(j.files()).isEmpty();
        List<JobFile> files = client.files(r.jobId());
        assertThat(files).hasSize(3);
        assertThat(files.get(0).checksum()).isEqualTo("ADLER32:00001000");
        assertThat(files.get(0).userFilesize()).isEqualTo(1000L);
        assertThat(files.get(0).metadata("lfn")).hasValue("/2208/220803/run-sub/MIG_Fe55_data_220803T145447.CAL.0000.dat.bz2");
        assertThat(files.get(0).metadata("catalog_id")).hasValue("run-sub-0");
        assertThat(files.get(0).fileState()).isEqualTo("SUBMITTED");
        assertThat(files.get(0).reason()).isEmpty();
        assertThat(files.get(0).filesize()).isNull();
    }

    @Test
    void sameSidTwiceIsAlreadySubmittedNotADuplicate() throws Exception {
        Submission s = tapeJob("run-dup", 2);
        SubmitResult first = client.submit(s);
        int jobs = fx.server.jobCount();
        SubmitResult second = client.submit(s);
        assertThat(second.outcome()).isEqualTo(SubmitResult.Outcome.ALREADY_SUBMITTED);
        assertThat(second.jobId()).isEqualTo(first.jobId());
        assertThat(fx.server.jobCount()).isEqualTo(jobs);
        assertThat(client.jobBySid(s.sid()).map(Job::jobId)).hasValue(first.jobId());
        assertThat(client.jobBySid("never-submitted-sid")).isEmpty();
    }

    @Test
    void otherConflictIsAConflictError() throws Exception {
        fx.server.failNextJson("POST /jobs", 409, "The submission is duplicated (1062, \"Duplicate entry\")");
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.submit(tapeJob("run-409", 1)));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.CONFLICT);
        assertThat(e.status()).isEqualTo(409);
        assertThat(e.serverMessage()).hasValue("The submission is duplicated (1062, \"Duplicate entry\")");
        assertThat(e.method()).isEqualTo("POST");
        assertThat(e.url().getPath()).isEqualTo("/jobs");
    }

    @Test
    void badRequestCarriesTheJsonMessage() {
        fx.server.failNextJson("POST /jobs", 400, "No valid pairs available");
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.submit(tapeJob("run-400", 1)));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.BAD_REQUEST);
        assertThat(e.serverMessage()).hasValue("No valid pairs available");
        assertThat(e.getMessage()).contains("POST", "/jobs", "400", "No valid pairs available");
    }

    @Test
    void html503IsUnavailableWithTheHtmlText() {
        fx.server.failNext("GET /whoami", FtsContractServer.Fault.HTML_503);
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.whoami());
        assertThat(e.kind()).isEqualTo(FtsException.Kind.UNAVAILABLE);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.serverMessage().orElseThrow()).startsWith("The server is temporarily unable to service your request")
                .doesNotContain("<");
    }

    @Test
    void json500IsUnavailable() {
        fx.server.failNext("GET /", FtsContractServer.Fault.JSON_500);
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.probe());
        assertThat(e.kind()).isEqualTo(FtsException.Kind.UNAVAILABLE);
        assertThat(e.serverMessage()).hasValue("(OperationalError) (2006, 'MySQL server has gone away')");
    }

    @Test
    void html403And401AreAuthErrors() {
        fx.server.failNext("GET /whoami", FtsContractServer.Fault.HTML_403_VO);
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.whoami());
        assertThat(e.kind()).isEqualTo(FtsException.Kind.AUTH);
        assertThat(e.serverMessage()).hasValue("The user does not belong to any authorized vo");
        fx.server.failNext("GET /whoami", FtsContractServer.Fault.HTML_401);
        FtsException e401 = catchThrowableOfType(FtsException.class, () -> client.whoami());
        assertThat(e401.kind()).isEqualTo(FtsException.Kind.AUTH);
        assertThat(e401.status()).isEqualTo(401);
        assertThat(e401.serverMessage()).hasValue("A valid X509 certificate or proxy is needed");
    }

    @Test
    void unknownJobFilesIsNotFound() {
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.files("0f9e1a22-eb60-11f1-8c1d-02fc00000001"));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.NOT_FOUND);
        assertThat(e.serverMessage()).hasValue("No job with the id \"0f9e1a22-eb60-11f1-8c1d-02fc00000001\" has been found");
    }

    @Test
    void cancelActiveThenTerminal() throws Exception {
        String id = client.submit(tapeJob("run-cancel", 2)).jobId();
        fx.server.advance(id);
        CancelResult c = client.cancel(id);
        assertThat(c.alreadyTerminal()).isFalse();
        assertThat(c.job().jobState()).isEqualTo("CANCELED");
        assertThat(c.job().httpStatus()).isEqualTo("200 Ok");
        assertThat(client.files(id)).allSatisfy(f -> {
            assertThat(f.fileState()).isEqualTo("CANCELED");
            assertThat(f.reason()).isEqualTo("Job canceled by the user");
        });
        CancelResult again = client.cancel(id);
        assertThat(again.alreadyTerminal()).isTrue();
        assertThat(again.job().jobState()).isEqualTo("CANCELED");
        assertThat(again.job().httpMessage()).isEqualTo("The job is in a terminal state");
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.cancel("d3be3ef8-eb66-11f1-ac9f-0000000000ff"));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.NOT_FOUND);
        assertThat(e.serverMessage().orElseThrow()).contains("No job with the id");
    }

    @Test
    void bulkStatusHandles200And207AndSingle404AndForbidden() throws Exception {
        String a = client.submit(tapeJob("run-bulk-a", 2)).jobId();
        String b = client.submit(tapeJob("run-bulk-b", 2)).jobId();
        String missing = "0f9e1a22-eb60-11f1-8c1d-02fc00000001";

        Map<String, JobLookup> ok = client.jobs(List.of(a, b), List.of("file_state", "dest_surl", "reason"));
        assertThat(ok.values()).allSatisfy(l -> assertThat(l.isFound()).isTrue());
        assertThat(ok.get(a).job().files()).hasSize(2).allSatisfy(f -> {
            assertThat(f.fileState()).isEqualTo("SUBMITTED");
            assertThat(f.destSurl()).startsWith("root://antares.stfc.ac.uk/");
            assertThat(f.fileId()).isNull(); // not asked for
        });

        Map<String, JobLookup> partial = client.jobs(List.of(a, missing, b, a), List.of());
        assertThat(partial.keySet()).containsExactly(a, missing, b);
        assertThat(partial.get(a).isFound()).isTrue();
        assertThat(partial.get(missing).status()).isEqualTo(JobLookup.Status.NOT_FOUND);
        assertThat(partial.get(missing).httpStatus()).isEqualTo("404 Not Found");
        assertThat(partial.get(missing).message()).isEqualTo("No job with the id \"" + missing + "\" has been found");

        Map<String, JobLookup> single = client.jobs(List.of(missing), List.of());
        assertThat(single.get(missing).isNotFound()).isTrue();
        assertThat(client.job(missing)).isEmpty();

        fx.server.forbid(b);
        Map<String, JobLookup> forbidden = client.jobs(List.of(a, b), List.of());
        assertThat(forbidden.get(a).isFound()).isTrue();
        assertThat(forbidden.get(b).status()).isEqualTo(JobLookup.Status.ERROR);
        assertThat(forbidden.get(b).httpStatus()).isEqualTo("403 Forbidden");
        assertThat(forbidden.get(b).message()).isEqualTo("Not enough permissions to check the job \"" + b + "\"");
        assertThat(fx.server.requests("GET /jobs")).isEqualTo(5);
    }

    @Test
    void aNon404BodyOn404IsAnEndpointErrorNotALostJob() throws Exception {
        fx.server.failNextJson("GET /jobs", 404, "The requested URL was not found on the server.");
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.jobs(List.of("d3be3ef8-eb66-11f1-ac9f-02fc00000001"), List.of()));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.NOT_FOUND);
        assertThat(e.getMessage()).contains("check the endpoint URL");
    }

    @Test
    void bulkStatusUsesAtMost100IdsPerRequest() throws Exception {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 250; i++) {
            ids.add(String.format("0f9e1a22-eb60-11f1-8c1d-%012x", i));
        }
        Map<String, JobLookup> r = client.jobs(ids, FtsClient.POLL_FILE_FIELDS);
        assertThat(r).hasSize(250);
        assertThat(r.values()).allSatisfy(l -> assertThat(l.isNotFound()).isTrue());
        assertThat(fx.server.requests("GET /jobs")).isEqualTo(3);
        assertThat(fx.server.requestLog()).allSatisfy(line -> {
            String idsPart = line.substring("GET /jobs/".length(), line.indexOf('?'));
            assertThat(idsPart.split(",").length).isLessThanOrEqualTo(100);
            assertThat(line).endsWith("?files=" + String.join(",", FtsClient.POLL_FILE_FIELDS));
        });
    }

    @Test
    void tokenModeRefusesTapeJobsClientSide() throws Exception {
        String jwt = FtsFixture.jwt("token-user-1");
        fx.server.acceptToken(jwt, "https://iam.example.org/", "token-user-1");
        FtsClient t = fx.token(jwt);
        FtsException e = catchThrowableOfType(FtsException.class, () -> t.submit(tapeJob("run-token", 1)));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.BAD_REQUEST);
        assertThat(e.status()).isZero();
        assertThat(e.getMessage()).contains("tape jobs", "X509", "refused before sending");
        assertThat(fx.server.requests("POST /jobs")).isZero();
        Submission recall = new Submission(List.of(TransferFile.of("root://antares.stfc.ac.uk//eos/x", "davs://disk.example.org/x",
                "ADLER32:1", 1L, null)), JobParams.builder().bringOnline(3600).build());
        assertThat(catchThrowableOfType(FtsException.class, () -> t.submit(recall)).getMessage()).contains("bring_online");
        assertThat(t.ensureDelegated().delegated()).isFalse();
        assertThat(t.ensureDelegated().note()).contains("X509");
    }

    @Test
    void tokenModeSubmitsDiskJobsWithBearerHeader() throws Exception {
        String jwt = FtsFixture.jwt("token-user-2");
        fx.server.acceptToken(jwt, "https://iam.example.org/", "token-user-2");
        FtsClient t = fx.token(jwt);
        WhoAmI w = t.whoami();
        assertThat(w.method()).isEqualTo("oauth2");
        assertThat(w.userDn()).isEqualTo("token-user-2");
        Submission disk = new Submission(List.of(TransferFile.of("davs://a.example.org/f", "davs://b.example.org/f",
                "ADLER32:0a1b2c3d", 10L, null)), JobParams.builder().verifyChecksum("both").deterministic("tok-disk-1").build());
        SubmitResult r = t.submit(disk);
        assertThat(r.jobId()).isEqualTo(t.expectedJobId("tok-disk-1"));
        assertThat(t.job(r.jobId()).orElseThrow().jobMetadata().get("auth_method").asText()).isEqualTo("oauth2");
    }

    @Test
    void tokenErrorsAreAuthAndNeverShowTheToken() throws Exception {
        String unknown = FtsFixture.jwt("nobody"); // not accepted: silently rejected, anonymous
        FtsClient anon = fx.token(unknown);
        FtsException e = catchThrowableOfType(FtsException.class, () -> anon.submit(new Submission(List.of(TransferFile.of(
                "davs://a.example.org/f", "davs://b.example.org/f", null, null, null)), null)));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.AUTH);
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.serverMessage()).hasValue("Not enough permissions");

        String invalid = "invalid" + FtsFixture.jwt("x");
        FtsClient bad = fx.token(invalid);
        FtsException html = catchThrowableOfType(FtsException.class, bad::whoami);
        assertThat(html.kind()).isEqualTo(FtsException.Kind.AUTH);
        assertThat(html.serverMessage()).hasValue("Invalid credentials (Token is invalid: Signature verification failed)");

        String jwt = FtsFixture.jwt("token-user-3");
        fx.server.acceptToken(jwt, "https://iam.example.org/", "token-user-3");
        FtsClient t = fx.token(jwt);
        fx.server.failNextJson("GET /whoami", 400, "Unsupported token " + jwt + " Bearer " + jwt);
        FtsException echo = catchThrowableOfType(FtsException.class, t::whoami);
        assertThat(echo.getMessage()).doesNotContain(jwt).doesNotContain(jwt.substring(0, 30));
        assertThat(echo.serverMessage().orElseThrow()).doesNotContain(jwt.substring(10, 40));
    }

    @Test
    void timeoutIsUnavailableWithNoStatus() throws Exception {
        FtsClient quick = FtsClient.create(fx.settings().withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(700)),
                new FtsClient.X509Auth(fx.proxy()), fx.pki.caDir(), false);
        Submission s = new Submission(tapeJob("run-timeout", 1).files(), JobParams.builder().archiveTimeout(3600).build());
        fx.server.failNext("POST /jobs", FtsContractServer.Fault.HOLD_AFTER_STORE);
        try {
            FtsException e = catchThrowableOfType(FtsException.class, () -> quick.submit(s)); // standard id: no recovery
            assertThat(e.kind()).isEqualTo(FtsException.Kind.UNAVAILABLE);
            assertThat(e.status()).isZero();
            assertThat(e.getMessage()).contains("no reply within");
        } finally {
            fx.server.releaseHeld();
        }
    }

    @Test
    void unknownFieldsAreIgnoredAndDatesAreUtc() throws Exception {
        var n = new ObjectMapper().readTree("{\"job_id\": \"x\", \"job_state\": \"FINISHED\", \"reason\": null,"
                + " \"submit_time\": \"2024-05-14T09:12:31\", \"job_finished\": \"2024-05-14T11:40:02\","
                + " \"brand_new_field\": {\"a\": [1, 2]}, \"http_status\": \"200 Ok\","
                + " \"files\": [{\"file_state\": \"FINISHED\", \"reason\": \"\", \"finish_time\": \"2024-05-14T09:21:07\","
                + " \"future\": 1}]}");
        Job j = Job.from(n);
        assertThat(j.reason()).isEmpty();
        assertThat(j.isTerminal()).isTrue();
        assertThat(j.jobFinished()).isEqualTo(Instant.parse("2024-05-14T11:40:02Z"));
        assertThat(j.files().get(0).finishTime()).isEqualTo(Instant.parse("2024-05-14T09:21:07Z"));
        assertThat(j.files().get(0).reason()).isEqualTo(JobFile.from(new ObjectMapper().readTree("{\"reason\": null}")).reason());
    }

    @Test
    void contractServerSpeaksTheReferenceFormatsByteForByte() throws Exception {
        java.net.http.HttpClient raw = java.net.http.HttpClient.newBuilder()
                .sslContext(org.migdal.dm.security.TlsContexts.create(java.util.Optional.of(fx.proxy()), fx.pki.caDir(), false))
                .sslParameters(org.migdal.dm.security.TlsContexts.parameters()).build();
        java.util.function.Function<String, java.net.http.HttpResponse<String>> get = path -> {
            try {
                return raw.send(java.net.http.HttpRequest.newBuilder(URI.create(fx.uri() + path)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        assertThat(get.apply("/").body()).isEqualTo(FtsContractServer.PROBE_BODY);
        var missing = get.apply("/jobs/1234x");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"job_id\": \"1234x\", \"http_status\": \"404 Not Found\", "
                + "\"http_message\": \"No job with the id \\\"1234x\\\" has been found\"}");
        String id = client.submit(tapeJob("run-raw", 1)).jobId();
        var bulk = get.apply("//jobs/" + id + ",1234x?files=file_state,reason"); // the Python client's `//` (reference §0)
        assertThat(bulk.statusCode()).isEqualTo(207);
        assertThat(bulk.headers().firstValue("Content-Length")).isEmpty(); // streamed list
        assertThat(bulk.body()).startsWith("[{\"job_id\": \"" + id + "\", \"source_se\": \"davs://mover.pp.rl.ac.uk\"")
                // fts-rest-flask: absent values are null, not ""
                .contains("\"http_status\": \"200 Ok\", \"files\": [{\"file_state\": \"SUBMITTED\", \"reason\": null}]}")
                .contains("\"reason\": null, \"submit_time\"").contains("\"destination_spacetoken\": null")
                .endsWith("{\"job_id\": \"1234x\", \"http_status\": \"404 Not Found\", "
                        + "\"http_message\": \"No job with the id \\\"1234x\\\" has been found\"}]");
        var trailing = get.apply("/jobs/" + id + ",");
        assertThat(trailing.statusCode()).isEqualTo(200);
        assertThat(trailing.body()).startsWith("[{").endsWith("}]");
        var who = get.apply("/whoami");
        assertThat(who.body()).startsWith("{\"user_dn\": \"" + FtsFixture.USER_DN + "\", \"dn\": [\"" + FtsFixture.USER_DN
                + "\", \"CN=Test User,DC=test,DC=org\"]"); // fts-rest-flask lists the DN in two forms
        var rows = get.apply("/jobs/" + id + "/files");
        assertThat(rows.body()).contains("\"file_state_initial\": null").doesNotContain("\"retries\""); // no retries backref
        var other = get.apply("/delegation/0123456789abcdef");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).isEqualTo("{\"status\": \"403 Forbidden\", \"message\": \"The requested ID and the credentials ID do not match\"}");
        String dlg = client.whoami().delegationId();
        client.ensureDelegated();
        assertThat(get.apply("/delegation/" + dlg).body()).endsWith("\"voms_attrs\": [\"\"]}"); // no VOMS: "" split on "\n"
    }

    @Test
    void httpEndpointsAreRefused() {
        assertThatThrownBy(() -> FtsClient.Settings.of(URI.create("http://127.0.0.1:8446")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https://");
    }
}
