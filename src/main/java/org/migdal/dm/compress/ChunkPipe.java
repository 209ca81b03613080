package org.migdal.dm.compress;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded pipe between two threads, by chunks: the writer copies each chunk in (blocking while {@code capacity}
 * chunks wait), the reader reads an {@link InputStream} that ends when the writer {@link #close}s. Once the reader has
 * stopped ({@link #abandon}, or its stream closed), writes fail instead of blocking.
 */
final class ChunkPipe {
    private static final byte[] END = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private volatile boolean abandoned;
    private final Input input = new Input();

    ChunkPipe(int capacity) {
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    void write(byte[] b, int off, int len) throws IOException {
        if (len > 0) {
            put(Arrays.copyOfRange(b, off, off + len));
        }
    }

    void close() throws IOException {
        put(END);
    }

    /** One side is gone: writers stop waiting, and a reader waiting for a chunk sees the end. */
    void abandon() {
        abandoned = true;
        queue.clear();
        queue.offer(END);
    }

    private void put(byte[] chunk) throws IOException {
        try {
            while (!queue.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
                if (abandoned) {
                    throw new IOException("the reading side of the pipe has stopped");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing to the pipe", e);
        }
    }

    InputStream input() {
        return input;
    }

    private final class Input extends InputStream {
        private byte[] chunk;
        private int pos;
        private boolean ended;

        private boolean fill() throws IOException {
            while (!ended && (chunk == null || pos == chunk.length)) {
                try {
                    chunk = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading from the pipe", e);
                }
                pos = 0;
                if (chunk == END) {
                    ended = true;
                }
            }
            return !ended;
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = 0;
            while (skipped < n && fill()) {
                int k = (int) Math.min(n - skipped, chunk.length - pos);
                pos += k;
                skipped += k;
            }
            return skipped;
        }

        @Override
        public void close() {
            abandon();
        }
    }
}
