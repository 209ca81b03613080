package org.migdal.dm.web;

/** The dashboard could not start (the address is taken, not local, or cannot be resolved). */
public final class WebServerException extends RuntimeException {
    public WebServerException(String message, Throwable cause) {
        super(message, cause);
    }
}
