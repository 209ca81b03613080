package org.migdal.dm.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Adler32;

/**
 * An adler32 summed on a helper thread, buffer after buffer in the order given, while the caller goes on writing the
 * buffer just handed over and reading the next: the sum costs no time on the caller's path when a core is free. Used
 * with two buffers in turn: {@link #add} waits for the sum of the previous buffer, so a buffer handed over may be
 * refilled once another one has been handed over after it (or {@link #value} returned). One instance per copy.
 */
final class BackgroundAdler32 implements AutoCloseable {
    private final Adler32 adler = new Adler32();
    private final ExecutorService thread;
    private Future<?> pending;

    BackgroundAdler32(String name) {
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "adler32 " + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Adds the buffer's remaining bytes (its position is not moved). */
    void add(ByteBuffer b) throws IOException {
        awaitPending();
        ByteBuffer view = b.duplicate();
        pending = thread.submit(() -> adler.update(view));
    }

    /** Adds {@code len} bytes of {@code b} from {@code off}. */
    void add(byte[] b, int off, int len) throws IOException {
        awaitPending();
        pending = thread.submit(() -> adler.update(b, off, len));
    }

    /** The sum of everything added, once the last buffer is summed. */
    Checksum value() throws IOException {
        awaitPending();
        return Checksum.adler32(adler.getValue());
    }

    private void awaitPending() throws IOException {
        if (pending == null) {
            return;
        }
        try {
            pending.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while summing adler32");
        } catch (ExecutionException e) {
            throw new IOException("adler32 failed: " + e.getCause(), e.getCause());
        } finally {
            pending = null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
