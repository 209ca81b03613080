package org.migdal.dm.storage;

import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A real {@link FileEndpoint} behind a decorator, for tests that need a storage which misbehaves in one way (corrupts
 * what it stores, reports a tape flag): subclasses override the one behaviour they change.
 */
public class ForwardingEndpoint implements StorageEndpoint {
    protected final FileEndpoint real;

    public ForwardingEndpoint(FileEndpoint real) {
        this.real = real;
    }

    @Override
    public URI base() {
        return real.base();
    }

    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
        return real.put(source, size, path, overwrite);
    }

    @Override
    public Optional<RemoteFile> stat(String path) throws StorageException {
        return real.stat(path);
    }

    @Override
    public Checksum checksum(String path) throws StorageException {
        return real.checksum(path);
    }

    @Override
    public void moveIntoPlace(String temp, String path, boolean overwrite, Fence fence) throws StorageException {
        real.moveIntoPlace(temp, path, overwrite, fence);
    }

    @Override
    public InputStream open(String path) throws StorageException {
        return real.open(path);
    }

    @Override
    public void delete(String path) throws StorageException {
        real.delete(path);
    }

    @Override
    public List<StorageEntry> list(String directory) throws StorageException {
        return real.list(directory);
    }
}
