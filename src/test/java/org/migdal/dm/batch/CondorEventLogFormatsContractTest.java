package org.migdal.dm.batch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link EventLog} against the job event logs of reference §4 (fixtures byte-exact, TAB-indented): the 24.8+/25.x
 * sample, the 23.0/24.0 ToE lines, 25.11 submit notes, the time formats, rarer events, CRLF, and the §4.7 reader rules.
 */
class CondorEventLogFormatsContractTest {
    @TempDir
    Path dir;

    @Test
    void readsEveryEventOfTheReferenceSample() throws IOException {
        Path log = CondorFixtures.path("events-24.8.log");
        EventLog.Chunk c = EventLog.read(log, 0);
        assertThat(c.offset()).isEqualTo(Files.size(log));
        assertThat(c.malformed()).isEmpty();
        assertThat(c.events()).extracting(e -> String.format("%03d %s", e.code(), e.jobId())).containsExactly(
                "000 4711.0", "000 4711.1", "000 4711.2", "000 4711.3", "040 4711.0", "040 4711.0", "001 4711.0", "001 4711.1",
                "004 4711.1", "001 4711.1", "009 4711.3", "001 4711.2", "006 4711.0", "012 4711.2", "013 4711.2", "005 4711.0");
        JobEvent submit = c.events().get(0);
        assertThat(submit.time()).isEqualTo("2024-06-10 14:05:12");
        assertThat(submit.text()).isEqualTo("Job submitted from host: <192.0.2.10:9618?addrs=192.0.2.10-9618&alias=ap.example.org&noUDP&sock=schedd_2133_9a3f>");
        assertThat(submit.subproc()).isZero();
        assertThat(submit.body()).isEmpty();
        assertThat(submit.isTerminal()).isFalse();

        JobEvent execute = c.events().get(6);
        assertThat(execute.body()).containsExactly("SlotName: slot1_1@ep01.example.org",
                "CondorScratchDir = \"/var/lib/condor/execute/dir_24117\"", "Cpus = 1", "Disk = 4194304", "GPUs = 0", "Memory = 2048");
        assertThat(execute.raw()).startsWith("001 (4711.000.000) 2024-06-10 14:06:03 Job executing on host: ")
                .endsWith("\n\tMemory = 2048\n");

        JobEvent evicted = c.events().get(8);
        assertThat(evicted.text()).isEqualTo("Job was evicted.");
        assertThat(evicted.requeued()).isTrue();
        assertThat(evicted.isTerminal()).isFalse();
        assertThat(evicted.returnValue()).isEmpty(); // the attempt's exit code is not a termination
        assertThat(evicted.body()).contains("\tUsr 0 00:01:20, Sys 0 00:00:02  -  Run Remote Usage");

        JobEvent aborted = c.events().get(10);
        assertThat(aborted.isTerminal()).isTrue();
        assertThat(aborted.reason()).contains("via condor_rm (by user alice)");

        JobEvent held = c.events().get(13);
        assertThat(held.holdCode()).hasValue(34);
        assertThat(held.holdSubcode()).hasValue(102);
        assertThat(held.holdReason()).contains("Error from slot1_3@ep03.example.org: Job has gone over cgroup memory limit of 2048 "
                + "megabytes. Last measured usage: 2061 megabytes.  Consider resubmitting with a higher request_memory.");
        assertThat(held.isTerminal()).isFalse();

        assertThat(c.events().get(14).reason()).contains("via condor_release (by user alice)");
        assertThat(c.events().get(12).text()).isEqualTo("Image size of job updated: 1215000");

        JobEvent terminated = c.events().get(15);
        assertThat(terminated.isTerminal()).isTrue();
        assertThat(terminated.returnValue()).hasValue(0);
        assertThat(terminated.signal()).isEmpty();
        assertThat(terminated.body()).hasSize(14).last().isEqualTo("   TimeExecute (s)      :   821                       ");
        assertThat(terminated.toString()).isEqualTo("005 (4711.0) 2024-06-10 14:19:47 Job terminated.");
    }

    @Test
    void readsTheToeLinesOfLts23And24() throws IOException {
        EventLog.Chunk c = EventLog.read(CondorFixtures.path("events-23.0-toe.log"), 0);
        assertThat(c.events()).extracting(JobEvent::code).containsExactly(0, 0, 1, 5, 9);
        assertThat(c.events().get(0).jobId()).isEqualTo(new JobId(6, 0)); // "006.000.000": zero padded
        JobEvent terminated = c.events().get(3);
        assertThat(terminated.returnValue()).hasValue(0);
        assertThat(terminated.body()).endsWith("", "Job terminated of its own accord at 2023-01-24T15:43:00Z with exit-code 0.");
        JobEvent aborted = c.events().get(4);
        assertThat(aborted.reason()).contains("via condor_rm (by user alice)");
        assertThat(aborted.body()).hasSize(3).element(1).isEqualTo("");
    }

    @Test
    void keepsTheSubmitNotesOf2511WithTheirSpaces() throws IOException {
        EventLog.Chunk c = EventLog.read(CondorFixtures.path("events-25.11-notes.log"), 0);
        assertThat(c.events()).hasSize(2);
        assertThat(c.events().get(0).body()).containsExactly("    [ JobBatchName = \"migdal-grid-20240610T140512\"; MigdalJob = \"j42-3f9a1c0b2d4e\" ]");
        assertThat(c.events().get(1).body().get(0)).contains("MigdalJob = \"j43-0c1d2e3f4a5b\"");
    }

    @Test
    void acceptsLegacyUtcAndSubSecondTimes() throws IOException {
        EventLog.Chunk c = EventLog.read(CondorFixtures.path("events-time-formats.log"), 0);
        assertThat(c.malformed()).isEmpty();
        assertThat(c.events()).extracting(JobEvent::time)
                .containsExactly("06/10 14:05:12", "2024-06-10 14:05:12Z", "2024-06-10 14:05:12.345", "2024-06-10 14:05:12.345Z");
        assertThat(c.events()).extracting(JobEvent::proc).containsExactly(0, 1, 2, 3);
        assertThat(c.events()).allSatisfy(e -> assertThat(e.text()).startsWith("Job submitted from host: <192.0.2.10:9618"));
    }

    @Test
    void readsFactoryHoldSignalUnknownAndAdEvents() throws IOException {
        EventLog.Chunk c = EventLog.read(CondorFixtures.path("events-other.log"), 0);
        assertThat(c.malformed()).isEmpty();
        assertThat(c.events()).extracting(JobEvent::code).containsExactly(35, 12, 12, 13, 5, 28, 99, 9, 4, 36);
        assertThat(c.events().get(0).jobId()).isEqualTo(new JobId(4711, -1));
        JobEvent unspecified = c.events().get(1);
        assertThat(unspecified.holdReason()).contains("Reason unspecified");
        assertThat(unspecified.holdCode()).hasValue(0);
        JobEvent byHand = c.events().get(2);
        assertThat(byHand.holdReason()).contains("via condor_hold (by user alice)");
        assertThat(byHand.holdCode()).hasValue(1);
        assertThat(byHand.holdSubcode()).hasValue(0);
        JobEvent killed = c.events().get(4);
        assertThat(killed.isTerminal()).isTrue();
        assertThat(killed.signal()).hasValue(9);
        assertThat(killed.returnValue()).isEmpty();
        assertThat(c.events().get(5).body()).containsExactly("ExitCode = 137", "MigdalJob = \"j44-9a8b7c6d5e4f\"");
        JobEvent future = c.events().get(6);
        assertThat(future.text()).isEqualTo("An event from a future HTCondor");
        assertThat(future.body()).containsExactly("something new");
        assertThat(future.isTerminal()).isFalse();
        assertThat(c.events().get(7).reason()).contains("migdal-dm: cycle cancelled");
        JobEvent plainEviction = c.events().get(8);
        assertThat(plainEviction.requeued()).isFalse();
        assertThat(plainEviction.body()).last().isEqualTo("Reason: the startd was shut down");
        assertThat(c.events().get(9).text()).isEqualTo("Cluster removed");
        // helpers answer only for their own codes
        assertThat(c.events().get(6).holdCode()).isEqualTo(OptionalInt.empty());
        assertThat(c.events().get(6).reason()).isEmpty();
    }

    @Test
    void toleratesCrlf() throws IOException {
        byte[] lf = CondorFixtures.bytes("events-24.8.log");
        Path log = write("crlf.log", new String(lf, StandardCharsets.UTF_8).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
        EventLog.Chunk crlf = EventLog.read(log, 0);
        EventLog.Chunk plain = EventLog.read(CondorFixtures.path("events-24.8.log"), 0);
        assertThat(crlf.offset()).isEqualTo(Files.size(log));
        assertThat(crlf.events()).hasSize(16);
        assertThat(crlf.events()).extracting(JobEvent::body).isEqualTo(plain.events().stream().map(JobEvent::body).toList());
        assertThat(crlf.events()).extracting(JobEvent::text).isEqualTo(plain.events().stream().map(JobEvent::text).toList());
    }

    @Test
    void anIncompleteLastEventIsNotConsumedUntilItsEndIsWritten() throws IOException {
        byte[] all = CondorFixtures.bytes("events-24.8.log");
        String text = new String(all, StandardCharsets.UTF_8);
        int cut = text.indexOf("005 (4711.000.000)") + 60; // inside the last event, mid-line
        Path log = write("growing.log", Arrays.copyOf(all, cut));
        EventLog.Chunk first = EventLog.read(log, 0);
        assertThat(first.events()).hasSize(15);
        assertThat(first.offset()).isEqualTo(text.indexOf("005 (4711.000.000)"));

        // the body written but not yet the closing "..."
        int beforeEnd = text.length() - "...\n".length();
        Files.write(log, Arrays.copyOfRange(all, cut, beforeEnd), StandardOpenOption.APPEND);
        EventLog.Chunk second = EventLog.read(log, first.offset());
        assertThat(second.events()).isEmpty();
        assertThat(second.offset()).isEqualTo(first.offset());

        Files.write(log, Arrays.copyOfRange(all, beforeEnd, all.length), StandardOpenOption.APPEND);
        EventLog.Chunk third = EventLog.read(log, second.offset());
        assertThat(third.events()).singleElement().satisfies(e -> {
            assertThat(e.code()).isEqualTo(5);
            assertThat(e.returnValue()).hasValue(0);
            assertThat(e.body()).hasSize(14);
        });
        assertThat(third.offset()).isEqualTo(all.length);
    }

    @Test
    void aClosingLineWithoutItsNewlineStillEndsTheEvent() throws IOException {
        Path log = write("noeol.log", "013 (4711.002.000) 2024-06-10 14:15:40 Job was released.\n\tvia condor_release (by user alice)\n..."
                .getBytes(StandardCharsets.UTF_8));
        EventLog.Chunk c = EventLog.read(log, 0);
        assertThat(c.events()).hasSize(1);
        assertThat(c.offset()).isEqualTo(Files.size(log));
        Files.write(log, "\n".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        assertThat(EventLog.read(log, c.offset()).events()).isEmpty();
    }

    @Test
    void incrementalReadsFromEveryByteGiveTheSameEventsAsOneRead() throws IOException {
        byte[] all = CondorFixtures.bytes("events-24.8.log");
        List<JobEvent> whole = EventLog.read(CondorFixtures.path("events-24.8.log"), 0).events();
        Path log = write("inc.log", new byte[0]);
        List<JobEvent> seen = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < all.length; i += 37) { // the writer's bytes arrive in arbitrary pieces
            Files.write(log, Arrays.copyOfRange(all, i, Math.min(all.length, i + 37)), StandardOpenOption.APPEND);
            EventLog.Chunk c = EventLog.read(log, offset);
            seen.addAll(c.events());
            offset = c.offset();
        }
        assertThat(seen).isEqualTo(whole);
        assertThat(offset).isEqualTo(all.length);
    }

    @Test
    void aMissingLogHasNoEventsAndKeepsTheOffset() throws IOException {
        EventLog.Chunk c = EventLog.read(dir.resolve("not-yet.log"), 123);
        assertThat(c.events()).isEmpty();
        assertThat(c.offset()).isEqualTo(123);
    }

    @Test
    void aLogShorterThanTheOffsetIsAnError() throws IOException {
        Path log = write("short.log", "...\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> EventLog.read(log, 100)).isInstanceOf(IOException.class)
                .hasMessageContaining(log.toString()).hasMessageContaining("100");
    }

    @Test
    void aBlockThatIsNotAnEventIsConsumedAndReported() throws IOException {
        Path log = write("garbage.log", ("<c>\n    <a n=\"MyType\"><s>JobTerminatedEvent</s></a>\n...\n"
                + "013 (4711.002.000) 2024-06-10 14:15:40 Job was released.\n...\n").getBytes(StandardCharsets.UTF_8));
        EventLog.Chunk c = EventLog.read(log, 0);
        assertThat(c.malformed()).singleElement().asString().startsWith("<c>\n");
        assertThat(c.events()).extracting(JobEvent::code).containsExactly(13);
        assertThat(c.events().get(0).reason()).isEmpty();
        assertThat(c.offset()).isEqualTo(Files.size(log));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
