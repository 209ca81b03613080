package org.migdal.dm.catalog;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Legacy rows read and planned on a thread of their own, handed over in chunks through a queue of at most
 * {@value #AHEAD} chunks: the import writes one chunk while the next ones are read, and memory stays bounded. A failure
 * of the reader is thrown by {@link #next()} (or {@link #hasNext()}) in the importing thread.
 */
final class PlannedChunks implements Iterator<List<LegacyImport.Planned>>, AutoCloseable {
    static final int AHEAD = 4;

    /** What the reader hands over: a chunk, the end, or its failure. */
    private record Item(List<LegacyImport.Planned> chunk, RuntimeException failure) {
    }

    private static final Item END = new Item(null, null);

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(AHEAD);
    private final Thread reader;
    private volatile boolean closed;
    private Item head;

    PlannedChunks(Iterator<LegacyImport.LegacyRow> rows, Function<LegacyImport.LegacyRow, LegacyImport.Planned> plan, int chunkSize) {
        reader = new Thread(() -> {
            Item last = END;
            try {
                List<LegacyImport.Planned> chunk = new ArrayList<>(chunkSize);
                while (!closed && rows.hasNext()) {
                    chunk.add(plan.apply(rows.next()));
                    if (chunk.size() == chunkSize) {
                        put(new Item(chunk, null));
                        chunk = new ArrayList<>(chunkSize);
                    }
                }
                if (!chunk.isEmpty()) {
                    put(new Item(chunk, null));
                }
            } catch (RuntimeException e) {
                last = new Item(null, e);
            } catch (InterruptedException e) {
                return; // closed
            }
            try {
                put(last);
            } catch (InterruptedException e) {
                // closed
            }
        }, "legacy-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void put(Item item) throws InterruptedException {
        while (!closed) {
            if (queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                return;
            }
        }
        throw new InterruptedException("closed");
    }

    @Override
    public boolean hasNext() {
        if (head == null) {
            try {
                head = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CatalogException("interrupted while reading the legacy catalog", e);
            }
        }
        if (head.failure() != null) {
            throw head.failure();
        }
        return head != END;
    }

    @Override
    public List<LegacyImport.Planned> next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more legacy rows");
        }
        List<LegacyImport.Planned> chunk = head.chunk();
        head = null;
        return chunk;
    }

    /** Stops the reader (it may be waiting for room in the queue) and waits for it, so the legacy file can be closed. */
    @Override
    public void close() {
        closed = true;
        queue.clear();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
