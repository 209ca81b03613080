package org.migdal.dm.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.security.ProxyLoader;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.security.TlsContexts;
import org.migdal.dm.testinfra.XrootdServer;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The storage contract on {@code davs://} (HTTPS/WebDAV) against a real XRootD 5 server on loopback that requires a
 * client certificate: the test's RFC 3820 proxy is presented, the server is verified against the test CA directory.
 */
class DavEndpointStorageContractIT extends StorageContract {
    @TempDir
    static Path shared;
    private static XrootdServer server;
    private static DavEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        TestPki.Layout pki = TestPki.create().writeAll(shared.resolve("pki"));
        server = XrootdServer.startSecure(new XrootdServer.Tls(pki.hostCert(), pki.hostKey(), pki.caDir(),
                List.of(pki.user().openSslSubject())));
        endpoint = new DavEndpoint(URI.create(server.httpBase().replace("https://", "davs://") + "/migdal/disk"),
                new StorageAuth(Optional.of(TlsContexts.create(Optional.of(ProxyLoader.load(pki.proxyPkcs1())), pki.caDir(), false)),
                        Optional.of(pki.proxyPkcs1()), Optional.of(pki.caDir()), Optional.empty()));
    }

    @AfterAll
    static void stop() {
        if (server != null && !server.isAlive()) {
            System.err.println("XRootD test server died; its log:\n" + server.log());
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    StorageEndpoint endpoint() {
        return endpoint;
    }

    @Override
    void setModified(String path, java.time.Instant when) throws java.io.IOException {
        java.nio.file.Files.setLastModifiedTime(server.dataDir().resolve("migdal/disk" + path),
                java.nio.file.attribute.FileTime.from(when));
    }
}
