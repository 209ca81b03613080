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

    @Override
    void setModified(String path, java.time.Instant when) throws java.io.IOException {
        java.nio.file.Files.setLastModifiedTime(dir.resolve(path.substring(1)), java.nio.file.attribute.FileTime.from(when));
    }
}
