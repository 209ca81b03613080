package org.migdal.dm.storage;

import org.migdal.dm.security.TlsContexts;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.Adler32;

/**
 * One HTTP/1.1 PUT exchange on its own connection, written by hand because the wire format matters here and
 * {@code java.net.http.HttpClient} cannot produce it: the JDK sends {@code Expect: 100-Continue} (capital C, and
 * {@code Expect} is a restricted header), which a dCache door does not take as a request to redirect and which
 * XrdHttp 5.5 ignores (it then waits for a body the JDK never sends). Here the request carries exactly
 * {@code Expect: 100-continue}, {@code Content-Length} and no other {@code Content-*} header; the body is sent only
 * after {@code 100 Continue} (or after {@link Limits#expectWait} without any reply, as RFC 9110 asks), so a final
 * reply such as {@code 307} arrives while the source is still unread and the PUT can be re-sent elsewhere.
 *
 * <p>The body is streamed from the source once, its adler32 computed on the way. The last chunk is held back until
 * the source has been seen to end, so a source that is longer or shorter than declared, or that fails, never yields
 * a complete body on the server: the connection is reset instead.
 */
final class DavPut {
    private static final int CHUNK = 1 << 16;
    private static final int MAX_HEAD = 64 * 1024;
    private static final int MAX_EXCERPT_READ = 8 * 1024;

    /** Closes connections whose writes make no progress (a socket write has no timeout of its own). */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "migdal-dav-put-watchdog");
        t.setDaemon(true);
        return t;
    });

    private DavPut() {
    }

    record Limits(Duration connectTimeout, Duration expectWait, Duration responseTimeout) {
    }

    /** The source of one upload; {@link #consumed} once any byte was read from it. */
    static final class Source {
        final InputStream in;
        final long size;
        final Adler32 adler = new Adler32();
        long read;
        boolean consumed;

        Source(InputStream in, long size) {
            this.in = in;
            this.size = size;
        }

        Checksum adler32() {
            return Checksum.adler32(adler.getValue());
        }
    }

    /** The source did not give exactly the declared bytes, or failed; the request was aborted (connection reset). */
    static final class SourceProblem extends IOException {
        private static final long serialVersionUID = 1L;
        final boolean sizeMismatch;

        SourceProblem(String message, boolean sizeMismatch, Throwable cause) {
            super(message, cause);
            this.sizeMismatch = sizeMismatch;
        }
    }

    /** The final reply. {@code bodySent}: the body was (at least partly) put on the wire. Header names lower-case. */
    record Reply(int status, String reason, Map<String, List<String>> headers, String body, boolean bodySent) {
        String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    /**
     * Sends one PUT of {@code src} to {@code uri}. {@code headers} are sent as given (canonical case), after
     * {@code Host}, {@code User-Agent} and {@code Content-Length}; {@code Expect: 100-continue} is added when
     * {@code expect}.
     */
    static Reply exchange(URI uri, Map<String, String> headers, Source src, boolean expect, SSLContext ssl, Limits limits)
            throws IOException {
        return exchange("PUT", uri, headers, src, expect, ssl, limits);
    }

    /**
     * A request without a body ({@code Content-Length: 0}) on its own connection, for header values that
     * {@code HttpClient} cannot put on the wire: each char of a value (0–255) is sent as one byte, so a value may carry
     * raw UTF-8 (XrdHttp 5.5 takes a MOVE's {@code Destination} without percent-decoding it).
     */
    static Reply bodiless(String method, URI uri, Map<String, String> headers, SSLContext ssl, Limits limits)
            throws IOException {
        return exchange(method, uri, headers, new Source(InputStream.nullInputStream(), 0), false, ssl, limits);
    }

    private static Reply exchange(String method, URI uri, Map<String, String> headers, Source src, boolean expect,
                                  SSLContext ssl, Limits limits) throws IOException {
        String host = uri.getHost();
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() >= 0 ? uri.getPort() : tls ? 443 : 80;
        Socket socket = connect(host, port, tls, ssl, limits);
        boolean ok = false;
        try {
            StringBuilder req = new StringBuilder(256);
            String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "");
            req.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            req.append("Host: ").append(host).append(uri.getPort() >= 0 ? ":" + uri.getPort() : "").append("\r\n");
            req.append("User-Agent: migdal-dm\r\n");
            req.append("Content-Length: ").append(src.size).append("\r\n");
            if (expect) {
                req.append("Expect: 100-continue\r\n");
            }
            for (Map.Entry<String, String> h : headers.entrySet()) {
                req.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();

            if (expect) {
                socket.setSoTimeout(millis(limits.expectWait()));
                Head interim;
                try {
                    interim = readNonInformational(in, true);
                } catch (SocketTimeoutException e) {
                    interim = null; // no reply in time: send the body anyway (RFC 9110 §10.1.1)
                }
                if (interim != null && interim.status != 100) {
                    // a final reply before the body: the source is untouched, the caller may re-send it elsewhere
                    Reply r = finish(interim, in, socket, false);
                    ok = true;
                    return r;
                }
            }
            try {
                sendBody(src, out, socket, limits);
            } catch (SourceProblem e) {
                throw e;
            } catch (IOException e) {
                // the server may have answered (e.g. 507) and closed while we were still sending
                Reply early = tryReadReply(in, socket);
                if (early != null) {
                    ok = true;
                    return early;
                }
                throw e;
            }
            socket.setSoTimeout(millis(limits.responseTimeout()));
            Head fin = readNonInformational(in, false);
            Reply r = finish(fin, in, socket, true);
            ok = true;
            return r;
        } finally {
            if (!ok) {
                abort(socket);
            } else {
                closeQuietly(socket);
            }
        }
    }

    private static Socket connect(String host, int port, boolean tls, SSLContext ssl, Limits limits) throws IOException {
        Socket raw = new Socket();
        try {
            raw.setTcpNoDelay(true);
            raw.connect(new InetSocketAddress(host, port), millis(limits.connectTimeout()));
            raw.setSoTimeout(millis(limits.responseTimeout()));
            if (!tls) {
                return raw;
            }
            SSLSocket s = (SSLSocket) ssl.getSocketFactory().createSocket(raw, host, port, true);
            SSLParameters p = TlsContexts.parameters(); // host name verification (HTTPS endpoint identification)
            s.setSSLParameters(p);
            s.setSoTimeout(millis(limits.responseTimeout()));
            s.startHandshake();
            return s;
        } catch (IOException | RuntimeException e) {
            closeQuietly(raw);
            throw e;
        }
    }

    private static void sendBody(Source src, OutputStream out, Socket socket, Limits limits) throws IOException {
        long[] lastProgress = {System.nanoTime()};
        long stallNanos = limits.responseTimeout().toNanos();
        ScheduledFuture<?> watch = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastProgress[0] > stallNanos) {
                abort(socket);
            }
        }, 1, 1, TimeUnit.SECONDS);
        try {
            byte[] buf = new byte[CHUNK];
            while (src.read < src.size) {
                int want = (int) Math.min(buf.length, src.size - src.read);
                int r;
                try {
                    src.consumed = true;
                    r = src.in.read(buf, 0, want);
                } catch (IOException e) {
                    throw new SourceProblem("reading the source failed after " + src.read + " of " + src.size + " bytes ("
                            + e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "") + ")",
                            false, e);
                }
                if (r < 0) {
                    throw new SourceProblem("source gave " + src.read + " bytes, expected " + src.size, true, null);
                }
                src.adler.update(buf, 0, r);
                src.read += r;
                if (src.read == src.size) {
                    // hold the last chunk back until the source has ended: a longer source must not complete the body
                    int extra;
                    try {
                        extra = src.in.read();
                    } catch (IOException e) {
                        throw new SourceProblem("reading the source failed at its declared end (" + src.size + " bytes): "
                                + e.getMessage(), false, e);
                    }
                    if (extra >= 0) {
                        throw new SourceProblem("source gave more than the declared " + src.size + " bytes", true, null);
                    }
                }
                out.write(buf, 0, r);
                lastProgress[0] = System.nanoTime();
            }
            src.consumed = true;
            out.flush();
        } finally {
            watch.cancel(false);
        }
    }

    private static Reply tryReadReply(InputStream in, Socket socket) {
        try {
            socket.setSoTimeout(2000);
            Head h = readNonInformational(in, false);
            return finish(h, in, socket, true);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private record Head(int status, String reason, Map<String, List<String>> headers) {
    }

    /** Reads response heads, skipping 1xx other than 100 (returned when {@code stopAt100}). */
    private static Head readNonInformational(InputStream in, boolean stopAt100) throws IOException {
        while (true) {
            Head h = readHead(in);
            if (h.status == 100 && stopAt100) {
                return h;
            }
            if (h.status >= 200 || h.status < 100) {
                return h;
            }
        }
    }

    private static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed by the server before a complete reply"
                        + (b.size() > 0 ? " (got " + b.size() + " bytes)" : ""));
            }
            b.write(c);
            if (b.size() > MAX_HEAD) {
                throw new IOException("reply head longer than " + MAX_HEAD + " bytes");
            }
            // accept CRLF and bare LF line ends
            if (c == '\n') {
                state = state == 1 ? 2 : 1;
                if (state == 2) {
                    break;
                }
            } else if (c != '\r') {
                state = 0;
            }
        }
        String[] lines = b.toString(StandardCharsets.ISO_8859_1).split("\r?\n");
        int i = 0;
        while (i < lines.length && lines[i].isEmpty()) {
            i++; // tolerate stray blank lines before the status line
        }
        if (i >= lines.length) {
            throw new IOException("empty reply");
        }
        String status = lines[i];
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + DavEndpoint.excerpt(status));
        }
        int code;
        try {
            code = Integer.parseInt(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status line: " + DavEndpoint.excerpt(status), e);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int j = i + 1; j < lines.length; j++) {
            int colon = lines[j].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            headers.computeIfAbsent(lines[j].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(lines[j].substring(colon + 1).trim());
        }
        return new Head(code, parts.length > 2 ? parts[2].trim() : "", headers);
    }

    /** Reads (a bounded part of) the reply body for messages; the connection is closed afterwards anyway. */
    private static Reply finish(Head h, InputStream in, Socket socket, boolean bodySent) {
        String body = "";
        if (h.status != 204 && h.status != 304) {
            try {
                socket.setSoTimeout(2000);
                List<String> te = h.headers.getOrDefault("transfer-encoding", List.of());
                List<String> cl = h.headers.getOrDefault("content-length", List.of());
                byte[] bytes;
                if (te.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
                    bytes = readChunked(in);
                } else if (!cl.isEmpty()) {
                    long n = Long.parseLong(cl.get(0).trim());
                    bytes = in.readNBytes((int) Math.min(n, MAX_EXCERPT_READ));
                } else {
                    bytes = in.readNBytes(MAX_EXCERPT_READ); // until close
                }
                body = new String(bytes, StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                // the status says what matters; the body only adds detail
            }
        }
        return new Reply(h.status, h.reason, h.headers, body, bodySent);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < MAX_EXCERPT_READ) {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            if (c < 0) {
                break;
            }
            String sz = line.toString().split(";", 2)[0].trim();
            if (sz.isEmpty()) {
                continue;
            }
            int n = Integer.parseInt(sz, 16);
            if (n == 0) {
                break;
            }
            out.write(in.readNBytes(Math.min(n, MAX_EXCERPT_READ)));
            in.skip(Math.max(0, n - MAX_EXCERPT_READ));
        }
        return out.toByteArray();
    }

    private static int millis(Duration d) {
        long ms = d.toMillis();
        return ms <= 0 ? 1 : (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** Resets the connection so the server cannot take what it got for a complete body. */
    static void abort(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing below is what matters
        }
        closeQuietly(s);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
