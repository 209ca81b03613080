package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress bar's rendering, with the terminal flag and the clock given (no terminal, no sleeping). */
class ProgressTest {
    static final long MIB = 1 << 20;

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAtMostFiveTimesASecondAndEndsTheLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong nanos = new AtomicLong(0);
        try (Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, "ship", 4 * MIB, nanos::get)) {
            nanos.set(1_000_000_000L);
            p.accept(MIB);              // drawn: the first
            nanos.addAndGet(100_000_000L);
            p.accept(MIB);              // not drawn: 0.1 s after the last
            nanos.addAndGet(150_000_000L);
            p.accept(MIB);              // drawn: 0.25 s after
            nanos.addAndGet(10_000_000L);
            p.accept(MIB);              // drawn: the end, however soon
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        String[] draws = out.split("\r", -1);
        assertThat(draws).hasSize(4); // "" then three drawings
        assertThat(draws[1]).startsWith("ship       [########                      ]  25%      1.0 / 4.0 MiB    1.0 MiB/s");
        assertThat(draws[2]).contains("[#######################       ]  75%").contains("3.0 / 4.0 MiB");
        assertThat(draws[3]).contains("[##############################] 100%").contains("4.0 / 4.0 MiB").endsWith("MiB/s\n");
        assertThat(out.chars().filter(c -> c == '\n').count()).as("one newline, at the end").isEqualTo(1);
    }

    @Test
    void aLogLineWrittenWhileTheBarIsShownGetsALineOfItsOwnAndTheBarComesBackBelow() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream terminal = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PrintStream stderr = System.err;
        System.setErr(terminal); // where the stderr log appender writes
        try {
            AtomicLong nanos = new AtomicLong(0);
            try (Progress p = new Progress(terminal, true, "recall", 2 * MIB, nanos::get)) {
                p.accept(MIB);
                org.slf4j.LoggerFactory.getLogger(ProgressTest.class).warn("a log line\nwith a newline");
                nanos.addAndGet(1_000_000_000L);
                p.accept(MIB);
            }
            org.slf4j.LoggerFactory.getLogger(ProgressTest.class).warn("after the bar");
        } finally {
            System.setErr(stderr);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        String bar = Progress.line("recall", MIB, 2 * MIB, 0);
        int log = out.indexOf("\r\033[K");
        assertThat(out).startsWith(bar + "\r\033[K");
        assertThat(out.substring(log + 4)).matches("(?s)\\d{4}-.* WARN  ProgressTest: a log line\\\\nwith a newline\n"
                + java.util.regex.Pattern.quote(bar) + "\r.*100%.*\n\\d{4}-.* WARN  ProgressTest: after the bar\n");
    }

    @Test
    void withoutATerminalNothingIsWritten() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, "ship", 4 * MIB, () -> 0)) {
            p.accept(4 * MIB);
        }
        assertThat(bytes.size()).isZero();
    }

    @Test
    void jsonOrAStandardErrorThatIsNotATerminalGivesNoBar() {
        assertThat(Progress.interactive(true)).isFalse();
        // the tests' standard output and error are files or pipes, never a terminal
        assertThat(Progress.stderrIsTerminal()).isFalse();
        assertThat(Progress.stdoutIsTerminal()).isFalse();
        assertThat(Progress.interactive(false)).isFalse();
    }
}
