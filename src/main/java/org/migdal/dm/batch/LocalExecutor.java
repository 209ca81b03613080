package org.migdal.dm.batch;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs jobs on a fixed pool of threads on this host. */
public final class LocalExecutor implements BatchExecutor {
    private final ExecutorService pool;
    private final int threads;

    public LocalExecutor(int threads) {
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public int slots() {
        return threads;
    }

    @Override
    public <T> CompletableFuture<T> submit(String name, Callable<T> job) {
        CompletableFuture<T> f = new CompletableFuture<>();
        pool.execute(() -> {
            String old = Thread.currentThread().getName();
            Thread.currentThread().setName(old + " " + name);
            try {
                f.complete(job.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            } finally {
                Thread.currentThread().setName(old);
            }
        });
        return f;
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
