package org.migdal.dm.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.migdal.dm.testinfra.XrootdServer;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 10 defect 5, the wiring: {@link Context#reloadCredentialsIfChanged()} against a real XRootD HTTPS storage that
 * requires a client certificate. A CRL that fetch-crl drops into the CA directory, revoking the server's certificate,
 * is honoured from the next cycle on; a proxy file replaced by another one is the TLS identity from the next cycle on;
 * while nothing changes, the same endpoint (and TLS context) is kept.
 */
class CredentialReloadIT {
    @TempDir
    static Path shared;

    static TestPki pki;
    static TestPki.Layout files;
    static XrootdServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        pki = TestPki.create();
        files = pki.writeAll(shared.resolve("pki"));
        server = XrootdServer.startSecure(new XrootdServer.Tls(files.hostCert(), files.hostKey(), files.caDir(),
                List.of(files.user().openSslSubject())));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Context context(Path proxy, Path caDir) throws Exception {
        Path config = dir.resolve("migdal-dm.yaml");
        Files.writeString(config, String.join("\n",
                "catalog: {url: 'sqlite:" + dir.resolve("catalog.db") + "'}",
                "storage: {disk: '" + server.httpBase() + "/reload', tape: '" + org.migdal.dm.testinfra.Markers.initialised(dir.resolve("tape")).toUri()
                        + "', diskAuth: x509}",
                "credentials: {proxy: '" + proxy + "', certDir: '" + caDir + "', requiredFqan: ''}",
                "lockDir: '" + dir + "'", ""));
        Context ctx = new Context(ConfigLoader.load(config));
        org.migdal.dm.storage.StorageEndpoint unguarded = ctx.unguarded(ctx.config.storage().disk());
        if (!org.migdal.dm.storage.Marker.present(unguarded)) {
            org.migdal.dm.storage.Marker.write(unguarded, "test", java.time.Instant.now());
        }
        return ctx;
    }

    @Test
    void aCrlRevokingTheServerIsHonouredFromTheNextCycleAndNothingIsRebuiltWhileNothingChanges() throws Exception {
        Path caDir = pki.writeCaDir(dir.resolve("certificates"));
        Path proxy = Files.copy(files.proxyPkcs1(), dir.resolve("x509up"));
        try (Context ctx = context(proxy, caDir)) {
            StorageEndpoint first = ctx.disk();
            first.put(new ByteArrayInputStream(new byte[] {1, 2, 3}), 3, "/crl/a.bin", true);
            for (int i = 0; i < 3; i++) {
                assertThat(ctx.reloadCredentialsIfChanged()).as("nothing changed").isFalse();
                assertThat(ctx.disk()).as("the same endpoint while nothing changed").isSameAs(first);
            }

            // fetch-crl writes a CRL that revokes the storage's host certificate
            pki.writeCaDir(caDir, pki.crl(List.of(files.host().cert())));
            assertThat(ctx.reloadCredentialsIfChanged()).isTrue();
            StorageEndpoint revoked = ctx.disk();
            assertThat(revoked).isNotSameAs(first);
            assertThatThrownBy(() -> revoked.stat("/crl/a.bin")).isInstanceOf(StorageException.class)
                    .hasMessageContaining(server.httpBase()).hasMessageContaining("revoked");
            assertThatThrownBy(() -> revoked.put(new ByteArrayInputStream(new byte[] {4}), 1, "/crl/b.bin", true))
                    .isInstanceOf(StorageException.class);
            assertThat(server.dataDir().resolve("reload/crl/b.bin")).doesNotExist();

            // the next CRL no longer lists it
            pki.writeCaDir(caDir, pki.crl(List.of()));
            assertThat(ctx.reloadCredentialsIfChanged()).isTrue();
            assertThat(ctx.disk().stat("/crl/a.bin")).isPresent();
        }
    }

    @Test
    void aReplacedProxyFileIsTheTlsIdentityFromTheNextCycleOn() throws Exception {
        Path caDir = pki.writeCaDir(dir.resolve("certificates"));
        Path proxy = Files.copy(files.proxyPkcs1(), dir.resolve("x509up"));
        try (Context ctx = context(proxy, caDir)) {
            ctx.disk().put(new ByteArrayInputStream(new byte[] {1}), 1, "/proxy/a.bin", true);

            // a proxy of a user the storage does not map: once the file is replaced, the storage must see that user
            TestPki.Issued stranger = pki.userCert("Stranger", java.time.Instant.now().minusSeconds(300),
                    java.time.Instant.now().plusSeconds(86_400));
            pki.writeProxyFile(proxy, pki.proxy(stranger), stranger, TestPki.KeyFormat.PKCS1);
            assertThat(ctx.reloadCredentialsIfChanged()).isTrue();
            assertThatThrownBy(() -> ctx.disk().put(new ByteArrayInputStream(new byte[] {2}), 1, "/proxy/b.bin", true))
                    .isInstanceOf(StorageException.class).hasMessageContaining(server.httpBase());
            assertThat(server.dataDir().resolve("reload/proxy/b.bin")).doesNotExist();

            // and the user's renewed proxy works again, without a new Context
            pki.writeProxyFile(proxy, pki.proxy(files.user()), files.user(), TestPki.KeyFormat.PKCS1);
            assertThat(ctx.reloadCredentialsIfChanged()).isTrue();
            ctx.disk().put(new ByteArrayInputStream(new byte[] {3}), 1, "/proxy/c.bin", true);
            assertThat(server.dataDir().resolve("reload/proxy/c.bin")).hasBinaryContent(new byte[] {3});
        }
    }
}
