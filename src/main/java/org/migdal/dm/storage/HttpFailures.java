package org.migdal.dm.storage;

import javax.net.ssl.SSLHandshakeException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * The one place that says what an I/O failure of an HTTP request to a storage (WebDAV, Tape REST API) was: a connect or
 * reply timeout, a refused connection, a TLS handshake refused. {@link org.migdal.dm.health.Failures} then decides
 * whether the endpoint as a whole failed.
 */
final class HttpFailures {
    private HttpFailures() {
    }

    /**
     * {@code what} says which request ("PUT https://… failed: "); {@code scrub} removes credentials from server text.
     */
    static StorageException of(IOException e, String url, String what, Duration connectTimeout, Duration requestTimeout,
                                UnaryOperator<String> scrub) {
        if (e instanceof HttpConnectTimeoutException) {
            return new StorageException(StorageException.Kind.TRANSIENT, url, what + "connect timed out after "
                    + connectTimeout.toSeconds() + " s", e);
        }
        if (e instanceof HttpTimeoutException || e instanceof java.net.SocketTimeoutException) {
            return new StorageException(StorageException.Kind.TRANSIENT, url, what + "no reply within "
                    + requestTimeout.toSeconds() + " s", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException) {
                return new StorageException(StorageException.Kind.DENIED, url, what + "TLS handshake failed ("
                        + scrub.apply(String.valueOf(t.getMessage())) + "); check the host certificate, the CA directory and the proxy", e);
            }
            if (t instanceof ConnectException) {
                return new StorageException(StorageException.Kind.TRANSIENT, url, what + "cannot connect ("
                        + scrub.apply(String.valueOf(t.getMessage())) + ")", e);
            }
        }
        return new StorageException(StorageException.Kind.TRANSIENT, url, what + e.getClass().getSimpleName()
                + (e.getMessage() != null ? " " + scrub.apply(e.getMessage()) : ""), e);
    }
}
