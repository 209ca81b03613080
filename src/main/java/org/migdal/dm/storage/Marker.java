package org.migdal.dm.storage;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * The marker file {@value #NAME} at the base of every storage and tape endpoint, written once by
 * {@code migdal-dm storage init}. An endpoint is believed only while it shows its marker: an empty mount point, an
 * unmounted NFS export or another server at the same URL does not have it.
 */
public final class Marker {
    public static final String NAME = ".migdal-dm-storage";

    private Marker() {
    }

    /** Throws {@link StorageException.Kind#MARKER_MISSING} unless the endpoint shows its marker as a regular file. */
    public static void require(StorageEndpoint endpoint) throws StorageException {
        Optional<RemoteFile> marker;
        try {
            marker = endpoint.stat(NAME);
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.NOT_FOUND) {
                throw missing(endpoint);
            }
            throw e;
        }
        if (marker.isEmpty()) {
            throw missing(endpoint);
        }
    }

    private static StorageException missing(StorageEndpoint endpoint) {
        return new StorageException(StorageException.Kind.MARKER_MISSING, endpoint.urlOf(NAME),
                "the endpoint's marker file is missing: the storage is not mounted, or this is not the storage migdal-dm was set"
                        + " up on. Nothing is sent to it and nothing is deleted on its word. If this is the right storage, run"
                        + " `migdal-dm storage init`");
    }

    /** True when the marker is there. */
    public static boolean present(StorageEndpoint endpoint) throws StorageException {
        return endpoint.stat(NAME).isPresent();
    }

    /** Writes the marker unless it is there already ({@code storage init} and the quickstart); true when it wrote it. */
    public static boolean ensure(StorageEndpoint endpoint, String owner, Instant at) throws StorageException {
        if (present(endpoint)) {
            return false;
        }
        write(endpoint, owner, at);
        return true;
    }

    /** Writes the marker; refuses to overwrite one. */
    public static void write(StorageEndpoint endpoint, String owner, Instant at) throws StorageException {
        byte[] text = ("migdal-dm storage marker\nurl: " + endpoint.base() + "\ncreated: " + at + "\nby: " + owner
                + "\nDo not delete: migdal-dm refuses to use a storage without this file.\n").getBytes(StandardCharsets.UTF_8);
        endpoint.put(new ByteArrayInputStream(text), text.length, NAME, false);
    }
}
