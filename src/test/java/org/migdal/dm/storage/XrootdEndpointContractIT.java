package org.migdal.dm.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.migdal.dm.testinfra.XrootdServer;

import java.net.URI;

/** The storage contract on {@code root://} against a real XRootD 5 server on loopback. */
class XrootdEndpointContractIT extends StorageContract {
    private static XrootdServer server;
    private static XrootdEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        server = XrootdServer.startPlain();
        endpoint = new XrootdEndpoint(URI.create(server.rootBase() + "//migdal/disk"), StorageAuth.none());
    }

    @AfterAll
    static void stop() {
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
