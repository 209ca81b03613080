package org.migdal.dm.web;

/** A request the dashboard refuses (400), with the reason shown to the caller. */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message);
    }
}
