package org.migdal.dm.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one XRootD client tool ({@code xrdcp}, {@code xrdfs}) as a child process from an argument list (never a shell
 * string), drains its output on background threads, and enforces a deadline by killing it (SIGKILL). The process
 * builder (argument list and environment) is prepared by {@link XrootdEndpoint}; this class never logs anything.
 */
final class XrootdCommand {
    /** How much of a tool's stderr (and of stdout for messages) is kept. */
    static final int MAX_CAPTURE = 64 * 1024;

    private XrootdCommand() {
    }

    /** What a finished (or killed) tool left behind. {@code rc} is -1 when it was killed for its deadline. */
    record Result(int rc, String stdout, String stderr, boolean timedOut) {
        /** stderr then stdout (xrdfs prints some errors, e.g. of {@code rm}, on stdout). */
        String output() {
            return (stderr + "\n" + stdout).strip();
        }
    }

    /** Runs to completion (stdin closed at once), killing the process after {@code timeout}. */
    static Result run(ProcessBuilder pb, Duration timeout, int maxStdout) throws IOException {
        Process p = pb.start();
        Drain out = Drain.start(p.getInputStream(), maxStdout, "stdout");
        Drain err = Drain.start(p.getErrorStream(), MAX_CAPTURE, "stderr");
        p.getOutputStream().close();
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + pb.command().get(0), e);
        }
        if (!done) {
            kill(p);
        }
        return new Result(done ? p.exitValue() : -1, out.text(), err.text(), !done);
    }

    /** SIGKILL and reap (bounded): a killed xrdcp never closes its file cleanly, so POSC applies. */
    static void kill(Process p) {
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads a stream to its end on a daemon thread, keeping the first {@code max} bytes. */
    static final class Drain implements Runnable {
        private final InputStream in;
        private final int max;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final Thread thread;
        private boolean truncated;

        private Drain(InputStream in, int max, String name) {
            this.in = in;
            this.max = max;
            this.thread = new Thread(this, "xrootd-tool-" + name);
            this.thread.setDaemon(true);
        }

        static Drain start(InputStream in, int max, String name) {
            Drain d = new Drain(in, max, name);
            d.thread.start();
            return d;
        }

        @Override
        public void run() {
            byte[] buf = new byte[8192];
            try (in) {
                int r;
                while ((r = in.read(buf)) >= 0) {
                    synchronized (this) {
                        int keep = Math.min(r, max - kept.size());
                        if (keep > 0) {
                            kept.write(buf, 0, keep);
                        }
                        if (keep < r) {
                            truncated = true;
                        }
                    }
                }
            } catch (IOException ignored) {
                // the process was killed: what was read so far is kept
            }
        }

        /** The text read so far, after waiting (bounded) for the stream's end. */
        String text() {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (this) {
                return kept.toString(StandardCharsets.UTF_8) + (truncated ? "\n[… output truncated]" : "");
            }
        }
    }

    /** The last {@code max} characters of a tool's output on one line, for exception messages. */
    static String excerpt(String text, int max) {
        String t = String.join(" | ", text.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        if (t.isEmpty()) {
            return "(no output)";
        }
        return t.length() <= max ? t : "…" + t.substring(t.length() - max);
    }

    /** The command as a person would retype it (arguments with spaces quoted); argv never holds a secret. */
    static String describe(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String a : argv) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(a.isEmpty() || a.matches(".*[\\s'\"\\\\].*") ? "'" + a.replace("'", "'\\''") + "'" : a);
        }
        return sb.toString();
    }
}
