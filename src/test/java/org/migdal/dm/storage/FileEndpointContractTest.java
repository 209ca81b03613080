package org.migdal.dm.storage;

import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/** The storage contract on {@code file://} (a local folder, as a dCache NFS mount is). */
class FileEndpointContractTest extends StorageContract {
    @TempDir
    Path dir;

    @Override
    StorageEndpoint endpoint() {
        return new FileEndpoint(dir.toUri());
    }
}
