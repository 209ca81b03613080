package org.migdal.dm.storage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.migdal.dm.testinfra.XrootdServer;

import java.net.URI;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link StorageWalk} over {@code root://} ({@code xrdfs ls -l}) against a real XRootD server: the same tree as on file://. */
class StorageWalkIT {
    private static XrootdServer server;
    private static XrootdEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        server = XrootdServer.startPlain();
        endpoint = new XrootdEndpoint(URI.create(server.rootBase() + "//migdal/walk"), StorageAuth.none());
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theWalkOverXrootdSeesEveryFolderOnceInNameOrderWithSizes() throws Exception {
        String top = "/t-" + UUID.randomUUID();
        Path dir = server.dataDir().resolve("migdal/walk" + top);
        StorageWalkTest.tree(dir);

        StorageWalkTest.Seen seen = StorageWalkTest.walk(endpoint, top);

        assertThat(seen.folders()).containsExactlyEntriesOf(StorageWalkTest.expected(top));
        assertThat(seen.problems()).isEmpty();
    }

    @Test
    void theWalkFromTheBaseFindsTheSameTreeAndAMissingBaseThrows() throws Exception {
        String top = "/u-" + UUID.randomUUID();
        StorageWalkTest.tree(server.dataDir().resolve("migdal/walk" + top));

        StorageWalkTest.Seen seen = StorageWalkTest.walk(endpoint, "/");

        assertThat(seen.folders()).containsKey("/").containsAllEntriesOf(StorageWalkTest.expected(top));
        XrootdEndpoint nowhere = new XrootdEndpoint(URI.create(server.rootBase() + "//migdal/nowhere-" + UUID.randomUUID()),
                StorageAuth.none());
        try (nowhere) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> StorageWalkTest.walk(nowhere, "/"))
                    .isInstanceOf(StorageException.class).hasMessageContaining("nowhere-");
        }
    }
}
