package org.migdal.dm.notify;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * TEST ONLY: an SMTP front on 127.0.0.1 that offers STARTTLS (GreenMail's SMTP does not), upgrades with the given server
 * certificate, then hands the TLS session to a plain SMTP server behind it (its greeting swallowed), byte for byte.
 */
final class StartTlsFront implements AutoCloseable {
    private final ServerSocket server;
    private final SSLContext tls;
    private final int backendPort;
    private final Thread acceptor;

    StartTlsFront(SSLContext tls, int backendPort) throws IOException {
        this.tls = tls;
        this.backendPort = backendPort;
        this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "starttls-front");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> session(s), "starttls-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void session(Socket plain) {
        try (plain) {
            OutputStream out = plain.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            write(out, "220 front ESMTP\r\n");
            String line;
            while ((line = in.readLine()) != null) {
                String cmd = line.toUpperCase(java.util.Locale.ROOT);
                if (cmd.startsWith("EHLO")) {
                    write(out, "250-front\r\n250 STARTTLS\r\n");
                } else if (cmd.startsWith("STARTTLS")) {
                    write(out, "220 go ahead\r\n");
                    SSLSocket secure = (SSLSocket) tls.getSocketFactory().createSocket(plain, null, plain.getPort(), false);
                    secure.setUseClientMode(false);
                    secure.startHandshake();
                    relay(secure);
                    return;
                } else if (cmd.startsWith("QUIT")) {
                    write(out, "221 bye\r\n");
                    return;
                } else {
                    write(out, "530 must issue STARTTLS first\r\n");
                }
            }
        } catch (IOException e) {
            // the client gave up (e.g. it refused the certificate): the session ends
        }
    }

    private void relay(SSLSocket secure) throws IOException {
        try (secure; Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
            InputStream fromBackend = backend.getInputStream();
            BufferedReader greeting = new BufferedReader(new InputStreamReader(fromBackend, StandardCharsets.US_ASCII), 1);
            greeting.readLine(); // the backend's 220: the client had the front's
            Thread up = new Thread(() -> pipe(secure, backend), "starttls-up");
            up.setDaemon(true);
            up.start();
            pipe(backend, secure);
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // one side closed
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
