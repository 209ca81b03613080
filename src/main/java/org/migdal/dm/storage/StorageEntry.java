package org.migdal.dm.storage;

import java.time.Instant;
import java.util.Optional;

/**
 * One entry of a folder listing ({@link StorageEndpoint#list}). {@code path} is relative to the endpoint base with a
 * leading slash; {@code size} is -1 for folders or where the storage does not say; {@code modified} is null where the
 * storage does not say. {@link Type#OTHER} is anything that is neither a plain file nor a folder (a symbolic link on
 * {@code file://}): nothing acts on it.
 */
public record StorageEntry(String path, Type type, long size, Instant modified) {

    public enum Type { FILE, DIRECTORY, OTHER }

    public boolean directory() {
        return type == Type.DIRECTORY;
    }

    public boolean file() {
        return type == Type.FILE;
    }

    public Optional<Instant> modifiedTime() {
        return Optional.ofNullable(modified);
    }

    /** The last component of {@link #path}. */
    public String name() {
        return StorageNames.lastComponent(path);
    }
}
