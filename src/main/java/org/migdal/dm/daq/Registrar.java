package org.migdal.dm.daq;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.RegisterResult;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Registers the files of one disk while its walk goes on: files are handed over in batches of {@value #BATCH}, written
 * (registered, and taken back from MISSING when listed again) on one writer thread, in order, while the walk lists the
 * next batch. At most {@value #IN_FLIGHT} batches wait, so memory stays bounded whatever the size of the disk. A failure
 * of the catalog stops the walk at its next file and is thrown from {@link #add} or {@link #finish}; batches committed
 * before it stay committed (registration is idempotent, so the next scan, the flag still present, completes it). The scan
 * registers through it, and so does {@code audit --fix} for data files it finds that the catalog does not know.
 */
public final class Registrar implements AutoCloseable {
    static final int BATCH = 5000;
    static final int IN_FLIGHT = 2;

    /** What the disk's batches did: files listed, new, back from MISSING, already known. */
    public record Tally(int listed, int added, int back, int known) {
        /** New files plus files back from MISSING. */
        public int registered() {
            return added + back;
        }
    }

    private final Catalog catalog;
    private final String disk;
    private final int batchSize;
    private final ExecutorService writer;
    private final Deque<Future<int[]>> pending = new ArrayDeque<>();
    private List<NewFile> batch = new ArrayList<>();
    private int listed;
    private int added;
    private int back;
    private int known;

    public Registrar(Catalog catalog, String disk) {
        this(catalog, disk, BATCH);
    }

    Registrar(Catalog catalog, String disk, int batchSize) {
        this.catalog = catalog;
        this.disk = disk;
        this.batchSize = batchSize;
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "register-" + disk);
            t.setDaemon(true);
            return t;
        });
    }

    public void add(NewFile f) {
        batch.add(f);
        listed++;
        if (batch.size() >= batchSize) {
            handOver();
        }
    }

    /** Waits until every batch is committed; returns the tally. */
    public Tally finish() {
        handOver();
        while (!pending.isEmpty()) {
            take();
        }
        return new Tally(listed, added, back, known);
    }

    private void handOver() {
        if (batch.isEmpty()) {
            return;
        }
        List<NewFile> files = batch;
        batch = new ArrayList<>();
        while (pending.size() >= IN_FLIGHT) {
            take();
        }
        pending.add(writer.submit(() -> {
            RegisterResult r = catalog.register(files);
            int again = catalog.reappeared(disk, files);
            return new int[]{r.added(), again, r.alreadyKnown()};
        }));
    }

    private void take() {
        int[] r;
        try {
            r = pending.remove().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while registering the files of disk " + disk, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("registering the files of disk " + disk + " failed", e.getCause());
        }
        added += r[0];
        back += r[1];
        known += r[2] - r[1];
    }

    @Override
    public void close() {
        writer.shutdownNow();
    }
}
