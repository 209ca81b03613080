package org.migdal.dm.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One {@code xrdfs HOST} in its interactive mode, kept running so that many commands cost one launch. Verified against
 * xrdfs 5.5.3 with stdin and stdout on pipes: it prints its prompt ({@code [host:port] / > }), reads one line, echoes it,
 * prints the answer (errors, which go to stderr, are merged into the same pipe here so they arrive before the next
 * prompt), and prints the prompt again once the command is done. A reply is therefore everything between the echoed
 * line and the next prompt; a command failed iff a line of it starts with {@code [ERROR]} or {@code [FATAL]}
 * (XRootDStatus::ToStr). Arguments are quoted ({@code "…"}, or {@code '…'} for a name holding {@code "}): xrdfs splits
 * a line on blanks outside quotes and has no escapes.
 *
 * <p>In its interactive mode xrdfs keeps a readline history in {@code $HOME/.xrdquery.history}, read at start and
 * rewritten, longer, at exit: a session gets a HOME of its own (a private temporary folder, removed when the session
 * ends; at once when there is no client configuration to link) in which {@code .xrootd} (the client configuration)
 * links to the real one, so nothing accumulates in the user's home and the client reads the same configuration as
 * xrdcp.
 *
 * <p>Not thread-safe: one command at a time ({@link Xrdfs} lends sessions out). A session that timed out, died or
 * reported a {@code [FATAL]} error (connection, authentication) is closed and not reused.
 */
final class XrdfsSession implements AutoCloseable {
    private final Process process;
    private final Path home;
    private final OutputStream stdin;
    private final long startedNanos = System.nanoTime();
    private final Object lock = new Object();
    private final Buffer buffer = new Buffer();
    private byte[] prompt;
    private boolean ended;

    /**
     * A command's answer: the text between the echoed line and the next prompt; {@code timedOut} when there was none;
     * {@code ended} when the session is over; {@code sent} whether the line reached xrdfs at all.
     */
    record Reply(String text, boolean timedOut, boolean ended, boolean sent) {
        /** 50 for an {@code [ERROR]}, 51 for a {@code [FATAL]} line (as xrdfs's own exit codes), else 0. */
        int rc() {
            int rc = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith("[FATAL]")) {
                    return 51;
                }
                if (line.startsWith("[ERROR]")) {
                    rc = 50;
                }
            }
            return ended && rc == 0 ? 51 : rc;
        }
    }

    private XrdfsSession(Process process, Path home) {
        this.process = process;
        this.home = home;
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(this::readAll, "xrdfs-session");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts xrdfs (the builder names {@code xrdfs HOST}) and waits for its first prompt. */
    static XrdfsSession start(ProcessBuilder pb, long timeoutMillis) throws IOException {
        pb.redirectErrorStream(true);
        // readline echoes the line; on a narrow or unknown terminal it scrolls a long line with \r and escapes
        pb.environment().put("TERM", "dumb");
        pb.environment().put("COLUMNS", "100000");
        Path home = privateHome(pb.environment().get("HOME"));
        pb.environment().put("HOME", home.toString());
        XrdfsSession s;
        try {
            s = new XrdfsSession(pb.start(), home);
        } catch (IOException | RuntimeException e) {
            removeHome(home);
            throw e;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (s.lock) {
            while (s.firstPrompt() == null) {
                long left = deadline - System.nanoTime();
                if (s.ended || left <= 0) {
                    String seen = s.buffer.text();
                    s.close();
                    throw new IOException("xrdfs gave no prompt" + (s.ended ? " (it exited)" : " within " + timeoutMillis + " ms")
                            + "; output: " + XrootdCommand.excerpt(seen, 300));
                }
                s.waitOn(left);
            }
            s.prompt = s.firstPrompt();
            s.buffer.reset();
        }
        if (!Files.exists(home.resolve(".xrootd"), LinkOption.NOFOLLOW_LINKS)) {
            // no client configuration to keep at hand: the folder goes at once, so the history has nowhere to go
            // (xrdfs ignores that) and nothing is left behind even if this process never closes the session
            removeHome(home);
        }
        return s;
    }

    /** A new private folder (0700) to serve as the session's HOME, with {@code .xrootd} linked to the real one if any. */
    private static Path privateHome(String realHome) throws IOException {
        Path home = Files.createTempDirectory("migdal-dm-xrdfs-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        if (realHome != null && !realHome.isEmpty()) {
            Path conf = Path.of(realHome, ".xrootd");
            if (Files.isDirectory(conf)) {
                Files.createSymbolicLink(home.resolve(".xrootd"), conf);
            }
        }
        return home;
    }

    /** Removes the private HOME: its entries (the history, the link, never what a link points to), then the folder. */
    private static void removeHome(Path home) {
        try (Stream<Path> s = Files.list(home)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(home);
        } catch (IOException ignored) {
            // a leftover folder under the temporary folder holds no data
        }
    }

    /** The prompt, once xrdfs has printed it: its last line ends in {@code " > "} and starts with {@code [}. */
    private byte[] firstPrompt() {
        byte[] all = buffer.bytes();
        String t = new String(all, StandardCharsets.UTF_8);
        if (!t.endsWith(" > ")) {
            return null;
        }
        String last = t.substring(t.lastIndexOf('\n') + 1);
        return last.startsWith("[") ? last.getBytes(StandardCharsets.UTF_8) : null;
    }

    /** Quotes one argument for the interactive line; null when it holds both kinds of quote (run it one-shot). */
    static String quote(String arg) {
        if (arg.matches("[A-Za-z0-9/._:=?+,@%~-]+")) {
            return arg; // a command word, an option or a plain path
        }
        if (arg.indexOf('"') < 0) {
            return '"' + arg + '"';
        }
        return arg.indexOf('\'') < 0 ? "'" + arg + "'" : null;
    }

    /** Sends one line and waits for the next prompt; on timeout the process is killed. */
    Reply run(String line, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (lock) {
            buffer.reset();
        }
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            close();
            return new Reply("xrdfs session ended: " + e.getMessage(), false, true, false);
        }
        String seen;
        synchronized (lock) {
            while (!answered()) {
                long left = deadline - System.nanoTime();
                if (ended) {
                    return new Reply(strip(buffer.text(), line) + "\n(xrdfs session ended unexpectedly)", false, true, true);
                }
                if (left <= 0) {
                    break;
                }
                waitOn(left);
            }
            if (answered()) {
                byte[] all = buffer.bytes();
                return new Reply(strip(new String(all, 0, all.length - prompt.length, StandardCharsets.UTF_8), line), false, false, true);
            }
            seen = buffer.text();
        }
        close();
        return new Reply(strip(seen, line), true, true, true);
    }

    /**
     * The echoed line removed (up to the first newline, if that part ends like the line sent: readline may have
     * redrawn it), NULs (xrootd ends its messages with one) dropped, blank ends trimmed.
     */
    private static String strip(String text, String line) {
        String t = text.replace("\u0000", "");
        int nl = t.indexOf('\n');
        String first = nl < 0 ? t : t.substring(0, nl);
        if (first.stripTrailing().endsWith(line.substring(Math.max(0, line.length() - 16)))) {
            t = nl < 0 ? "" : t.substring(nl + 1);
        }
        return t.strip();
    }

    /** The reply is complete when the output ends with a newline followed by the prompt. */
    private boolean answered() {
        return buffer.endsWithLineOf(prompt);
    }

    boolean alive() {
        synchronized (lock) {
            return !ended && process.isAlive();
        }
    }

    long ageNanos() {
        return System.nanoTime() - startedNanos;
    }

    private void waitOn(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            ended = true;
        }
    }

    private void readAll() {
        byte[] b = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int r;
            while ((r = in.read(b)) >= 0) {
                synchronized (lock) {
                    buffer.write(b, 0, r);
                    lock.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // killed: what was read is kept
        } finally {
            synchronized (lock) {
                ended = true;
                lock.notifyAll();
            }
        }
    }

    /** Ends the session: stdin closed (xrdfs says goodbye), then killed if it lingers. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                XrootdCommand.kill(process);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        removeHome(home);
    }

    private static final class Buffer extends ByteArrayOutputStream {
        byte[] bytes() {
            return count == buf.length ? buf : Arrays.copyOf(buf, count);
        }

        String text() {
            return toString(StandardCharsets.UTF_8);
        }

        /** Whether the bytes end with a newline followed by {@code last}. */
        boolean endsWithLineOf(byte[] last) {
            int p = last.length;
            return count > p && buf[count - p - 1] == '\n' && Arrays.equals(buf, count - p, count, last, 0, p);
        }
    }
}
