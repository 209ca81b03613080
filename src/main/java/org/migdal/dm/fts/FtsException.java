package org.migdal.dm.fts;

import java.net.URI;
import java.util.Optional;

/**
 * A failed FTS3 call, typed by {@link Kind}: which endpoint, which method, what the server answered (HTTP status and the
 * message from its JSON {@code {"status": …, "message": …}} body, or an excerpt of an HTML error page). Messages never
 * carry credentials: URLs lose any user-info, bearer tokens, JWT-like strings and PEM blocks are cut out of server text.
 */
public final class FtsException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, so the caller can decide between retry, re-delegation, resubmission and giving up. */
    public enum Kind {
        /** 400: the request was refused as malformed or invalid; also client-side refusals (status 0). */
        BAD_REQUEST,
        /** 401/403: credentials missing, invalid, not authorised, or the operation needs another authentication method. */
        AUTH,
        /** 404: no such job, field or delegation, or an endpoint that does not exist. */
        NOT_FOUND,
        /** 409: a duplicated sid or a duplicated submission. */
        CONFLICT,
        /** 419: the delegated proxy is missing, expired or has under one hour left: delegate again. */
        DELEGATION,
        /** 503, any other 5xx, connection failures and timeouts: try again later. */
        UNAVAILABLE,
        /** The TLS handshake failed: the server's certificate is not trusted by the grid CAs, or it refused ours. */
        TLS,
        /** Anything else, including replies that do not follow the FTS3 formats. */
        OTHER
    }

    private final Kind kind;
    private final String method;
    private final URI url;
    private final int status;
    private final String serverMessage;

    public FtsException(Kind kind, String method, URI url, int status, String serverMessage, String detail, Throwable cause) {
        super(format(kind, method, url, status, serverMessage, detail), cause);
        this.kind = kind;
        this.method = method;
        this.url = url == null ? null : Http.safe(url);
        this.status = status;
        this.serverMessage = serverMessage;
    }

    private static String format(Kind kind, String method, URI url, int status, String serverMessage, String detail) {
        StringBuilder sb = new StringBuilder("FTS3 ");
        sb.append(method == null ? "request" : method);
        if (url != null) {
            sb.append(' ').append(Http.safe(url));
        }
        sb.append(": ");
        if (status > 0) {
            sb.append("HTTP ").append(status).append(' ');
        }
        sb.append(kind);
        if (serverMessage != null && !serverMessage.isBlank()) {
            sb.append(": ").append(serverMessage);
        }
        if (detail != null && !detail.isBlank()) {
            sb.append(" (").append(detail).append(')');
        }
        return sb.toString();
    }

    /** Maps an HTTP status to a kind as reference §4 does. */
    public static Kind kindOf(int status) {
        if (status == 400) {
            return Kind.BAD_REQUEST;
        }
        if (status == 401 || status == 403) {
            return Kind.AUTH;
        }
        if (status == 404) {
            return Kind.NOT_FOUND;
        }
        if (status == 409) {
            return Kind.CONFLICT;
        }
        if (status == 419) {
            return Kind.DELEGATION;
        }
        if (status >= 500 && status <= 599) {
            return Kind.UNAVAILABLE;
        }
        return Kind.OTHER;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP method, e.g. {@code POST}. */
    public String method() {
        return method;
    }

    /** The URL called (never with user-info), or null. */
    public URI url() {
        return url;
    }

    /** The HTTP status, or 0 when there was no reply (timeout, connection failure) or the request was refused client-side. */
    public int status() {
        return status;
    }

    /** The server's own message (JSON {@code message}, per-job {@code http_message}, or an HTML excerpt), if any. */
    public Optional<String> serverMessage() {
        return Optional.ofNullable(serverMessage);
    }

    /** True when trying again later may help (503, other 5xx, timeouts, connection failures). */
    public boolean isRetryable() {
        return kind == Kind.UNAVAILABLE;
    }

    /**
     * The one rule of what an FTS failure is about. {@link Scope#REQUEST}: FTS read the request and refused it (400 bad
     * request, 409 conflict): the files in it failed. {@link Scope#SERVER}: everything else — unreachable, timeout, 5xx,
     * TLS, 401/403 authentication, 419 delegation, 404 on an endpoint FTS must have, a reply that is not FTS's format:
     * the FTS server (or our credential there) is unusable for every file, and no file is to blame.
     */
    public Scope scope() {
        return kind == Kind.BAD_REQUEST || kind == Kind.CONFLICT ? Scope.REQUEST : Scope.SERVER;
    }

    /** {@link #scope()} is {@link Scope#SERVER}. */
    public boolean isServerWide() {
        return scope() == Scope.SERVER;
    }

    /** What a failure is about: the request (its files) or the whole FTS server. */
    public enum Scope { REQUEST, SERVER }
}
