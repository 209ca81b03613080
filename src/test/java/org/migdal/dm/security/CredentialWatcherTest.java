package org.migdal.dm.security;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.config.MigdalConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CredentialWatcher}: a change of the proxy file, a token file, or the CA directory (a new or refreshed CRL, a CA
 * added) is seen once, and counted as one reload; nothing is reported, and nothing reloaded, while nothing changes.
 */
class CredentialWatcherTest {
    @TempDir
    static Path shared;

    static TestPki pki;
    static TestPki.Layout files;

    @TempDir
    Path dir;

    Path proxy;
    Path caDir;
    Path tokenFile;
    CredentialStore store;
    CredentialWatcher watcher;

    @BeforeAll
    static void pki() {
        pki = TestPki.create();
        files = pki.writeAll(shared.resolve("pki"));
    }

    @BeforeEach
    void setUp() throws Exception {
        proxy = Files.copy(files.proxyPkcs1(), dir.resolve("x509up"));
        caDir = pki.writeCaDir(dir.resolve("certificates"));
        tokenFile = TestPki.writePrivate(dir.resolve("token"), "a.b.c");
        store = new CredentialStore(new MigdalConfig.Credentials(proxy.toString(), caDir.toString(), false, "",
                null, null), Map.of("BEARER_TOKEN_FILE", tokenFile.toString()), Clock.systemUTC());
        assertThat(store.files()).containsExactly(proxy, tokenFile, caDir);
        watcher = new CredentialWatcher(store);
    }

    @Test
    void nothingChangedNothingReloaded() throws Exception {
        ProxyLoader.load(proxy); // reading the files changes nothing
        for (int i = 0; i < 5; i++) {
            assertThat(watcher.changed()).isEmpty();
        }
        assertThat(watcher.reloads()).isZero();
    }

    @Test
    void aProxyReplacedByARenewedOneIsSeenOnceAndCountedOnce() {
        pki.writeProxyFile(proxy, pki.proxy(files.user()), files.user(), TestPki.KeyFormat.PKCS1); // a new file, as voms-proxy-init makes

        assertThat(watcher.changed()).containsExactly(proxy);
        assertThat(watcher.changed()).isEmpty();
        assertThat(watcher.reloads()).isEqualTo(1);
    }

    @Test
    void aProxyRewrittenInPlaceWithTheSameSizeIsSeen() throws Exception {
        byte[] same = Files.readAllBytes(proxy);
        Files.write(proxy, same, StandardOpenOption.TRUNCATE_EXISTING); // same inode, same size: only the times differ

        assertThat(watcher.changed()).containsExactly(proxy);
        assertThat(watcher.reloads()).isEqualTo(1);
    }

    @Test
    void aProxyMadeReadableByOthersIsSeenSoThatItIsCheckedAgain() throws Exception {
        Files.setPosixFilePermissions(proxy, PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(watcher.changed()).containsExactly(proxy);
    }

    @Test
    void aProxyThatAppearsOrDisappearsIsSeen() throws Exception {
        Files.delete(proxy);
        assertThat(watcher.changed()).containsExactly(proxy);
        pki.writeProxyFile(proxy, pki.proxy(files.user()), files.user(), TestPki.KeyFormat.PKCS1);
        assertThat(watcher.changed()).containsExactly(proxy);
        assertThat(watcher.reloads()).isEqualTo(2);
    }

    @Test
    void aNewCrlInTheCaDirectoryAndThenARefreshedOneAreSeen() {
        pki.writeCaDir(caDir, pki.crl(List.of(files.host().cert())));
        Path crl = caDir.resolve(pki.caHash(dir) + ".r0");

        assertThat(watcher.changed()).contains(crl);
        assertThat(watcher.changed()).isEmpty();

        pki.writeCaDir(caDir, pki.crl(List.of())); // fetch-crl writes a newer CRL
        assertThat(watcher.changed()).contains(crl);
        assertThat(watcher.reloads()).isEqualTo(2);
    }

    @Test
    void aCaAddedToTheDirectoryIsSeen() {
        TestPki.create("Other CA").writeCaDir(caDir);

        assertThat(watcher.changed()).isNotEmpty();
        assertThat(watcher.reloads()).isEqualTo(1);
    }

    @Test
    void aNewTokenIsSeen() throws Exception {
        Files.writeString(tokenFile, "d.e.f", StandardCharsets.US_ASCII);

        assertThat(watcher.changed()).containsExactly(tokenFile);
    }

    @Test
    void theStoreReadsTheProxyAgainOnlyWhenItsFileChanged() throws Exception {
        X509Credential first = store.loadProxy();
        assertThat(store.loadProxy()).as("unchanged: not read again").isSameAs(first);

        TestPki.Issued renewed = pki.proxy(files.user());
        pki.writeProxyFile(proxy, renewed, files.user(), TestPki.KeyFormat.PKCS1);
        X509Credential second = store.loadProxy();
        assertThat(second).isNotSameAs(first);
        assertThat(second.leaf()).isEqualTo(renewed.cert());
        assertThat(store.loadProxy()).isSameAs(second);

        // a chmod is a change too: the file's safety is checked again, and the proxy refused
        Files.setPosixFilePermissions(proxy, PosixFilePermissions.fromString("rw-r--r--"));
        org.assertj.core.api.Assertions.assertThatThrownBy(store::loadProxy).isInstanceOf(CredentialException.class)
                .hasMessageContaining("chmod 600 " + proxy);
        Files.delete(proxy);
        org.assertj.core.api.Assertions.assertThatThrownBy(store::loadProxy).isInstanceOf(CredentialException.class)
                .hasMessageContaining("no proxy file at " + proxy);
    }

    @Test
    void theFingerprintHoldsPathsAndStatValuesOnlyNeverTheContents() throws Exception {
        String text = watcher.fingerprint().toString();

        assertThat(text).contains(proxy.toString()).doesNotContain("PRIVATE KEY").doesNotContain("a.b.c")
                .doesNotContain("BEGIN");
    }
}
