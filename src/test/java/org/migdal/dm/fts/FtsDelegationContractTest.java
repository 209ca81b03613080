package org.migdal.dm.fts;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.security.X509Credential;

import java.io.StringWriter;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * X509 proxy delegation end to end (reference §5): the contract server issues a CSR from a key it keeps, the client
 * signs an RFC 3820 proxy with its proxy key, uploads proxy + chain, and this test verifies the uploaded chain with
 * BouncyCastle. FTS3 cannot run here, so the server is {@link FtsContractServer}, which answers in the exact formats of
 * the reference and applies the reference's checks to the upload; the 419 replies on submission are exercised too.
 */
class FtsDelegationContractTest {
    @TempDir
    static Path dir;
    static TestPki.Layout pki;
    FtsFixture fx;

    @BeforeAll
    static void pki() {
        pki = TestPki.create().writeAll(dir);
    }

    @BeforeEach
    void up() {
        fx = new FtsFixture(pki); // a fresh server (no delegation, no jobs) for each test
    }

    @AfterEach
    void down() {
        fx.close();
    }

    @Test
    void delegationEndToEndProducesAValidRfc3820Proxy() throws Exception {
        FtsClient client = fx.x509();
        X509Credential cred = fx.proxy();
        String dlg = client.whoami().delegationId();
        assertThat(client.delegationInfo(dlg)).isEmpty(); // the server answers `null`

        Instant before = Instant.now().minusSeconds(1);
        DelegationStatus st = client.ensureDelegated(Duration.ofHours(72), Duration.ofHours(2));
        assertThat(st.delegated()).isTrue();
        assertThat(st.delegationId()).isEqualTo(dlg);
        assertThat(st.cappedByChain()).isTrue(); // the test proxy lives 24 h < 72 h

        List<X509Certificate> up = fx.server.lastUploadedChain();
        assertThat(up).hasSize(1 + cred.chain().size());
        assertThat(up.subList(1, up.size())).containsExactlyElementsOf(cred.chain());
        assertThat(fx.server.lastUploadBody()).doesNotContain("PRIVATE KEY").startsWith("-----BEGIN CERTIFICATE-----");

        X509Certificate proxy = up.get(0);
        X509CertificateHolder h = new JcaX509CertificateHolder(proxy);
        X509Certificate signer = cred.leaf();
        // signed by the client's proxy key, sha256WithRSA, version 3
        assertThat(h.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer.getPublicKey()))).isTrue();
        assertThat(proxy.getSigAlgName()).isEqualToIgnoringCase("SHA256withRSA");
        assertThat(proxy.getVersion()).isEqualTo(3);
        assertThat(proxy.getSerialNumber()).isEqualTo(signer.getSerialNumber());
        // issuer = signer's subject; subject = issuer + CN=<unix seconds>
        assertThat(proxy.getIssuerX500Principal()).isEqualTo(signer.getSubjectX500Principal());
        X500Name subject = h.getSubject();
        RDN[] s = subject.getRDNs();
        RDN[] i = h.getIssuer().getRDNs();
        assertThat(s).hasSize(i.length + 1);
        for (int k = 0; k < i.length; k++) {
            assertThat(s[k]).isEqualTo(i[k]);
        }
        assertThat(s[s.length - 1].getFirst().getType()).isEqualTo(BCStyle.CN);
        long cn = Long.parseLong(s[s.length - 1].getFirst().getValue().toString());
        assertThat(cn).isBetween(before.getEpochSecond(), Instant.now().getEpochSecond());
        // extensions
        Extension pci = h.getExtension(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.14"));
        assertThat(pci).isNotNull();
        assertThat(pci.isCritical()).isTrue();
        ASN1Sequence info = ASN1Sequence.getInstance(pci.getParsedValue());
        assertThat(info.size()).isEqualTo(1); // no path length
        ASN1Sequence policy = ASN1Sequence.getInstance(info.getObjectAt(0));
        assertThat(policy.getObjectAt(0)).isEqualTo(new ASN1ObjectIdentifier("1.3.6.1.5.5.7.21.1"));
        assertThat(h.getExtension(Extension.basicConstraints).isCritical()).isTrue();
        assertThat(proxy.getBasicConstraints()).isEqualTo(-1);
        assertThat(h.getExtension(Extension.keyUsage).isCritical()).isTrue();
        assertThat(KeyUsage.fromExtensions(h.getExtensions()).hasUsages(KeyUsage.digitalSignature | KeyUsage.keyEncipherment)).isTrue();
        assertThat(KeyUsage.fromExtensions(h.getExtensions()).hasUsages(KeyUsage.keyCertSign)).isFalse();
        assertThat(h.getExtension(Extension.authorityKeyIdentifier)).isNotNull();
        assertThat(h.getExtension(Extension.authorityKeyIdentifier).isCritical()).isFalse();
        // lifetime capped by the chain; public key = the CSR's
        assertThat(proxy.getNotAfter().toInstant()).isBeforeOrEqualTo(cred.notAfter());
        assertThat(proxy.getNotBefore().toInstant()).isAfterOrEqualTo(before.minusSeconds(1));
        assertThat(proxy.getPublicKey()).isEqualTo(fx.server.csrPublicKey(dlg));
        // the whole chain: each certificate signed by the next
        for (int k = 0; k + 1 < up.size(); k++) {
            up.get(k).verify(up.get(k + 1).getPublicKey());
        }
        // the server stored the minimum notAfter of the chain, and the client read it back
        Instant min = up.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
        assertThat(fx.server.delegationEnd(dlg)).hasValue(min);
        assertThat(st.terminationTime()).isEqualTo(min);
        assertThat(client.delegationInfo(dlg).orElseThrow().terminationTime()).isEqualTo(min);
    }

    @Test
    void ensureDelegatedRenewsOnlyWhenAbsentExpiredOrUnderTwoHours() throws Exception {
        FtsClient client = fx.x509();
        String dlg = client.whoami().delegationId();
        assertThat(client.ensureDelegated().delegated()).isTrue();
        fx.server.resetCounts();
        assertThat(client.ensureDelegated().delegated()).isFalse();
        assertThat(fx.server.requests("PUT /delegation")).isZero();

        fx.server.setDelegation(dlg, Instant.now().plus(Duration.ofMinutes(90)));
        assertThat(client.ensureDelegated().delegated()).isTrue();
        fx.server.setDelegation(dlg, Instant.now().minus(Duration.ofHours(1)));
        assertThat(client.ensureDelegated().delegated()).isTrue();
        fx.server.setDelegation(dlg, Instant.now().plus(Duration.ofHours(3)));
        assertThat(client.ensureDelegated().delegated()).isFalse();
        assertThat(fx.server.requests("PUT /delegation")).isEqualTo(2);
        assertThat(fx.server.requests("GET /delegation")).isGreaterThanOrEqualTo(5);
    }

    @Test
    void missingDelegationGives419AndTheClientDelegatesAndRetriesOnce() throws Exception {
        FtsClient strict = fx.x509(fx.settings().withDelegateOn419(false), fx.pki.proxyPkcs1());
        Submission s = new TapeSubmissionBuilder("run-419", Duration.ofHours(24))
                .addAll(FtsFixture.tapeFiles("run-419", 2, 1, false)).build().get(0);
        FtsException e = catchThrowableOfType(FtsException.class, () -> strict.submit(s));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.DELEGATION);
        assertThat(e.status()).isEqualTo(419);
        assertThat(e.serverMessage()).hasValue("No delegation found for \"" + FtsFixture.USER_DN + "\"");

        String dlg = strict.whoami().delegationId();
        fx.server.setDelegation(dlg, Instant.now().minusSeconds(100));
        FtsException expired = catchThrowableOfType(FtsException.class, () -> strict.submit(s));
        assertThat(expired.serverMessage().orElseThrow()).matches("The delegated credentials expired \\d+ seconds ago \\(" + dlg + "\\)");
        assertThat(fx.server.jobCount()).isZero();

        FtsClient auto = fx.x509();
        fx.server.resetCounts();
        SubmitResult r = auto.submit(s);
        assertThat(r.outcome()).isEqualTo(SubmitResult.Outcome.SUBMITTED);
        assertThat(fx.server.requests("PUT /delegation")).isEqualTo(1);
        assertThat(fx.server.requests("POST /jobs")).isEqualTo(2);
        assertThat(fx.server.jobCount()).isEqualTo(1);
    }

    @Test
    void aChainEndingWithinAnHourCannotSubmit() throws Exception {
        FtsClient shortLived = fx.x509(fx.settings(), fx.pki.userExpiresFirstProxy());
        DelegationStatus st = shortLived.ensureDelegated();
        assertThat(st.delegated()).isTrue();
        assertThat(st.cappedByChain()).isTrue();
        assertThat(st.terminationTime()).isBefore(Instant.now().plus(Duration.ofHours(1)));
        Submission s = new TapeSubmissionBuilder("run-short", Duration.ofHours(24))
                .addAll(FtsFixture.tapeFiles("run-short", 1, 1, false)).build().get(0);
        FtsException e = catchThrowableOfType(FtsException.class, () -> shortLived.submit(s));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.DELEGATION);
        assertThat(e.serverMessage().orElseThrow()).startsWith("The delegated credentials has less than one hour left (");
        assertThat(fx.server.jobCount()).isZero();
    }

    @Test
    void theServerRefusesAProxyForAnotherKey() throws Exception {
        FtsClient client = fx.x509();
        X509Credential cred = fx.proxy();
        String dlg = client.whoami().delegationId();
        client.delegationRequest(dlg); // the server now caches its key
        var g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        var other = g.generateKeyPair();
        PKCS10CertificationRequest foreign = new JcaPKCS10CertificationRequestBuilder(new X500Name("O=Dummy"), other.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(other.getPrivate()));
        X509Certificate wrong = ProxyDelegation.sign(cred, foreign, Duration.ofHours(12), Instant.now()).certificate();
        FtsException e = catchThrowableOfType(FtsException.class, () -> client.putCredential(dlg, ProxyDelegation.chainPem(wrong, cred.chain())));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.BAD_REQUEST);
        assertThat(e.serverMessage().orElseThrow()).startsWith("Could not process the proxy: ");
        assertThat(fx.server.delegationEnd(dlg)).isEmpty();
    }

    @Test
    void aCsrWithABadSignatureIsRefused() throws Exception {
        var g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        var a = g.generateKeyPair();
        var b = g.generateKeyPair();
        PKCS10CertificationRequest good = new JcaPKCS10CertificationRequestBuilder(new X500Name("O=Dummy"), a.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(a.getPrivate()));
        assertThat(ProxyDelegation.parseAndVerifyCsr(pem(good)).getSubjectPublicKeyInfo()).isEqualTo(good.getSubjectPublicKeyInfo());
        PKCS10CertificationRequest forged = new JcaPKCS10CertificationRequestBuilder(new X500Name("O=Dummy"), a.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(b.getPrivate()));
        assertThatThrownBy(() -> ProxyDelegation.parseAndVerifyCsr(pem(forged)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("self-signature");
        assertThatThrownBy(() -> ProxyDelegation.parseAndVerifyCsr("not a csr")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenUsersCannotDelegate() throws Exception {
        String jwt = FtsFixture.jwt("tok-dlg");
        fx.server.acceptToken(jwt, "https://iam.example.org/", "tok-dlg");
        FtsClient t = fx.token(jwt);
        FtsException e = catchThrowableOfType(FtsException.class, () -> t.delegate(Duration.ofHours(1)));
        assertThat(e.kind()).isEqualTo(FtsException.Kind.AUTH);
        assertThat(e.getMessage()).contains("Certificate required");
        FtsException server = catchThrowableOfType(FtsException.class, () -> t.delegationRequest(t.whoami().delegationId()));
        assertThat(server.kind()).isEqualTo(FtsException.Kind.AUTH);
        assertThat(server.serverMessage()).hasValue("Certificate required");
    }

    private static String pem(Object o) throws Exception {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }
}
