package org.migdal.dm.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;

/**
 * {@code status --watch}: the status drawn again every interval until interrupted. On a terminal the screen is cleared
 * before each drawing, under a line with the time; elsewhere (a file, a pipe) drawings follow one another, each after a
 * line {@code === status at TIME ===}, so nothing is lost. The number of drawings, the clock and the wait are given, so
 * that a test runs it without sleeping.
 */
final class StatusWatch {
    /** How the watch waits between drawings ({@code Thread::sleep} in use). */
    interface Pause {
        void sleep(Duration d) throws InterruptedException;
    }

    /** One drawing of the status. */
    interface Drawing {
        void draw(PrintWriter out) throws Exception;
    }

    static final String CLEAR = "\033[H\033[2J";

    private final PrintWriter out;
    private final boolean terminal;
    private final Clock clock;
    private final Pause pause;

    StatusWatch(PrintWriter out, boolean terminal, Clock clock, Pause pause) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
        this.pause = pause;
    }

    /** Draws {@code times} times (Long.MAX_VALUE: until interrupted), {@code every} apart; returns how many were drawn. */
    long run(Duration every, long times, Drawing drawing) throws Exception {
        long drawn = 0;
        while (drawn < times) {
            if (terminal) {
                out.print(CLEAR);
                out.println("every " + every.toSeconds() + " s, at " + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " (Ctrl-C to stop)");
                out.println();
            } else {
                out.println("=== status at " + clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + " ===");
            }
            drawing.draw(out);
            out.flush();
            drawn++;
            if (drawn < times) {
                try {
                    pause.sleep(every);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return drawn;
    }
}
