package org.migdal.dm.fts;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.security.TestPki;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Where the real FTS3 REST server (fts-rest-flask, API 3.13, run locally) answers differently from what the contract
 * server used to say, and the client's reading of those answers: {@code GET /delegation/{another id}} is 403; no VOMS
 * attributes is {@code [""]}; {@code whoami.dn} lists the DN in two forms; absent values are JSON {@code null}, not
 * {@code ""}; file rows carry no {@code retries}. Also: a TLS failure is a failure of the whole FTS server.
 */
@DisplayName("FTS3 client against the contract server speaking the recorded fts-rest-flask 3.13 formats")
class FtsRestFlaskFidelityContractTest {
    @TempDir
    static Path dir;
    static TestPki.Layout pki;
    FtsFixture fx;

    @BeforeAll
    static void pki() {
        pki = TestPki.create().writeAll(dir.resolve("pki"));
    }

    @BeforeEach
    void up() {
        fx = new FtsFixture(pki);
    }

    @AfterEach
    void down() {
        fx.close();
    }

    @Test
    @DisplayName("GET /delegation/{another id} is 403, an authentication failure of the whole server")
    void anotherDelegationIdIsForbidden() throws Exception {
        FtsClient client = fx.x509();
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.delegationInfo("0123456789abcdef"));
        assertThat(e).isNotNull();
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.kind()).isEqualTo(FtsException.Kind.AUTH);
        assertThat(e.isServerWide()).isTrue();
        assertThat(e.getMessage()).contains("The requested ID and the credentials ID do not match");
        // our own id is still readable
        assertThat(client.delegationInfo(client.whoami().delegationId())).isEmpty();
    }

    @Test
    @DisplayName("no VOMS attributes is [\"\"], read as no attributes")
    void noVomsAttributesIsOneEmptyString() throws Exception {
        FtsClient client = fx.x509();
        DelegationStatus st = client.ensureDelegated();
        DelegationInfo info = client.delegationInfo(st.delegationId()).orElseThrow();
        assertThat(info.vomsAttrs()).isEmpty();
    }

    @Test
    @DisplayName("whoami.dn lists the DN as gridsite and as mod_ssl write it; the client uses user_dn")
    void whoamiListsTwoDnForms() throws Exception {
        WhoAmI w = fx.x509().whoami();
        assertThat(w.dn()).hasSize(2);
        assertThat(w.dn().get(0)).startsWith("/").isEqualTo(w.userDn());
        assertThat(w.dn().get(1)).doesNotStartWith("/").contains("CN=");
        assertThat(w.delegationId()).hasSize(16);
    }

    @Test
    @DisplayName("absent values are null and file rows carry no retries: a job and its rows read as before")
    void nullsInsteadOfEmptyStringsAndNoRetries() throws Exception {
        FtsClient client = fx.x509();
        client.ensureDelegated();
        Submission s = new TapeSubmissionBuilder("fidelity", Duration.ofHours(24))
                .addAll(FtsFixture.tapeFiles("fid", 2, 1, false)).build().get(0);
        String id = client.submit(s).jobId();
        Map<String, JobLookup> m = client.jobs(List.of(id), FtsClient.POLL_FILE_FIELDS);
        Job job = m.get(id).job();
        assertThat(job.reason()).isEmpty();
        assertThat(job.files()).hasSize(2).allSatisfy(f -> {
            assertThat(f.reason()).isEmpty();
            assertThat(f.hasReason()).isFalse();
            assertThat(f.fileState()).isEqualTo("SUBMITTED");
        });
        List<JobFile> rows = client.files(id);
        assertThat(rows).hasSize(2).allSatisfy(f -> assertThat(f.reason()).isEmpty());
    }

    @Test
    @DisplayName("a server certificate the grid CAs do not vouch for is a TLS failure of the whole FTS server")
    void tlsFailureIsServerWide() throws Exception {
        TestPki.Layout stranger = TestPki.create("Another CA").writeAll(dir.resolve("other-pki"));
        FtsClient client = FtsClient.create(fx.settings(), new FtsClient.X509Auth(fx.proxy()), stranger.caDir(), false);
        FtsException e = catchThrowableOfType(FtsException.class, client::whoami);
        assertThat(e).isNotNull();
        System.out.println("TLS: " + e.getMessage());
        assertThat(e.kind()).isEqualTo(FtsException.Kind.TLS);
        assertThat(e.isServerWide()).isTrue();
        assertThat(e.getMessage()).contains(fx.uri().getHost()).contains("TLS");
    }
}
