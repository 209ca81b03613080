package org.migdal.dm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A progress bar on the terminal for long interactive work (ship, archive, recall): redrawn in place at most five times
 * a second, and once at the end. Silent unless {@code enabled}: the commands enable it only when both standard output
 * and standard error are a terminal and no {@code --json} was asked ({@link #interactive(boolean)}), so a bar never
 * ends up in a log, a file or a pipe. While a bar is shown, a log line written to the same terminal first clears the
 * bar's line and the bar is drawn again below it ({@link #aroundLogLine}, called by the stderr log appender, which finds
 * the bar in the logging context), so a bar and log lines never share a line.
 */
final class Progress implements LongConsumer, AutoCloseable {
    private static final long REDRAW_NANOS = 200_000_000L;

    private final PrintStream out;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final LongSupplier nanoTime;
    private final long start;
    private final AtomicLong done = new AtomicLong();
    private long lastDraw = Long.MIN_VALUE;
    private boolean drawn;
    private String last;

    /** The key under which a shown bar is found in the logging context. */
    static final String LOG_CONTEXT_KEY = "migdal-dm.progress";

    Progress(PrintStream out, boolean enabled, String label, long totalBytes) {
        this(out, enabled, label, totalBytes, System::nanoTime);
    }

    /** {@code nanoTime}: the clock the redraw rate and the speed are measured with (a test gives its own). */
    Progress(PrintStream out, boolean enabled, String label, long totalBytes, LongSupplier nanoTime) {
        this.out = out;
        this.enabled = enabled;
        this.label = label;
        this.total = totalBytes;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        if (enabled && org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext lc) {
            lc.putObject(LOG_CONTEXT_KEY, this);
        }
    }

    /** Writes a log line ({@code write}) on a line of its own: the bar's line is cleared first and the bar drawn again after. */
    synchronized void aroundLogLine(Runnable write) {
        if (last != null) {
            out.print("\r\033[K");
            out.flush();
        }
        write.run();
        if (last != null) {
            out.print(last);
            out.flush();
        }
    }

    /** Whether a bar may be drawn: not for {@code --json}, and only when standard output and standard error are a terminal. */
    static boolean interactive(boolean json) {
        return !json && stdoutIsTerminal() && stderrIsTerminal();
    }

    /** Standard output is a terminal (Linux: {@code /proc/self/fd/1} leads to a tty; elsewhere: the JVM has a console). */
    static boolean stdoutIsTerminal() {
        return isTerminal(1).orElseGet(() -> System.console() != null);
    }

    /** Standard error is a terminal device (Linux: {@code /proc/self/fd/2} leads to a tty); false where it cannot tell. */
    static boolean stderrIsTerminal() {
        return isTerminal(2).orElse(false);
    }

    private static java.util.Optional<Boolean> isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return java.util.Optional.of(target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public void accept(long bytes) {
        long d = done.addAndGet(bytes);
        if (!enabled) {
            return;
        }
        long now = nanoTime.getAsLong();
        synchronized (this) {
            if (lastDraw == Long.MIN_VALUE || now - lastDraw >= REDRAW_NANOS || d >= total) {
                lastDraw = now;
                last = line(label, d, total, now - start);
                out.print(last);
                out.flush();
                drawn = true;
            }
        }
    }

    /** One rendering of the bar: carriage return first, so that each drawing replaces the one before. */
    static String line(String label, long done, long total, long elapsedNanos) {
        double frac = total <= 0 ? 1 : Math.min(1, done / (double) total);
        int width = 30;
        int fill = (int) Math.round(frac * width);
        double secs = Math.max(1e-3, elapsedNanos / 1e9);
        return String.format(Locale.ROOT, "\r%-10s [%s%s] %3.0f%% %8.1f / %.1f MiB %6.1f MiB/s", label, "#".repeat(fill),
                " ".repeat(width - fill), frac * 100, done / 1048576.0, total / 1048576.0, done / 1048576.0 / secs);
    }

    @Override
    public synchronized void close() {
        if (drawn) {
            out.println();
        }
        last = null;
        if (enabled && org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext lc
                && lc.getObject(LOG_CONTEXT_KEY) == this) {
            lc.removeObject(LOG_CONTEXT_KEY);
        }
    }
}
