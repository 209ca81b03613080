package org.migdal.dm.storage;

import javax.net.ssl.SSLContext;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted HTTP/1.1 server on 127.0.0.1 with byte-level control (interim {@code 100}, a final reply before the body,
 * reading or not reading the body), optionally over TLS. One request per connection ({@code Connection: close}).
 * Every request head is recorded as it arrived (header lines verbatim, so case can be checked).
 */
final class DavScriptServer implements AutoCloseable {

    interface Handler {
        void handle(Exchange x) throws IOException;
    }

    /** A request as received: header lines verbatim, body bytes as far as the handler read them. */
    static final class Request {
        final String method;
        final String target;
        final List<String> headerLines;
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        volatile boolean bodyComplete;
        volatile long bytesAfterReply = -1;

        Request(String method, String target, List<String> headerLines) {
            this.method = method;
            this.target = target;
            this.headerLines = List.copyOf(headerLines);
        }

        String header(String name) {
            for (String l : headerLines) {
                int c = l.indexOf(':');
                if (c > 0 && l.substring(0, c).trim().equalsIgnoreCase(name)) {
                    return l.substring(c + 1).trim();
                }
            }
            return null;
        }

        synchronized byte[] bodyBytes() {
            return body.toByteArray();
        }

        @Override
        public String toString() {
            return method + " " + target + " " + headerLines;
        }
    }

    final class Exchange {
        final Request req;
        private final InputStream in;
        private final OutputStream out;
        private final Socket socket;

        Exchange(Request req, InputStream in, OutputStream out, Socket socket) {
            this.req = req;
            this.in = in;
            this.out = out;
            this.socket = socket;
        }

        String method() {
            return req.method;
        }

        String path() {
            int q = req.target.indexOf('?');
            return q < 0 ? req.target : req.target.substring(0, q);
        }

        String header(String name) {
            return req.header(name);
        }

        void sendContinue() throws IOException {
            out.write("HTTP/1.1 100 Continue\r\nConnection: Close\r\nServer: script\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Reads the declared Content-Length bytes, or as many as arrive before the peer stops (recorded either way). */
        byte[] readBody() throws IOException {
            String cl = req.header("Content-Length");
            long n = cl == null ? 0 : Long.parseLong(cl);
            byte[] buf = new byte[65536];
            long got = 0;
            socket.setSoTimeout(10_000);
            try {
                while (got < n) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, n - got));
                    if (r < 0) {
                        break;
                    }
                    synchronized (req) {
                        req.body.write(buf, 0, r);
                    }
                    got += r;
                }
            } catch (IOException e) {
                // reset by the client: what arrived is recorded
            }
            req.bodyComplete = got == n;
            return req.bodyBytes();
        }

        void respond(int status, String reason, Map<String, String> headers, String body) throws IOException {
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
            Map<String, String> h = new LinkedHashMap<>(headers);
            if (!"HEAD".equals(req.method)) {
                h.putIfAbsent("Content-Length", String.valueOf(b.length));
            }
            h.put("Connection", "close");
            h.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            sb.append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (!"HEAD".equals(req.method)) {
                out.write(b);
            }
            out.flush();
        }

        /** Writes a reply head and body exactly as given. */
        void respondRaw(byte[] head, byte[] body) throws IOException {
            out.write(head);
            out.write(body);
            out.flush();
        }

        void respond(int status, String reason) throws IOException {
            respond(status, reason, Map.of(), "");
        }

        /** After a reply sent before the body: counts bytes the client still sends until it closes (bounded wait). */
        void countLateBytes() {
            long n = 0;
            try {
                socket.setSoTimeout(2000);
                byte[] buf = new byte[8192];
                int r;
                while ((r = in.read(buf)) > 0) {
                    n += r;
                }
            } catch (SocketTimeoutException e) {
                // the client kept the connection open without sending: counted what came
            } catch (IOException e) {
                // reset
            }
            req.bytesAfterReply = n;
        }
    }

    private final ServerSocket server;
    private final Handler handler;
    private final boolean tls;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private final Object quiet = new Object();
    private final Thread acceptor;
    private volatile boolean closed;

    private DavScriptServer(ServerSocket server, Handler handler, boolean tls) {
        this.server = server;
        this.handler = handler;
        this.tls = tls;
        this.acceptor = new Thread(this::acceptLoop, "dav-script-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static DavScriptServer plain(Handler h) throws IOException {
        return new DavScriptServer(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), h, false);
    }

    static DavScriptServer tls(SSLContext ctx, Handler h) throws IOException {
        return new DavScriptServer(ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getByName("127.0.0.1")), h, true);
    }

    int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:port} or {@code https://localhost:port}. */
    String base() {
        return tls ? "https://localhost:" + port() : "http://127.0.0.1:" + port();
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> requests(String method) {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (r.method.equals(method)) {
                out.add(r);
            }
        }
        return out;
    }

    /** Waits (bounded) until no connection is being handled. */
    void awaitQuiet(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        synchronized (quiet) {
            while (active.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("scripted server still busy after " + max);
                }
                quiet.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                active.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "dav-script-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(10_000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String[] first = lines[0].split(" ");
            List<String> hl = new ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                if (!lines[i].isEmpty()) {
                    hl.add(lines[i]);
                }
            }
            Request r = new Request(first[0], first[1], hl);
            requests.add(r);
            handler.handle(new Exchange(r, in, out, s));
        } catch (IOException | RuntimeException e) {
            // the client went away; the test looks at what was recorded
        } finally {
            synchronized (quiet) {
                active.decrementAndGet();
                quiet.notifyAll();
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
