package org.migdal.dm.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One upload of {@link XrootdEndpoint}: the source, read once here, piped into a running {@code xrdcp … - URL} while
 * its adler32 is summed ({@link BackgroundAdler32}); the byte count must equal the declared size; xrdcp is killed (no
 * clean close, so POSC applies) on any fault of the source and when it makes no progress for the operation timeout.
 * Errors name the URL, the command and xrdcp's own words.
 */
final class XrdcpFeed {
    private final Duration idle;

    /** @param idle how long xrdcp may go without taking bytes (or, at the end, without exiting) before it is killed */
    XrdcpFeed(Duration idle) {
        this.idle = idle;
    }

    /** Pipes the source into xrdcp, computing adler32; kills xrdcp (no clean close) on any fault of the source. */
    StorageEndpoint.Sent feed(Process p, List<String> argv, InputStream source, long size, String url) throws StorageException {
        XrootdCommand.Drain out = XrootdCommand.Drain.start(p.getInputStream(), XrootdCommand.MAX_CAPTURE, "stdout");
        XrootdCommand.Drain err = XrootdCommand.Drain.start(p.getErrorStream(), XrootdCommand.MAX_CAPTURE, "stderr");
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        Thread watchdog = new Thread(() -> {
            try {
                while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
                    if (System.nanoTime() - lastProgress.get() > idle.toNanos()) {
                        stalled.set(true);
                        p.destroyForcibly();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "xrdcp-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        long n = 0;
        // two buffers: one is summed on a helper thread while it is written to xrdcp, the next is read meanwhile
        byte[][] buffers = {new byte[1 << 20], new byte[1 << 20]};
        BackgroundAdler32 adler = new BackgroundAdler32(url);
        OutputStream stdin = p.getOutputStream();
        try {
            for (int k = 0; ; k++) {
                byte[] buf = buffers[k & 1];
                int r;
                try {
                    r = source.read(buf);
                } catch (IOException e) {
                    XrootdCommand.kill(p);
                    throw new StorageException(StorageException.Kind.OTHER, url, "reading the source failed after "
                            + n + " of " + size + " bytes (" + e + "); upload abandoned, nothing left under the name", e);
                }
                if (r < 0) {
                    break;
                }
                if (r == 0) {
                    continue;
                }
                if (n + r > size) {
                    XrootdCommand.kill(p);
                    throw new StorageException(StorageException.Kind.CORRUPT, url, "source gave more than the declared "
                            + size + " bytes; upload abandoned, nothing left under the name");
                }
                addSum(adler, buf, r, url);
                try {
                    stdin.write(buf, 0, r);
                } catch (IOException e) {
                    // xrdcp went away (refused, failed, or killed for stalling): its own words say why
                    throw failure(p, argv, out, err, url, stalled, "xrdcp stopped reading after " + n + " bytes");
                }
                n += r;
                lastProgress.set(System.nanoTime());
            }
            Checksum sum = sumOf(adler, url);
            if (n != size) {
                XrootdCommand.kill(p);
                throw new StorageException(StorageException.Kind.CORRUPT, url, "source gave " + n + " bytes, expected "
                        + size + "; upload abandoned, nothing left under the name");
            }
            try {
                stdin.close(); // end of input: xrdcp closes the file
            } catch (IOException e) {
                throw failure(p, argv, out, err, url, stalled, "xrdcp stopped reading at the end");
            }
            lastProgress.set(System.nanoTime());
            int rc = waitFor(p, idle);
            if (rc != 0 || stalled.get()) {
                throw failure(p, argv, out, err, url, stalled, "upload failed");
            }
            return new StorageEndpoint.Sent(n, sum);
        } finally {
            adler.close();
            if (p.isAlive()) {
                XrootdCommand.kill(p);
            }
            watchdog.interrupt();
        }
    }

    private static void addSum(BackgroundAdler32 adler, byte[] buf, int len, String url) throws StorageException {
        try {
            adler.add(buf, 0, len);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "adler32 of the upload failed: " + e.getMessage(), e);
        }
    }

    private static Checksum sumOf(BackgroundAdler32 adler, String url) throws StorageException {
        try {
            return adler.value();
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.OTHER, url, "adler32 of the upload failed: " + e.getMessage(), e);
        }
    }

    /** Waits for xrdcp to end: -1 when it did not within three operation timeouts (then it is killed). */
    static int waitFor(Process p, Duration operationTimeout) throws StorageException {
        try {
            // the watchdog kills a stalled xrdcp; this bound is only a backstop
            if (!p.waitFor(operationTimeout.toMillis() * 3, TimeUnit.MILLISECONDS)) {
                XrootdCommand.kill(p);
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            XrootdCommand.kill(p);
            Thread.currentThread().interrupt();
            throw new StorageException(StorageException.Kind.TRANSIENT, "xrdcp", "interrupted", e);
        }
    }

    private StorageException failure(Process p, List<String> argv, XrootdCommand.Drain out, XrootdCommand.Drain err,
                                     String url, AtomicBoolean stalled, String what) throws StorageException {
        int rc = waitFor(p, idle);
        String text = (err.text() + "\n" + out.text()).strip();
        if (stalled.get() || rc == -1) {
            return new StorageException(StorageException.Kind.TRANSIENT, url, what + ": no progress for "
                    + idle.toSeconds() + " s, killed; command: " + XrootdCommand.describe(argv)
                    + "; output: " + XrootdCommand.excerpt(text, XrootdEndpoint.EXCERPT));
        }
        return new StorageException(XrootdEndpoint.classify(rc, text), url, what + " (rc " + rc + "); command: "
                + XrootdCommand.describe(argv) + "; output: " + XrootdCommand.excerpt(text, XrootdEndpoint.EXCERPT));
    }
}
