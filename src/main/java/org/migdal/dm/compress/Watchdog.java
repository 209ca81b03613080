package org.migdal.dm.compress;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kills the programs of one compression when nothing has moved for {@code limit}: no raw byte read, no compressed byte
 * produced. A program that hangs, or a read of the raw copy that never returns, then fails that file instead of holding
 * its slot for ever. bzip2 emits a block every few hundred kilobytes of input, so a healthy job is never silent for long.
 */
final class Watchdog implements AutoCloseable {
    private final Duration limit;
    private final AtomicLong progress = new AtomicLong();
    private final List<Runnable> kills = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean fired;
    private boolean closed;

    Watchdog(Duration limit, String name) {
        this.limit = limit;
        this.thread = new Thread(this::watch, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Something moved. */
    void progressed() {
        progress.incrementAndGet();
    }

    /** What to do when it fires (kill a program); runs at once if it already fired. */
    void onFire(Runnable kill) {
        kills.add(kill);
        if (fired) {
            kill.run();
        }
    }

    boolean fired() {
        return fired;
    }

    Duration limit() {
        return limit;
    }

    private void watch() {
        long seen = progress.get();
        long quietSince = System.nanoTime();
        long step = Math.max(1, Math.min(1000, limit.toMillis() / 4));
        synchronized (this) {
            while (!closed) {
                try {
                    wait(step);
                } catch (InterruptedException e) {
                    return;
                }
                long now = progress.get();
                if (now != seen) {
                    seen = now;
                    quietSince = System.nanoTime();
                } else if (!closed && System.nanoTime() - quietSince >= limit.toNanos()) {
                    fired = true;
                    kills.forEach(Runnable::run);
                    return;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }
}
