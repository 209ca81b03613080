package org.migdal.dm.security;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProxyLoaderTest {
    @TempDir
    static Path shared;

    static TestPki pki;
    static TestPki.Layout files;

    @TempDir
    Path tmp;

    @BeforeAll
    static void makePki() {
        pki = TestPki.create();
        files = pki.writeAll(shared.resolve("pki"));
    }

    @Test
    void loadsAnRfc3820ProxyWithPkcs1KeyInFileOrder() throws Exception {
        X509Credential c = ProxyLoader.load(files.proxyPkcs1());

        assertThat(Files.readString(files.proxyPkcs1())).contains("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(c.chain()).containsExactly(files.proxy().cert(), files.user().cert());
        assertThat(c.isProxy()).isTrue();
        assertThat(Proxies.isProxy(c.chain().get(1))).isFalse();
        assertThat(c.key().getEncoded()).isEqualTo(files.proxy().key().getEncoded());
        assertThat(c.identity()).isEqualTo("/DC=org/DC=test/CN=Test User");
        assertThat(Proxies.openSslName(c.leaf().getSubjectX500Principal()))
                .isEqualTo("/DC=org/DC=test/CN=Test User/CN=" + files.proxy().cert().getSerialNumber());
        assertThat(c.endEntity()).isEqualTo(files.user().cert());
        assertThat(c.notAfter()).isEqualTo(files.proxy().cert().getNotAfter().toInstant());
        assertThat(c.notAfter()).isBetween(Instant.now().plus(23, ChronoUnit.HOURS), Instant.now().plus(25, ChronoUnit.HOURS));
        assertThat(c.source()).isEqualTo(files.proxyPkcs1());
    }

    @Test
    void loadsTheSameProxyWithPkcs8Key() throws Exception {
        X509Credential c = ProxyLoader.load(files.proxyPkcs8());

        assertThat(Files.readString(files.proxyPkcs8())).contains("-----BEGIN PRIVATE KEY-----")
                .doesNotContain("RSA PRIVATE KEY");
        assertThat(c.chain()).containsExactly(files.proxy().cert(), files.user().cert());
        assertThat(c.key().getEncoded()).isEqualTo(files.proxy().key().getEncoded());
        assertThat(c.identity()).isEqualTo("/DC=org/DC=test/CN=Test User");
    }

    @Test
    void keyMayComeFirstAndChainOrderIsKept() throws Exception {
        Path f = TestPki.writePrivate(tmp.resolve("keyfirst"), TestPki.pemKey(files.proxy().key(), TestPki.KeyFormat.PKCS8)
                + TestPki.pem(files.proxy().cert()) + TestPki.pem(files.user().cert()));

        assertThat(ProxyLoader.load(f).chain()).containsExactly(files.proxy().cert(), files.user().cert());
    }

    @Test
    void timeLeftIsTheMinimumOverTheChainWhenTheUserCertExpiresFirst() throws Exception {
        X509Credential c = ProxyLoader.load(files.userExpiresFirstProxy());

        Instant user = files.shortUser().cert().getNotAfter().toInstant();
        Instant proxy = files.longProxy().cert().getNotAfter().toInstant();
        assertThat(user).isBefore(proxy);
        assertThat(c.leaf().getNotAfter().toInstant()).isEqualTo(proxy);
        assertThat(c.notAfter()).isEqualTo(user);
        assertThat(c.identity()).isEqualTo("/DC=org/DC=test/CN=Short User");
    }

    @Test
    void anExpiredProxyStillLoadsAndShowsItsPastExpiry() throws Exception {
        // refusing expired credentials is the policy's job, not the reader's
        X509Credential c = ProxyLoader.load(files.expiredProxy());

        assertThat(c.notAfter()).isBefore(Instant.now());
        assertThat(c.notAfter()).isEqualTo(files.expired().cert().getNotAfter().toInstant());
    }

    @Test
    void refusesAFileOthersCanReadAndSaysHowToFixIt() {
        CredentialException e = catchThrowableOfType(CredentialException.class, () -> ProxyLoader.load(files.worldReadableProxy()));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("chmod 600 " + files.worldReadableProxy()).contains("group or others");
        assertNoKeyMaterial(e, files.proxy().key());
    }

    @Test
    void refusesAGroupReadableFileToo() throws Exception {
        Path f = Files.copy(files.proxyPkcs1(), tmp.resolve("g"));
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));

        assertThatThrownBy(() -> ProxyLoader.load(f)).isInstanceOf(CredentialException.class).hasMessageContaining("chmod 600");
    }

    @Test
    void refusesAFileOwnedByAnotherUser() throws Exception {
        assertThat(ProxyLoader.currentUid()).as("this test chowns a file to nobody, which needs root").isZero();
        Path f = Files.copy(files.proxyPkcs1(), tmp.resolve("theirs"));
        UserPrincipal nobody = f.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(f, nobody);
        assertThat(Files.getAttribute(f, "unix:uid", LinkOption.NOFOLLOW_LINKS)).isEqualTo(65534);
        assertThat(Files.getPosixFilePermissions(f)).containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        CredentialException e = catchThrowableOfType(CredentialException.class, () -> ProxyLoader.load(f));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("belongs to uid 65534").contains("not to this user").contains(f.toString());
        assertNoKeyMaterial(e, files.proxy().key());
    }

    @Test
    void refusesAMissingFileSayingHowToMakeOne() {
        Path missing = tmp.resolve("x509up_u12345");

        assertThatThrownBy(() -> ProxyLoader.load(missing)).isInstanceOf(CredentialException.class)
                .hasMessageContaining("no proxy file at " + missing).hasMessageContaining("voms-proxy-init");
    }

    @Test
    void refusesAFileWithNoKey() {
        Path f = TestPki.writePrivate(tmp.resolve("nokey"), TestPki.pem(files.proxy().cert()) + TestPki.pem(files.user().cert()));

        assertThatThrownBy(() -> ProxyLoader.load(f)).isInstanceOf(CredentialException.class)
                .hasMessageContaining("no private key");
    }

    @Test
    void refusesAFileWithNoCertificate() {
        Path f = TestPki.writePrivate(tmp.resolve("keyonly"), TestPki.pemKey(files.proxy().key(), TestPki.KeyFormat.PKCS1));

        CredentialException e = catchThrowableOfType(CredentialException.class, () -> ProxyLoader.load(f));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("no certificate");
        assertNoKeyMaterial(e, files.proxy().key());
    }

    @Test
    void refusesAKeyThatDoesNotBelongToTheFirstCertificate() {
        // the user's key next to the proxy certificate: well-formed, but the wrong pair
        Path f = TestPki.writePrivate(tmp.resolve("mismatch"), TestPki.pem(files.proxy().cert())
                + TestPki.pemKey(files.user().key(), TestPki.KeyFormat.PKCS1) + TestPki.pem(files.user().cert()));

        CredentialException e = catchThrowableOfType(CredentialException.class, () -> ProxyLoader.load(f));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("does not belong to the first certificate")
                .contains("/DC=org/DC=test/CN=Test User/CN=");
        assertNoKeyMaterial(e, files.user().key());
    }

    @Test
    void aDamagedKeyGivesAnErrorWithoutTheKeyText() throws Exception {
        String key = TestPki.pemKey(files.proxy().key(), TestPki.KeyFormat.PKCS1);
        String[] lines = key.split("\n");
        // keep the PEM frame, damage the base64 body in the middle so it parses as PEM but not as a key
        StringBuilder damaged = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            damaged.append(i == lines.length / 2 ? "!!!!" + lines[i].substring(4) : lines[i]).append('\n');
        }
        Path f = TestPki.writePrivate(tmp.resolve("damaged"),
                TestPki.pem(files.proxy().cert()) + damaged + TestPki.pem(files.user().cert()));

        CredentialException e = catchThrowableOfType(CredentialException.class, () -> ProxyLoader.load(f));

        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains(f.toString());
        assertNoKeyMaterial(e, files.proxy().key());
        for (int i = 1; i < lines.length - 1; i++) {
            assertThat(fullText(e)).doesNotContain(lines[i].substring(8, 40));
        }
    }

    @Test
    void credentialToStringHidesTheKey() throws Exception {
        X509Credential c = ProxyLoader.load(files.proxyPkcs1());

        assertThat(c.toString()).contains("key <hidden>").contains("/DC=org/DC=test/CN=Test User/CN=");
        assertNoKeyMaterial(c.toString(), files.proxy().key());
    }

    @Test
    void theTestProxiesAreValidForOpenSsl() throws Exception {
        // the same check grid servers make: RFC 3820 proxy -> user cert -> CA dir
        Path proxyCert = Files.writeString(tmp.resolve("proxycert.pem"), TestPki.pem(files.proxy().cert()));
        assertThat(openssl("verify", "-allow_proxy_certs", "-CApath", files.caDir().toString(), "-untrusted",
                files.userCert().toString(), proxyCert.toString())).endsWith(": OK");

        Path expiredCert = Files.writeString(tmp.resolve("expired.pem"), TestPki.pem(files.expired().cert()));
        assertThat(openssl("verify", "-allow_proxy_certs", "-CApath", files.caDir().toString(), "-untrusted",
                files.userCert().toString(), expiredCert.toString())).contains("certificate has expired");

        assertThat(openssl("x509", "-noout", "-text", "-in", proxyCert.toString()))
                .contains("Proxy Certificate Information: critical").contains("Inherit all")
                .contains("sha256WithRSAEncryption");
        Path hashFile = files.caDir().resolve(pki.caHash(tmp) + ".0");
        assertThat(hashFile).exists();
        assertThat(Files.readString(hashFile)).isEqualTo(Files.readString(files.caCert()));
    }

    // ---------------------------------------------------------------- helpers

    /** Neither the PEM text nor any 32-character piece of the key's encoding appears anywhere in the throwable. */
    static void assertNoKeyMaterial(Throwable t, java.security.PrivateKey key) {
        assertNoKeyMaterial(fullText(t), key);
    }

    static void assertNoKeyMaterial(String text, java.security.PrivateKey key) {
        assertThat(text).doesNotContain("PRIVATE KEY");
        for (TestPki.KeyFormat f : TestPki.KeyFormat.values()) {
            for (String line : TestPki.pemKey(key, f).split("\n")) {
                if (!line.startsWith("-----") && line.length() >= 40) {
                    assertThat(text).doesNotContain(line.substring(4, 36));
                }
            }
        }
        String hex = java.util.HexFormat.of().formatHex(key.getEncoded());
        for (int i = 0; i + 32 <= hex.length(); i += 64) {
            assertThat(text.toLowerCase()).doesNotContain(hex.substring(i, i + 32));
        }
    }

    /** Messages, toString and stack traces of the throwable and all its causes. */
    static String fullText(Throwable t) {
        java.io.StringWriter sw = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(sw));
        StringBuilder sb = new StringBuilder(sw.toString());
        List<Throwable> seen = new ArrayList<>();
        for (Throwable c = t; c != null && !seen.contains(c); c = c.getCause()) {
            seen.add(c);
            sb.append('\n').append(c);
        }
        return sb.toString();
    }

    static String openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("openssl finished").isTrue();
        return out;
    }
}
