package org.migdal.dm.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * An exclusive lock file per role, like the {@code flock} the cron jobs used: a second run finds it taken
 * and exits at once. The OS releases it when the process dies, however it dies.
 */
final class RunLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or returns empty with {@code holder} telling who holds it. */
    static Optional<RunLock> tryAcquire(Path file, StringBuilder holder) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            holder.append(Files.readString(file, StandardCharsets.UTF_8).strip());
            ch.close();
            return Optional.empty();
        }
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " since " + java.time.Instant.now())
                .getBytes(StandardCharsets.UTF_8)));
        ch.force(false);
        return Optional.of(new RunLock(ch, l));
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
