package org.migdal.dm.notify;

/** A channel that could not deliver: names the server and its reply, never a credential. */
public final class ChannelException extends Exception {
    public ChannelException(String message) {
        super(message);
    }

    public ChannelException(String message, Throwable cause) {
        super(message, cause);
    }
}
