package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The wire formats on their own: the tape submission body, deterministic ids, URL joining and error-body parsing,
 * checked against the values and shapes of {@code ../shared/reference/fts3.md} (FTS3 itself cannot run here; the
 * exchanges with a server are in the other *ContractTest classes, against {@link FtsContractServer}).
 */
class FtsFormatsContractTest {
    private static final ObjectMapper M = new ObjectMapper();

    @Test
    void deterministicIdsMatchTheReferenceFormulas() {
        UUID base = DeterministicIds.FTS_BASE_ID;
        // reference §1: vos_id = uuid5(base_id, vo), with the example value for dteam
        assertThat(DeterministicIds.uuid5(base, "dteam").toString()).isEqualTo("6b10f4e4-8fdc-5555-baa2-7d4850d4f406");
        // uuid5(uuid5(base_id, vo), sid), computed with Python's uuid module
        assertThat(DeterministicIds.jobId(base.toString(), "dteam", "migdal-sid-1")).isEqualTo("b762564b-5059-5d8f-9f77-884dd9110afc");
    }

    @Test
    void tapeSubmissionHasExactlyTheTapeParameters() throws Exception {
        List<Submission> subs = new TapeSubmissionBuilder("grid-20260512T1010", Duration.ofHours(24)).retry(5)
                .addAll(FtsFixture.tapeFiles("r1", 450, 1, false)).build();
        assertThat(subs).hasSize(3);
        assertThat(subs.stream().map(s -> s.files().size())).containsExactly(200, 200, 50);
        assertThat(subs.stream().map(Submission::sid).distinct()).hasSize(3);
        JsonNode body = M.readTree(subs.get(0).toJson());
        JsonNode p = body.get("params");
        assertThat(p.get("verify_checksum").asText()).isEqualTo("both");
        assertThat(p.get("archive_timeout").asInt()).isEqualTo(86400);
        assertThat(p.get("dst_file_report").asBoolean()).isTrue();
        assertThat(p.get("overwrite").isBoolean()).isTrue();
        assertThat(p.get("overwrite").asBoolean()).isFalse();
        assertThat(p.get("overwrite_when_only_on_disk").asBoolean()).isFalse(); // root:// tape: not allowed
        assertThat(p.get("retry").asInt()).isEqualTo(5);
        assertThat(p.get("id_generator").asText()).isEqualTo("deterministic");
        assertThat(p.get("sid").asText()).startsWith("migdal-dm-").isEqualTo(subs.get(0).sid());
        assertThat(p.get("job_metadata").toString()).isEqualTo("{\"issuer\":\"migdal-dm\",\"run\":\"grid-20260512T1010\"}");
        JsonNode f = body.get("files").get(0);
        assertThat(f.get("sources").get(0).asText()).startsWith("davs://mover.pp.rl.ac.uk:2880/pnfs/");
        assertThat(f.get("destinations").get(0).asText()).startsWith("root://antares.stfc.ac.uk/eos/antares/prod/migdal/2208/");
        assertThat(f.get("checksum").asText()).isEqualTo("ADLER32:00001000");
        assertThat(f.get("filesize").asLong()).isEqualTo(1000L);
        assertThat(f.get("metadata").get("lfn").asText()).endsWith(".CAL.0000.dat.bz2");
        assertThat(f.get("metadata").get("catalog_id").asText()).isEqualTo("r1-0");
        assertThat(f.get("metadata").get("attempt").asInt()).isEqualTo(1);
        assertThat(f.get("metadata").get("dst_type").asText()).isEqualTo("TAPE");
    }

    @Test
    void overwriteWhenOnlyOnDiskOnlyForHttpsOrDavsTape() throws Exception {
        Submission davs = new TapeSubmissionBuilder("r", Duration.ofHours(1)).addAll(FtsFixture.tapeFiles("d", 2, 1, true)).build().get(0);
        assertThat(M.readTree(davs.toJson()).get("params").get("overwrite_when_only_on_disk").asBoolean()).isTrue();
        assertThat(M.readTree(davs.toJson()).get("params").get("overwrite").asBoolean()).isFalse();
        Submission off = new TapeSubmissionBuilder("r", Duration.ofHours(1)).overwriteWhenOnlyOnDisk(false)
                .addAll(FtsFixture.tapeFiles("d", 2, 1, true)).build().get(0);
        assertThat(M.readTree(off.toJson()).get("params").get("overwrite_when_only_on_disk").asBoolean()).isFalse();
        // mixed endpoints go to separate jobs, so one root:// file does not cost the davs:// files the flag
        List<Submission> mixed = new TapeSubmissionBuilder("r", Duration.ofHours(1)).addAll(FtsFixture.tapeFiles("a", 2, 1, true))
                .addAll(FtsFixture.tapeFiles("b", 2, 1, false)).build();
        assertThat(mixed).hasSize(2);
        assertThatThrownBy(() -> new Submission(List.of(TransferFile.of("davs://a.example.org/x", "root://t.example.org//x", null, null, null)),
                JobParams.builder().archiveTimeout(10).overwriteWhenOnlyOnDisk(true).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https:// or davs://");
        assertThatThrownBy(() -> JobParams.builder().overwriteWhenOnlyOnDisk(true).build()).hasMessageContaining("archive_timeout");
        assertThatThrownBy(() -> JobParams.builder().archiveTimeout(10).overwrite(true).overwriteWhenOnlyOnDisk(true).build())
                .hasMessageContaining("exclude");
    }

    @Test
    void sidDependsOnFilesAndAttemptsNotOnTheRun() {
        var files = FtsFixture.tapeFiles("x", 3, 1, false);
        String a = new TapeSubmissionBuilder("run-A", Duration.ofHours(1)).addAll(files).build().get(0).sid();
        String b = new TapeSubmissionBuilder("run-B", Duration.ofHours(1)).addAll(files).build().get(0).sid();
        String c = new TapeSubmissionBuilder("run-A", Duration.ofHours(1)).addAll(FtsFixture.tapeFiles("x", 3, 2, false)).build().get(0).sid();
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void checksumsAndUrlsAreCheckedLikeTheServer() {
        assertThat(TransferFile.of("davs://a.example.org/x", "davs://b.example.org/x", "adler32:A1B2", 1L, null).checksum())
                .isEqualTo("ADLER32:0000a1b2");
        assertThat(TransferFile.adler32(0x0a1b2c3dL)).isEqualTo("ADLER32:0a1b2c3d");
        assertThatThrownBy(() -> TransferFile.of("davs://a.example.org/x", "davs://b.example.org/x", "ADLER32:123456789", 1L, null))
                .hasMessageContaining("8 hex");
        assertThatThrownBy(() -> TransferFile.of("file:///data1/x", "davs://b.example.org/x", null, null, null))
                .hasMessageContaining("local files");
        assertThatThrownBy(() -> TransferFile.of("davs://a.example.org", "davs://b.example.org/x", null, null, null))
                .hasMessageContaining("scheme, a host and a path");
        assertThatThrownBy(() -> new TapeSubmissionBuilder("r", Duration.ZERO)).hasMessageContaining("archive_timeout");
        assertThatThrownBy(() -> new TapeSubmissionBuilder.TapeFile("l", "c", 1, "davs://a/x", "davs://b/x", "xyz", 1))
                .hasMessageContaining("hex");
        String big = "x".repeat(5000);
        assertThatThrownBy(() -> TransferFile.of("davs://a.example.org/x", "davs://b.example.org/x", null, null,
                M.createObjectNode().put("big", big))).hasMessageContaining("4096");
    }

    @Test
    void urlsNeverGetDoubleSlashes() {
        assertThat(Http.join(URI.create("https://fts.example.org:8446"), "/jobs", null).toString())
                .isEqualTo("https://fts.example.org:8446/jobs");
        assertThat(Http.join(URI.create("https://fts.example.org:8446/"), "/jobs/a,b", "files=file_state").toString())
                .isEqualTo("https://fts.example.org:8446/jobs/a,b?files=file_state");
        assertThat(Http.join(URI.create("https://fts.example.org:8446//fts//"), "//whoami", null).toString())
                .isEqualTo("https://fts.example.org:8446/fts/whoami");
        assertThat(Http.join(URI.create("https://fts.example.org:8446"), "/", null).toString())
                .isEqualTo("https://fts.example.org:8446/");
    }

    @Test
    void errorBodiesJsonHtmlAndOther() {
        assertThat(Http.serverMessage("{\"status\": \"400 Bad Request\", \"message\": \"No transfers operations specified\"}"
                .getBytes(StandardCharsets.UTF_8), "application/json", null)).isEqualTo("No transfers operations specified");
        String html = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>403 Forbidden</title>\n"
                + "<h1>Forbidden</h1>\n<p>Invalid credentials (&quot;bad&quot;)</p>\n";
        assertThat(Http.serverMessage(html.getBytes(StandardCharsets.UTF_8), "text/html; charset=utf-8", null))
                .isEqualTo("Invalid credentials (\"bad\")");
        assertThat(Http.serverMessage("<html><head><title>502 Proxy Error</title></head><body></body></html>"
                .getBytes(StandardCharsets.UTF_8), "text/html", null)).isEqualTo("502 Proxy Error");
        assertThat(Http.serverMessage("x".repeat(1000).getBytes(StandardCharsets.UTF_8), "text/plain", null)).hasSize(Http.EXCERPT + 1);
        String leaky = "{\"message\": \"bad -----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE----- and Bearer abc.def.ghi\"}";
        assertThat(Http.serverMessage(leaky.getBytes(StandardCharsets.UTF_8), "application/json", null))
                .doesNotContain("MIIB").doesNotContain("abc.def.ghi").contains("<PEM removed>");
        assertThat(Http.serverMessage(new byte[0], null, null)).isNull();
    }
}
