package org.migdal.dm.cli;

import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT as a request to stop: they count {@code stop} down instead of ending the JVM, so a long-running
 * command finishes what it is doing, closes what it opened and exits 0.
 */
final class StopSignals {
    private StopSignals() {
    }

    @SuppressWarnings("removal")
    static void install(CountDownLatch stop) {
        for (String name : new String[]{"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.countDown());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // this JVM reserves the signal (e.g. -Xrs): the JVM's own shutdown applies
            }
        }
    }
}
