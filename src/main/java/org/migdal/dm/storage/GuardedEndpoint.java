package org.migdal.dm.storage;

import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A configured storage or tape endpoint that is believed only while it shows its {@link Marker}: every operation
 * first checks the marker (at most once per {@code recheck}; a {@code file://} mount is checked every time, which costs
 * one stat), so an unmounted NFS export or an empty mount point is never written to, read from or trusted.
 */
public final class GuardedEndpoint implements StorageEndpoint {
    private final StorageEndpoint inner;
    private final Duration recheck;
    private final Clock clock;
    private volatile long confirmedUntil;

    public GuardedEndpoint(StorageEndpoint inner, Duration recheck, Clock clock) {
        this.inner = inner;
        this.recheck = recheck;
        this.clock = clock;
    }

    /** The guard for an endpoint of the configuration: local mounts checked on every operation, remote ones every minute. */
    public static GuardedEndpoint of(StorageEndpoint inner, Clock clock) {
        Duration recheck = "file".equals(inner.base().getScheme()) ? Duration.ZERO : Duration.ofMinutes(1);
        return new GuardedEndpoint(inner, recheck, clock);
    }

    private void check() throws StorageException {
        long now = clock.millis();
        if (now < confirmedUntil) {
            return;
        }
        Marker.require(inner);
        confirmedUntil = recheck.isZero() ? 0 : now + recheck.toMillis();
    }

    @Override
    public URI base() {
        return inner.base();
    }

    @Override
    public String urlOf(String path) {
        return inner.urlOf(path);
    }

    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
        check();
        return inner.put(source, size, path, overwrite);
    }

    @Override
    public Sent put(InputStream source, long size, String path, boolean overwrite, Fence fence) throws StorageException {
        check();
        return inner.put(source, size, path, overwrite, fence);
    }

    @Override
    public Sent putFile(java.nio.file.Path source, long size, String path, boolean overwrite, Fence fence)
            throws StorageException, java.io.IOException {
        check();
        return inner.putFile(source, size, path, overwrite, fence);
    }

    @Override
    public void moveIntoPlace(String temp, String path, boolean overwrite, Fence fence) throws StorageException {
        check();
        inner.moveIntoPlace(temp, path, overwrite, fence);
    }

    @Override
    public Optional<RemoteFile> stat(String path) throws StorageException {
        check();
        return inner.stat(path);
    }

    @Override
    public Checksum checksum(String path) throws StorageException {
        check();
        return inner.checksum(path);
    }

    @Override
    public InputStream open(String path) throws StorageException {
        check();
        return inner.open(path);
    }

    @Override
    public void delete(String path) throws StorageException {
        check();
        inner.delete(path);
    }

    @Override
    public List<StorageEntry> list(String directory) throws StorageException {
        check();
        return inner.list(directory);
    }

    @Override
    public TapeResidency tapeResidency(String path, RemoteFile stat) throws StorageException {
        check();
        return inner.tapeResidency(path, stat);
    }

    @Override
    public void close() {
        inner.close();
    }

    @Override
    public String toString() {
        return inner.toString();
    }
}
