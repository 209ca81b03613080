package org.migdal.dm.notify;

/** Where messages go: e-mail or a webhook. */
public interface Channel {
    /** A stable name, the key of the channel's state ({@code smtp}, {@code webhook}). */
    String name();

    /** Sends one message; throws {@link ChannelException} naming the server and its reply when it is refused. */
    void send(Message message) throws ChannelException;
}
