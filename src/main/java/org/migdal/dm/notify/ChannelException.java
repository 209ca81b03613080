package org.migdal.dm.notify;

/** A channel that could not deliver: names the server and its reply, never a credential. */
public final class ChannelException extends Exception {
    public ChannelException(String message) {
        super(message);
    }

    public ChannelException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The server's reply or the connection's failure, with its causes (no credential is in them). */
    static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 600; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage().strip());
            }
            if (t instanceof jakarta.mail.MessagingException me && me.getNextException() != null && me.getNextException() != t.getCause()) {
                sb.append(" <- ").append(me.getNextException());
            }
        }
        return sb.toString();
    }
}
