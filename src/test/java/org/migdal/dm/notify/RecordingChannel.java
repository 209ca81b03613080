package org.migdal.dm.notify;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A channel that keeps what it is given (for the state tests; the real channels have their own tests against real
 * servers): it can refuse like a server that is down, or "crash" after delivering, before the sender records it.
 */
final class RecordingChannel implements Channel {
    final List<Message> received = new CopyOnWriteArrayList<>();
    private final String name;
    volatile boolean down;
    volatile boolean crashAfterDelivery;

    /** What a process killed right after a delivery looks like to its caller. */
    static final class Killed extends Error {
        Killed() {
            super("killed after delivering, before recording");
        }
    }

    RecordingChannel(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(Message message) throws ChannelException {
        if (down) {
            throw new ChannelException("test relay 127.0.0.1:9 refused: 421 service not available");
        }
        received.add(message);
        if (crashAfterDelivery) {
            throw new Killed();
        }
    }

    List<String> lines() {
        return received.stream().map(m -> String.join(",", m.events().stream().map(e -> e.kind() + " " + e.key()).toList())).toList();
    }
}
