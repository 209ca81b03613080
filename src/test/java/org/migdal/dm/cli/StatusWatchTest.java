package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.config.ConfigLoader;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code status --watch}: each drawing reads the catalog again; on a terminal the screen is cleared before each, elsewhere
 * drawings follow one another under a timestamp line. Two drawings, the pause replaced by a step of the pipeline.
 */
class StatusWatchTest {
    @TempDir
    Path tmp;

    /** A clock the pause moves forward. */
    static final class StepClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private String watch(CliFixture fx, boolean terminal, List<Duration> pauses) throws Exception {
        StringWriter text = new StringWriter();
        StepClock clock = new StepClock();
        try (Context ctx = new Context(ConfigLoader.load(fx.config))) {
            StatusWatch w = new StatusWatch(new PrintWriter(text, true), terminal, clock, d -> {
                pauses.add(d);
                clock.now.updateAndGet(t -> t.plus(d));
                assertThat(fx.cli("ship").code()).isZero(); // the catalog changes between two drawings
            });
            long drawn = w.run(Duration.ofSeconds(7), 2, out -> InfoCommands.Status.print(ctx.catalog(), ctx.config, out, false));
            assertThat(drawn).isEqualTo(2);
        }
        return text.toString();
    }

    @Test
    void notOnATerminalDrawingsFollowOneAnotherUnderATimestampLine() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("scan").code()).isZero();
        List<Duration> pauses = new ArrayList<>();

        String out = watch(fx, false, pauses);

        assertThat(pauses).containsExactly(Duration.ofSeconds(7)); // one pause between two drawings, none after the last
        assertThat(out).doesNotContain(StatusWatch.CLEAR);
        int second = out.indexOf("=== status at 2026-12-01T10:00:07Z ===");
        assertThat(out).startsWith("=== status at 2026-12-01T10:00:00Z ===\n");
        assertThat(second).isPositive();
        assertThat(out.substring(0, second)).containsPattern("(?m)^REGISTERED .* 7 / ").doesNotContain("ON_DISK_STORAGE");
        assertThat(out.substring(second)).containsPattern("(?m)^ON_DISK_STORAGE .* 7 / ").doesNotContain("REGISTERED");
    }

    @Test
    void onATerminalTheScreenIsClearedBeforeEachDrawing() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("scan").code()).isZero();

        String out = watch(fx, true, new ArrayList<>());

        String[] screens = out.split(java.util.regex.Pattern.quote(StatusWatch.CLEAR), -1);
        assertThat(screens).hasSize(3); // nothing before the first clear, then two screens
        assertThat(screens[0]).isEmpty();
        assertThat(screens[1]).startsWith("every 7 s, at 2026-12-01T10:00:00Z (Ctrl-C to stop)").contains("REGISTERED");
        assertThat(screens[2]).startsWith("every 7 s, at 2026-12-01T10:00:07Z").contains("ON_DISK_STORAGE").doesNotContain("===");
    }

    @Test
    void anInterruptStopsTheWatch() throws Exception {
        StringWriter text = new StringWriter();
        StatusWatch w = new StatusWatch(new PrintWriter(text, true), false, new StepClock(), d -> {
            throw new InterruptedException();
        });
        try {
            assertThat(w.run(Duration.ofSeconds(1), Long.MAX_VALUE, out -> out.println("drawn"))).isEqualTo(1);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted(); // clear it for the tests that follow
        }
    }

    @Test
    void watchWithJsonOrZeroSecondsIsAUsageError() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        assertThat(fx.cli("status", "--watch", "--json").code()).isEqualTo(2);
        assertThat(fx.cli("status", "--watch", "0").code()).isEqualTo(2);
    }
}
