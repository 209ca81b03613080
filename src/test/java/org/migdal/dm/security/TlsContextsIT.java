package org.migdal.dm.security;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.testinfra.XrootdServer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link TlsContexts} against a real XRootD HTTPS server on localhost that requires a client certificate and lets only
 * the grid-mapped test user in (testinfra §4a). Each refusal case also checks that the server stored nothing.
 */
class TlsContextsIT {
    @TempDir
    static Path shared;

    static TestPki pki;
    static TestPki.Layout files;
    static XrootdServer server;
    static X509Credential proxy;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        files = pki.writeAll(shared.resolve("pki"));
        proxy = ProxyLoader.load(files.proxyPkcs1());
        server = XrootdServer.startSecure(new XrootdServer.Tls(files.hostCert(), files.hostKey(), files.caDir(),
                List.of(files.user().openSslSubject())));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // ---------------------------------------------------------------- accepted

    @Test
    void putWithTheProxyThenHeadReturnsTheRightAdler32() throws Exception {
        byte[] data = randomBytes(3 * 1024 * 1024 + 17);
        HttpClient http = client(TlsContexts.create(Optional.of(proxy), files.caDir(), false));

        HttpResponse<String> put = http.send(put("/tls/ok/a.bin", data), HttpResponse.BodyHandlers.ofString());

        assertThat(put.statusCode()).as("PUT status, body %s", put.body()).isEqualTo(200);
        assertThat(server.dataDir().resolve("tls/ok/a.bin")).hasBinaryContent(data);
        HttpResponse<Void> head = http.send(HttpRequest.newBuilder(uri("/tls/ok/a.bin")).timeout(Duration.ofSeconds(60))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Want-Digest", "adler32").build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(head.statusCode()).isEqualTo(200);
        String digest = head.headers().firstValue("Digest").orElseThrow(() -> new AssertionError("no Digest header: " + head.headers()));
        assertThat(digest).isEqualToIgnoringCase("adler32=" + adler32(data));
        assertThat(server.log()).contains("login as " + XrootdServer.MAPPED_USER);
    }

    @Test
    void pkcs8ProxyAndSystemTrustTooAlsoWork() throws Exception {
        X509Credential pkcs8 = ProxyLoader.load(files.proxyPkcs8());
        HttpClient http = client(TlsContexts.create(Optional.of(pkcs8), files.caDir(), true));

        HttpResponse<String> put = http.send(put("/tls/ok/b.bin", new byte[] {1, 2, 3}), HttpResponse.BodyHandlers.ofString());

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(server.dataDir().resolve("tls/ok/b.bin")).hasBinaryContent(new byte[] {1, 2, 3});
    }

    @Test
    void aCrlThatRevokesSomethingElseChangesNothing() throws Exception {
        // a CA dir with a CRL, as fetch-crl leaves it; the host cert is not in it
        Path caDir = pki.writeCaDir(tmp.resolve("crl-other"), pki.crl(List.of(files.user().cert(), files.wrongHost().cert())));
        assertThat(caDir.resolve(pki.caHash(tmp) + ".r0")).exists();
        HttpClient http = client(TlsContexts.create(Optional.of(proxy), caDir, false));

        HttpResponse<String> put = http.send(put("/tls/ok/c.bin", new byte[] {4}), HttpResponse.BodyHandlers.ofString());

        assertThat(put.statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- refused by the server

    @Test
    void withoutAClientCertificateTheServerRefuses() throws Exception {
        HttpClient http = client(TlsContexts.create(Optional.empty(), files.caDir(), false));

        String outcome = refusedOrStatus(http, put("/tls/anon/a.bin", new byte[] {1}));

        report("no client certificate", outcome);
        assertThat(outcome).matches("HTTP 403.*|refused: .*");
        assertThat(server.dataDir().resolve("tls/anon/a.bin")).doesNotExist();
    }

    @Test
    void anExpiredProxyIsRefusedByTheServer() throws Exception {
        X509Credential expired = ProxyLoader.load(files.expiredProxy());
        assertThat(expired.notAfter()).isBefore(Instant.now());
        HttpClient http = client(TlsContexts.create(Optional.of(expired), files.caDir(), false));

        String outcome = refusedOrStatus(http, put("/tls/expired/a.bin", new byte[] {1}));

        report("expired proxy", outcome);
        assertThat(outcome).matches("HTTP 403.*|refused: .*");
        assertThat(server.dataDir().resolve("tls/expired/a.bin")).doesNotExist();
    }

    // ---------------------------------------------------------------- refused by our client

    @Test
    void aTrustDirWithAnotherCaFailsTheHandshake() throws Exception {
        // same CA name, different key: found by name, refused by signature
        Path sameName = TestPki.create().writeCaDir(tmp.resolve("impostor-ca"));
        Path otherName = TestPki.create("Other CA").writeCaDir(tmp.resolve("other-ca"));
        for (Path caDir : List.of(sameName, otherName)) {
            HttpClient http = client(TlsContexts.create(Optional.of(proxy), caDir, false));

            Throwable t = catchSend(http, put("/tls/wrongca/a.bin", new byte[] {1}));

            report("trust dir " + caDir.getFileName(), describe(t));
            assertThat(t).isInstanceOf(SSLHandshakeException.class);
            assertThat(causes(t)).anyMatch(c -> c instanceof java.security.cert.CertPathBuilderException
                    || c instanceof java.security.cert.CertPathValidatorException);
        }
        // system trust does not trust a throwaway CA either
        HttpClient http = client(TlsContexts.create(Optional.of(proxy), tmp.resolve("no-such-dir"), true));
        assertThat(catchSend(http, put("/tls/wrongca/b.bin", new byte[] {1}))).isInstanceOf(SSLHandshakeException.class);
        assertThat(server.dataDir().resolve("tls/wrongca")).doesNotExist();
    }

    @Test
    void aServerCertificateForAnotherHostNameIsRefused() throws Exception {
        try (XrootdServer wrong = XrootdServer.startSecure(new XrootdServer.Tls(files.wrongHostCert(), files.wrongHostKey(),
                files.caDir(), List.of(files.user().openSslSubject())))) {
            SSLContext ctx = TlsContexts.create(Optional.of(proxy), files.caDir(), false);

            Throwable t = catchSend(client(ctx), HttpRequest.newBuilder(URI.create("https://localhost:" + wrong.httpPort() + "/h/a.bin"))
                    .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1})).build());

            report("server cert for otherhost.invalid", describe(t));
            assertThat(t).isInstanceOf(SSLHandshakeException.class);
            assertThat(fullMessages(t)).contains("localhost");
            assertThat(causes(t)).anyMatch(c -> c instanceof java.security.cert.CertificateException
                    && String.valueOf(c.getMessage()).contains("No subject alternative DNS name matching localhost"));
            assertThat(wrong.dataDir().resolve("h/a.bin")).doesNotExist();

            // control: the chain itself is trusted; only the name is wrong. A bare SSLSocket (no endpoint
            // identification) completes the handshake and sees the otherhost.invalid certificate.
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.connect(new InetSocketAddress("127.0.0.1", wrong.httpPort()), 5000);
                s.setSoTimeout(10000);
                s.startHandshake();
                X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
                assertThat(peer).isEqualTo(files.wrongHost().cert());
            }
            // and the parameters every client must use make that same socket refuse it
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
                s.setSSLParameters(TlsContexts.parameters());
                s.connect(new InetSocketAddress("localhost", wrong.httpPort()), 5000);
                s.setSoTimeout(10000);
                assertThatThrownBy(s::startHandshake).isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("No subject alternative DNS name matching localhost");
            }
        }
    }

    @Test
    void aRevokedHostCertificateIsRefused() throws Exception {
        Path caDir = pki.writeCaDir(tmp.resolve("crl-host"), pki.crl(List.of(files.host().cert())));
        HttpClient http = client(TlsContexts.create(Optional.of(proxy), caDir, false));

        Throwable t = catchSend(http, put("/tls/revoked/a.bin", new byte[] {1}));

        report("host cert revoked in <hash>.r0", describe(t));
        assertThat(t).isInstanceOf(SSLHandshakeException.class);
        assertThat(fullMessages(t)).contains("revoked");
        assertThat(server.dataDir().resolve("tls/revoked")).doesNotExist();
    }

    @Test
    void aStaleCrlStillRevokes() throws Exception {
        Instant now = Instant.now();
        Path caDir = pki.writeCaDir(tmp.resolve("crl-stale"),
                pki.crl(List.of(files.host().cert()), now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(3))));
        HttpClient http = client(TlsContexts.create(Optional.of(proxy), caDir, false));

        Throwable t = catchSend(http, put("/tls/revoked/b.bin", new byte[] {1}));

        assertThat(t).isInstanceOf(SSLHandshakeException.class);
        assertThat(fullMessages(t)).contains("revoked");
    }

    @Test
    void aCrlNotSignedByItsCaFailsClosed() throws Exception {
        // a CRL claiming to be from "Test CA" but signed by another key: it must not be trusted, nor ignored
        TestPki impostor = TestPki.create();
        Path caDir = pki.writeCaDir(tmp.resolve("crl-forged"));
        Files.writeString(caDir.resolve(pki.caHash(tmp) + ".r0"), TestPki.pem(impostor.crl(List.of())));
        HttpClient http = client(TlsContexts.create(Optional.of(proxy), caDir, false));

        Throwable t = catchSend(http, put("/tls/forged/a.bin", new byte[] {1}));

        report("CRL with a bad signature", describe(t));
        assertThat(t).isInstanceOf(SSLHandshakeException.class);
        assertThat(fullMessages(t)).contains("is not signed by the CA /DC=org/DC=test/CN=Test CA");
    }

    // ---------------------------------------------------------------- no server needed

    @Test
    void caDirComesFromConfigThenEnvironmentThenTheGridDefault() {
        assertThat(TlsContexts.caDir(Optional.of("/conf/certs"), Map.of("X509_CERT_DIR", "/env/certs")))
                .isEqualTo(Path.of("/conf/certs"));
        assertThat(TlsContexts.caDir(Optional.empty(), Map.of("X509_CERT_DIR", "/env/certs"))).isEqualTo(Path.of("/env/certs"));
        assertThat(TlsContexts.caDir(Optional.of(" "), Map.of("X509_CERT_DIR", ""))).isEqualTo(Path.of("/etc/grid-security/certificates"));
        assertThat(TlsContexts.caDir(Optional.empty(), Map.of())).isEqualTo(TlsContexts.DEFAULT_CA_DIR);
    }

    @Test
    void aMissingOrEmptyCaDirIsACredentialErrorThatSaysWhatToDo() throws Exception {
        assertThatThrownBy(() -> TlsContexts.create(Optional.of(proxy), tmp.resolve("missing"), false))
                .isInstanceOf(CredentialException.class).hasMessageContaining("does not exist").hasMessageContaining("X509_CERT_DIR");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("README"), "not a CA");
        assertThatThrownBy(() -> TlsContexts.create(Optional.empty(), empty, false))
                .isInstanceOf(CredentialException.class).hasMessageContaining("no CA certificates");
    }

    @Test
    void parametersAlwaysVerifyHostNames() {
        assertThat(TlsContexts.parameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(TlsContexts.parameters()).isNotSameAs(TlsContexts.parameters());
    }

    // ---------------------------------------------------------------- helpers

    private static HttpClient client(SSLContext ctx) {
        return HttpClient.newBuilder().sslContext(ctx).sslParameters(TlsContexts.parameters())
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static URI uri(String path) {
        return URI.create(server.httpBase() + path);
    }

    private static HttpRequest put(String path, byte[] data) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(data)).build();
    }

    /** "HTTP <status> <body>" if the server answered, else "refused: <exception>". */
    private static String refusedOrStatus(HttpClient http, HttpRequest req) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            return "HTTP " + r.statusCode() + " " + r.body().strip();
        } catch (IOException e) {
            return "refused: " + describe(e);
        }
    }

    private static Throwable catchSend(HttpClient http, HttpRequest req) throws InterruptedException {
        try {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            return fail("expected the request to fail, got HTTP " + r.statusCode() + " " + r.body());
        } catch (IOException e) {
            return e;
        }
    }

    private static List<Throwable> causes(Throwable t) {
        List<Throwable> out = new ArrayList<>();
        for (Throwable c = t; c != null && !out.contains(c); c = c.getCause()) {
            out.add(c);
        }
        return out;
    }

    private static String fullMessages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c : causes(t)) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + ": " + t.getMessage() + (t.getCause() != null && t.getCause() != t
                ? " <- " + describe(t.getCause()) : "");
    }

    private static void report(String scenario, String outcome) {
        System.out.println("[TlsContextsIT] " + scenario + " -> " + outcome);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    private static String adler32(byte[] data) {
        Adler32 a = new Adler32();
        a.update(data);
        return String.format("%08x", a.getValue());
    }
}
