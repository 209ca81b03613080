package org.migdal.dm.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/** A progress bar on the terminal for long interactive work; silent when output is not a terminal. */
final class Progress implements LongConsumer, AutoCloseable {
    private final PrintStream out;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private volatile long lastDraw;

    Progress(PrintStream out, boolean enabled, String label, long totalBytes) {
        this.out = out;
        this.enabled = enabled;
        this.label = label;
        this.total = totalBytes;
    }

    static boolean interactive() {
        return System.console() != null;
    }

    @Override
    public void accept(long bytes) {
        long d = done.addAndGet(bytes);
        long now = System.nanoTime();
        if (enabled && (now - lastDraw > 200_000_000L || d >= total)) {
            lastDraw = now;
            draw(d, now);
        }
    }

    private synchronized void draw(long d, long now) {
        double frac = total <= 0 ? 1 : Math.min(1, d / (double) total);
        int width = 30;
        int fill = (int) Math.round(frac * width);
        double secs = Math.max(1e-3, (now - start) / 1e9);
        out.printf(Locale.ROOT, "\r%-10s [%s%s] %3.0f%% %8.1f / %.1f MiB %6.1f MiB/s", label, "#".repeat(fill),
                " ".repeat(width - fill), frac * 100, d / 1048576.0, total / 1048576.0, d / 1048576.0 / secs);
        out.flush();
    }

    @Override
    public void close() {
        if (enabled && lastDraw != 0) {
            out.println();
        }
    }
}
