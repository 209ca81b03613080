package org.migdal.dm.storage;

/**
 * A storage operation failed. The message names the URL and the storage's reply; {@link #kind()}
 * tells the caller whether another attempt can help.
 */
public class StorageException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Not found. */
        NOT_FOUND,
        /** Already exists and overwrite was not asked. */
        EXISTS,
        /** Authentication or permission refused. */
        DENIED,
        /** No space left on the storage. */
        NO_SPACE,
        /** The storage refuses writes as a whole (read-only file system or server). */
        READ_ONLY,
        /** The endpoint does not show its marker file: not mounted, or not the storage it claims to be. */
        MARKER_MISSING,
        /** A path component is longer than {@link StorageNames#NAME_MAX} bytes: no storage takes it, no retry helps. */
        NAME_TOO_LONG,
        /** Size or checksum differs from what was expected. */
        CORRUPT,
        /** A passing fault: timeout, connection reset, 5xx. */
        TRANSIENT,
        /** Anything else; retried like TRANSIENT up to the attempt limit. */
        OTHER
    }

    private final Kind kind;
    private final String url;

    public StorageException(Kind kind, String url, String message) {
        this(kind, url, message, null);
    }

    public StorageException(Kind kind, String url, String message, Throwable cause) {
        super(url + ": " + message, cause);
        this.kind = kind;
        this.url = url;
    }

    public Kind kind() {
        return kind;
    }

    public String url() {
        return url;
    }
}
