package org.migdal.dm.security;

/** A credential is missing, unreadable, unsafe, expired or malformed; the message says how to fix it. Never holds key material. */
public final class CredentialException extends Exception {
    private static final long serialVersionUID = 1L;

    public CredentialException(String message) {
        super(message);
    }

    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
