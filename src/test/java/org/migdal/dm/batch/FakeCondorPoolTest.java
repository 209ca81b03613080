package org.migdal.dm.batch;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** The stand-in HTCondor pool behaves as the reference says (formats byte-exact, faults as documented). */
class FakeCondorPoolTest {
    private static final String TS = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d";
    private static final String SCHEDD =
            "<127\\.0\\.0\\.1:9618\\?addrs=127\\.0\\.0\\.1-9618&alias=localhost&noUDP&sock=schedd_fake>";
    private static final String USAGE = "Usr \\d+ \\d\\d:\\d\\d:\\d\\d, Sys \\d+ \\d\\d:\\d\\d:\\d\\d";
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path tmp;

    private FakeCondorPool pool;
    private Path cycle;
    private Path log;
    private Path gate;

    @BeforeEach
    void setUp() throws IOException {
        pool = FakeCondorPool.create(tmp);
        cycle = Files.createDirectories(tmp.resolve("spool/20260801T120000-abc123"));
        log = cycle.resolve("events.log");
        gate = tmp.resolve("gate");
    }

    @AfterEach
    void tearDown() {
        List<Long> runners = pool.runnerPids();
        pool.close();
        for (long pid : runners) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("runner %d after close()", pid).isFalse();
        }
    }

    // ------------------------------------------------------------------ fixtures ----

    /** The worker stand-in: prints argv, cwd, env, the proxy; leaves a file; optionally waits for the gate file. */
    private Path worker() throws IOException {
        Path exe = tmp.resolve("worker.sh");
        Files.writeString(exe, String.join("\n",
                "#!/bin/sh",
                "echo \"argc:$#\"",
                "for a in \"$@\"; do echo \"arg:$a\"; done",
                "echo \"cwd:$(pwd)\"",
                "env | LC_ALL=C sort | sed 's/^/env:/'",
                "if [ -n \"$X509_USER_PROXY\" ]; then echo \"proxy:$(cat \"$X509_USER_PROXY\")\"; "
                        + "ls -l \"$X509_USER_PROXY\" | cut -c1-10 | sed 's/^/proxymode:/'; fi",
                "if [ -n \"$PIDFILE\" ]; then echo $$ > \"$PIDFILE\"; fi",
                "if [ -n \"$GATE\" ]; then while [ ! -e \"$GATE\" ]; do sleep 0.05; done; fi",
                "echo made > made-by-job.txt",
                "echo 'worker log line' >&2",
                "exit 0",
                ""));
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        return exe;
    }

    /** Writes jobs/*.json, items.txt and cycle.sub of the SPEC's shape; returns cycle.sub. */
    private Path writeCycle(List<String> lfns, String environment, Path proxy) throws IOException {
        Files.createDirectories(cycle.resolve("jobs"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < lfns.size(); i++) {
            String job = "j" + i + "-3f9a1c0b2d4e";
            Files.writeString(cycle.resolve("jobs/" + job + ".json"),
                    "{\"job\": \"" + job + "\", \"fileId\": " + (40 + i) + ", \"lfn\": \"" + lfns.get(i) + "\"}\n");
            items.append(job).append('\n');
        }
        Files.writeString(cycle.resolve("items.txt"), items.toString());
        Path exe = worker();
        List<String> lines = new ArrayList<>(List.of(
                "# " + cycle + "/cycle.sub (written by migdal-dm)",
                "universe                = vanilla",
                "executable              = " + exe,
                "transfer_executable     = False",
                "arguments               = \"job run $(MigdalJob).json 'with space' 'it''s' \"\"q\"\"\"",
                "output                  = " + cycle + "/$(ClusterId).$(ProcId).out",
                "error                   = " + cycle + "/$(ClusterId).$(ProcId).err",
                "log                     = " + log,
                "should_transfer_files   = YES",
                "when_to_transfer_output = ON_EXIT",
                "transfer_input_files    = " + cycle + "/jobs/$(MigdalJob).json",
                "request_cpus            = 1",
                "request_memory          = 2 GB",
                "request_disk            = 4 GB",
                "requirements            = (OpSys == \"LINUX\")"));
        if (environment != null) {
            lines.add("environment             = \"" + environment + "\"");
        }
        lines.add("batch_name              = migdal-grid-" + cycle.getFileName());
        if (proxy != null) {
            lines.add("x509userproxy           = " + proxy);
        }
        lines.add("MY.MigdalJob            = \"$(MigdalJob)\"");
        lines.add("queue MigdalJob from " + cycle + "/items.txt");
        Path sub = cycle.resolve("cycle.sub");
        Files.writeString(sub, String.join("\n", lines) + "\n");
        return sub;
    }

    private FakeCondorPool.Result condor(String... argv) {
        return pool.run(cycle, Map.of("MIGDAL_TEST_SECRET", "must-not-leak"), argv);
    }

    private static String id(int proc) {
        return String.format("(4711.%03d.000)", proc);
    }

    /** The complete events of the log (text up to, not including, the "...\n" line). */
    private List<String> events() {
        try {
            if (!Files.exists(log)) {
                return List.of();
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            int start = 0;
            int end;
            while ((end = text.indexOf("...\n", start)) >= 0) {
                out.add(text.substring(start, end));
                start = end + 4;
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> events(String code, int proc) {
        return events().stream().filter(e -> e.startsWith(code + " " + id(proc) + " ")).toList();
    }

    private static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(50)).until(condition::getAsBoolean);
    }

    private String awaitEvent(String code, int proc, int nth) {
        await("event " + code + " of job " + proc, () -> events(code, proc).size() >= nth);
        return events(code, proc).get(nth - 1);
    }

    private static Matcher matches(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.matches()).as("%s\n--- does not match ---\n%s", text, regex).isTrue();
        return m;
    }

    private static String normal005(int proc, int code) {
        return "005 \\" + id(proc).replace(")", "\\)") + " " + TS + " Job terminated\\.\n"
                + "\t\\(1\\) Normal termination \\(return value " + code + "\\)\n"
                + "\t\t" + USAGE + "  -  Run Remote Usage\n"
                + "\t\t" + USAGE + "  -  Run Local Usage\n"
                + "\t\t" + USAGE + "  -  Total Remote Usage\n"
                + "\t\t" + USAGE + "  -  Total Local Usage\n"
                + "\t\\d+  -  Run Bytes Sent By Job\n"
                + "\t\\d+  -  Run Bytes Received By Job\n"
                + "\t\\d+  -  Total Bytes Sent By Job\n"
                + "\t\\d+  -  Total Bytes Received By Job\n"
                + "\tPartitionable Resources :    Usage  Request Allocated \n"
                + "(\t   [A-Za-z() ]{20} : .*\n)+";
    }

    private static String rx(String literal) {
        return Pattern.quote(literal);
    }

    // --------------------------------------------------------------------- tests ----

    @Test
    void submitRunsEveryJobForRealWithAClearedEnvironmentInItsScratchDir() throws IOException {
        Path proxy = tmp.resolve("x509up_test");
        Files.writeString(proxy, "PROXY-CONTENT\n");
        Path sub = writeCycle(List.of("/2208/a/x.0000.dat", "/2208/a/x.0001.dat", "/2208/a/x.0002.dat"),
                "JAVA_HOME=/usr/lib/jvm/x MIGDAL_JAVA_OPTS='-Xmx1g -Dx=y' QUOTED=\"\"q\"\"", proxy);

        FakeCondorPool.Result r = condor("condor_submit", "-terse", sub.toString());
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).isEqualTo("4711.0 - 4711.2\n");
        assertThat(r.exit()).isZero();

        for (int p = 0; p < 3; p++) {
            matches(events("000", p).get(0), "000 \\(4711\\.00" + p + "\\.000\\) " + TS
                    + " Job submitted from host: " + SCHEDD + "\n");
        }
        String exec = awaitEvent("001", 0, 1);
        Matcher m = matches(exec, "001 \\(4711\\.000\\.000\\) " + TS + " Job executing on host: <[^>\n]+>\n"
                + "\tSlotName: slot1_[12]@localhost\n"
                + "\tCondorScratchDir = \"([^\"\n]+)\"\n"
                + "\tCpus = 1\n\tDisk = 4194304\n\tGPUs = 0\n\tMemory = 2048\n");
        String scratch = m.group(1);
        assertThat(scratch).startsWith(pool.stateDir().resolve("execute").toString() + "/dir_");
        for (int p = 0; p < 3; p++) {
            matches(awaitEvent("005", p, 1), normal005(p, 0));
        }

        List<String> out = Files.readAllLines(cycle.resolve("4711.0.out"));
        assertThat(out).startsWith("argc:6", "arg:job", "arg:run", "arg:j0-3f9a1c0b2d4e.json", "arg:with space",
                "arg:it's", "arg:\"q\"", "cwd:" + scratch);
        assertThat(out).contains("env:JAVA_HOME=/usr/lib/jvm/x", "env:MIGDAL_JAVA_OPTS=-Xmx1g -Dx=y",
                "env:QUOTED=\"q\"", "env:PATH=/usr/bin:/bin", "env:HOME=" + scratch,
                "env:_CONDOR_SCRATCH_DIR=" + scratch, "env:X509_USER_PROXY=" + scratch + "/x509up_test",
                "proxy:PROXY-CONTENT", "proxymode:-rw-------");
        assertThat(out).noneMatch(l -> l.contains("MIGDAL_TEST_SECRET") || l.contains("MIGDAL_FAKE_CONDOR"));
        assertThat(Files.readString(cycle.resolve("4711.0.err"))).isEqualTo("worker log line\n");
        assertThat(pool.leftovers()).containsExactlyInAnyOrder(
                "4711.0\tmade-by-job.txt", "4711.1\tmade-by-job.txt", "4711.2\tmade-by-job.txt");
        assertThat(Path.of(scratch)).doesNotExist();

        // all done: condor_q prints nothing at all, condor_history the three ads, newest first
        r = condor("condor_q", "4711", "-json", "-attributes", "ClusterId,ProcId,JobStatus");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        r = condor("condor_history", "4711", "-json", "-attributes",
                "ProcId,JobStatus,ExitCode,ExitBySignal,MigdalJob,NoSuchAttr", "-limit", "2");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).matches(Pattern.compile("\\[\n"
                + "\\{\n  \"ExitBySignal\": false,\n  \"ExitCode\": 0,\n  \"JobStatus\": 4,\n"
                + "  \"MigdalJob\": \"j\\d-3f9a1c0b2d4e\",\n  \"ProcId\": \\d\n}\n,\n"
                + "\\{\n  \"ExitBySignal\": false,\n  \"ExitCode\": 0,\n  \"JobStatus\": 4,\n"
                + "  \"MigdalJob\": \"j\\d-3f9a1c0b2d4e\",\n  \"ProcId\": \\d\n}\n\\]\n"));
        r = condor("condor_history", "4712", "-json", "-attributes", "ProcId");
        assertThat(r.stdout()).isEqualTo("[\n]\n");
        r = condor("condor_history", "-constraint", "MigdalJob =?= \"j1-3f9a1c0b2d4e\"", "-limit", "1",
                "-af:j", "JobStatus", "ExitCode", "HoldReason");
        assertThat(r.stdout()).isEqualTo("4711.1 4 0 undefined\n");

        // the next submission gets the next cluster
        r = condor("condor_submit", "-terse", sub.toString());
        assertThat(r.stdout()).isEqualTo("4712.0 - 4712.2\n");
        await("4712 done", () -> events().stream().filter(e -> e.startsWith("005 (4712.")).count() == 3);
    }

    @Test
    void eachFaultKindProducesItsEvents() throws IOException {
        pool.writeFaults("""
                {"slots": 10, "faults": [
                  {"match": "HOLD", "kind": "hold", "code": 13, "subcode": 2,
                   "reason": "Error from slot1_1@ep01.example.org: input missing", "times": 1},
                  {"match": "EVICT", "kind": "evict", "times": 1},
                  {"match": "KILL", "kind": "kill"},
                  {"match": "ABORT", "kind": "abort"},
                  {"match": "EXIT", "kind": "exit", "code": 3},
                  {"match": "VANISH", "kind": "vanish"}
                ]}
                """);
        Path sub = writeCycle(List.of("/d/HOLD.dat", "/d/EVICT.dat", "/d/KILL.dat", "/d/ABORT.dat", "/d/EXIT.dat",
                "/d/VANISH.dat", "/d/RM.dat"), "GATE=" + gate + " PIDFILE=" + tmp + "/pid.$(ProcId)", null);
        FakeCondorPool.Result r = condor("condor_submit", "-terse", sub.toString());
        assertThat(r.stdout()).isEqualTo("4711.0 - 4711.6\n");

        // hold: 012 with reason and codes, JobStatus 5 in condor_q
        matches(awaitEvent("012", 0, 1), "012 \\(4711\\.000\\.000\\) " + TS + " Job was held\\.\n"
                + "\tError from slot1_1@ep01\\.example\\.org: input missing\n\tCode 13 Subcode 2\n");
        r = condor("condor_q", "4711.0", "-json", "-attributes",
                "ProcId,JobStatus,HoldReason,HoldReasonCode,HoldReasonSubCode,ExitCode");
        assertThat(r.stdout()).isEqualTo("[\n{\n"
                + "  \"HoldReason\": \"Error from slot1_1@ep01.example.org: input missing\",\n"
                + "  \"HoldReasonCode\": 13,\n  \"HoldReasonSubCode\": 2,\n  \"JobStatus\": 5,\n  \"ProcId\": 0\n}\n]\n");

        // evict: 001, 004 plain eviction, then it runs again (second 001)
        matches(awaitEvent("004", 1, 1), "004 \\(4711\\.001\\.000\\) " + TS + " Job was evicted\\.\n"
                + "\t\\(0\\) CPU times\n"
                + "\t\t" + USAGE + "  -  Run Remote Usage\n"
                + "\t\t" + USAGE + "  -  Run Local Usage\n"
                + "\t0  -  Run Bytes Sent By Job\n"
                + "\t\\d+  -  Run Bytes Received By Job\n"
                + "\tReason: Job vacated by schedd\n");
        awaitEvent("001", 1, 2);

        // kill: SIGKILL → abnormal termination
        matches(awaitEvent("005", 2, 1), "005 \\(4711\\.002\\.000\\) " + TS + " Job terminated\\.\n"
                + "\t\\(0\\) Abnormal termination \\(signal 9\\)\n\t\\(0\\) No core file\n"
                + "\t\t" + USAGE + "  -  Run Remote Usage\n(.*\n)*");

        // abort: removed by an admin
        matches(awaitEvent("009", 3, 1), "009 \\(4711\\.003\\.000\\) " + TS + " Job was aborted\\.\n"
                + "\tvia condor_rm \\(by user condor\\)\n");

        // exit: not run, return value 3, empty .out
        matches(awaitEvent("005", 4, 1), normal005(4, 3));
        assertThat(cycle.resolve("4711.4.out")).isEmptyFile();
        assertThat(tmp.resolve("pid.4")).doesNotExist();

        // vanish: gone from the queue, not in the history, no event after 000
        await("vanish leaves the queue", () -> condor("condor_q", "4711.5", "-af:j", "JobStatus").stdout().isEmpty());
        assertThat(events().stream().filter(e -> e.contains(id(5)))).hasSize(1);

        // condor_rm of a running job: killed, 009 by the user, JobStatus 3 in history
        awaitEvent("001", 6, 1);
        await("job 6 process started", () -> Files.exists(tmp.resolve("pid.6")));
        long pid6 = Long.parseLong(Files.readString(tmp.resolve("pid.6")).trim());
        r = condor("condor_release", "4711.6");
        assertThat(r.stderr()).isEqualTo("Job 4711.6 not held to be released\n");
        assertThat(r.exit()).isEqualTo(1);
        r = condor("condor_rm", "4711.6");
        assertThat(r.stdout()).isEqualTo("Job 4711.6 marked for removal\n");
        assertThat(r.exit()).isZero();
        matches(awaitEvent("009", 6, 1), "009 \\(4711\\.006\\.000\\) " + TS + " Job was aborted\\.\n"
                + "\tvia condor_rm \\(by user " + rx(USER) + "\\)\n");
        await("job 6 process killed", () -> ProcessHandle.of(pid6).map(h -> !h.isAlive()).orElse(true));
        r = condor("condor_rm", "4711.6");
        assertThat(r.stderr()).isEqualTo("Job 4711.6 not found\n");
        assertThat(r.exit()).isEqualTo(1);

        // release the held job: 013, then it runs to completion once the gate opens
        r = condor("condor_release", "4711.0");
        assertThat(r.stdout()).isEqualTo("Job 4711.0 released\n");
        assertThat(r.exit()).isZero();
        matches(awaitEvent("013", 0, 1), "013 \\(4711\\.000\\.000\\) " + TS + " Job was released\\.\n"
                + "\tvia condor_release \\(by user " + rx(USER) + "\\)\n");
        awaitEvent("001", 0, 1);
        Files.writeString(gate, "open\n");
        matches(awaitEvent("005", 0, 1), normal005(0, 0));
        matches(awaitEvent("005", 1, 1), normal005(1, 0));
        assertThat(events("012", 0)).hasSize(1);

        r = condor("condor_history", "4711", "-af:j", "JobStatus", "ExitCode", "ExitBySignal", "ExitSignal",
                "RemoveReason");
        assertThat(r.exit()).isZero();
        assertThat(Arrays.stream(r.stdout().split("\n")).sorted().toList()).containsExactly(
                "4711.0 4 0 false undefined undefined",
                "4711.1 4 0 false undefined undefined",
                "4711.2 4 undefined true 9 undefined",
                "4711.3 3 undefined undefined undefined via condor_rm (by user condor)",
                "4711.4 4 3 false undefined undefined",
                "4711.6 3 undefined undefined undefined via condor_rm (by user " + USER + ")");
        await("queue empty", () -> condor("condor_q", "-json").stdout().isEmpty());
    }

    @Test
    void removingAClusterKillsItsRunningJobsAndCloseLeavesNoProcess() throws IOException {
        Path sub = writeCycle(List.of("/d/a.dat", "/d/b.dat", "/d/c.dat"),
                "GATE=" + gate + " PIDFILE=" + tmp + "/pid.$(ProcId)", null);
        assertThat(condor("condor_submit", "-terse", sub.toString()).stdout()).isEqualTo("4711.0 - 4711.2\n");
        await("two jobs running (2 slots)", () -> Files.exists(tmp.resolve("pid.0")) && Files.exists(tmp.resolve("pid.1")));
        FakeCondorPool.Result r = condor("condor_q", "-constraint",
                "JobBatchName =?= \"migdal-grid-" + cycle.getFileName() + "\" && JobStatus == 2", "-af:j", "JobStatus");
        assertThat(r.stdout()).isEqualTo("4711.0 2\n4711.1 2\n");
        r = condor("condor_q", "-constraint", "MigdalJob =?= \"j2-3f9a1c0b2d4e\"", "-af:j", "JobStatus", "MigdalJob");
        assertThat(r.stdout()).isEqualTo("4711.2 1 j2-3f9a1c0b2d4e\n");
        r = condor("condor_q", "-constraint", "Owner == \"x\" || JobStatus == 2", "-json");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr())
                .isEqualTo("\n-- Parse error in constraint expression \"Owner == \"x\" || JobStatus == 2\"\n");
        assertThat(r.stdout()).isEmpty();

        long pid0 = Long.parseLong(Files.readString(tmp.resolve("pid.0")).trim());
        r = condor("condor_rm", "-reason", "cycle cancelled", "4711");
        assertThat(r.stdout()).isEqualTo("All jobs in cluster 4711 have been marked for removal\n");
        assertThat(r.exit()).isZero();
        for (int p = 0; p < 3; p++) {
            matches(awaitEvent("009", p, 1), "009 \\" + id(p).replace(")", "\\)") + " " + TS
                    + " Job was aborted\\.\n\tcycle cancelled\n");
        }
        await("job 0 killed", () -> ProcessHandle.of(pid0).map(h -> !h.isAlive()).orElse(true));
        r = condor("condor_rm", "4711");
        assertThat(r.stderr()).isEqualTo("condor_rm:0:There are no jobs in the queue\n");
        r = condor("condor_history", "4711", "-json", "-attributes", "ProcId,JobStatus,RemoveReason,CompletionDate",
                "-limit", "1");
        assertThat(r.stdout()).matches("\\[\n\\{\n  \"JobStatus\": 3,\n  \"ProcId\": \\d,\n"
                + "  \"RemoveReason\": \"cycle cancelled\"\n}\n\\]\n");

        // a held job keeps its runner alive; close() (in tearDown) must end it
        pool.writeFaults("{\"faults\": [{\"match\": \"a.dat\", \"kind\": \"hold\"}]}");
        assertThat(condor("condor_submit", "-terse", sub.toString()).stdout()).isEqualTo("4712.0 - 4712.2\n");
        await("4712.0 held", () -> events().stream().anyMatch(e -> e.startsWith("012 (4712.000.000)")));
        assertThat(pool.runnerPids()).isNotEmpty();
    }

    @Test
    void submitErrorsAndScheddFaultsUseTheReferenceTexts() throws IOException {
        Path sub = writeCycle(List.of("/d/a.dat"), null, null);
        Path noQueue = cycle.resolve("noqueue.sub");
        Files.writeString(noQueue, "executable = /bin/true\ntransfer_executable = False\n");
        FakeCondorPool.Result r = condor("condor_submit", "-terse", noQueue.toString());
        assertThat(r.stderr()).isEqualTo("\nERROR: \"" + noQueue + "\" doesn't contain any \"queue\" commands -- no jobs queued\n");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();

        Path bad = cycle.resolve("bad.sub");
        Files.writeString(bad, "executable = /bin/true\n# comment\nthis line is wrong\nqueue\n");
        r = condor("condor_submit", "-terse", bad.toString());
        assertThat(r.stderr()).endsWith("\n\nERROR: Failed to parse command file (line 3).\n").startsWith("ERROR: ");
        assertThat(r.exit()).isEqualTo(1);

        pool.writeFaults("{\"submit\": \"refuse\"}");
        r = condor("condor_submit", "-terse", sub.toString());
        assertThat(r.stderr()).startsWith("\nERROR: Failed to commit job submission into the queue.\nERROR: ");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        pool.writeFaults("{\"submit\": \"proxy-expired\"}");
        r = condor("condor_submit", "-terse", sub.toString());
        assertThat(r.stderr()).isEqualTo("ERROR: proxy has expired\n");
        assertThat(r.exit()).isEqualTo(1);

        pool.writeFaults("{\"schedd\": \"down\"}");
        r = condor("condor_submit", "-terse", sub.toString());
        assertThat(r.stderr()).isEqualTo("\nERROR: Can't find address of local schedd\n");
        assertThat(r.exit()).isEqualTo(1);
        r = condor("condor_q", "-json");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).startsWith("Error: ").contains("\nExtra Info: You probably saw this error because the condor_schedd is not running\n");
        r = condor("condor_history", "4711", "-json");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        r = condor("condor_rm", "4711");
        assertThat(r.stderr()).startsWith("condor_rm: ");
        assertThat(r.exit()).isEqualTo(1);
        r = condor("condor_release", "4711.0");
        assertThat(r.stderr()).startsWith("condor_release: ");
        assertThat(r.exit()).isEqualTo(1);
        pool.writeFaults("{\"schedd\": \"unauthenticated\"}");
        r = condor("condor_q", "-json");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderr()).startsWith("\n-- Failed to fetch ads from: <127.0.0.1:9618?")
                .contains("AUTHENTICATE:1003:Failed to authenticate with any method\n");

        pool.writeFaults("{}");
        Path noLogDir = cycle.resolve("nolog.sub");
        Files.writeString(noLogDir, "executable = /bin/true\ntransfer_executable = False\nlog = " + tmp
                + "/missing/events.log\nqueue\n");
        r = condor("condor_submit", "-terse", noLogDir.toString());
        assertThat(r.stderr()).isEqualTo("\nERROR: Invalid log file: \"" + tmp + "/missing/events.log\" (No such file or directory)\n");
        assertThat(r.exit()).isEqualTo(1);

        // nothing was queued by the failures: the first good submission gets the first cluster
        assertThat(events()).isEmpty();
        r = condor("condor_q", "-json");
        assertThat(r.stdout()).isEmpty();
        assertThat(r.exit()).isZero();
        r = condor("condor_submit", "-terse", sub.toString());
        assertThat(r.stdout()).isEqualTo("4711.0 - 4711.0\n");
        matches(awaitEvent("005", 0, 1), normal005(0, 0));
    }

    @Test
    void submitFileSyntaxQueueCountsOldArgumentsAndOutputTransferFailure() throws IOException {
        Path exe = worker();
        Path sub = cycle.resolve("syntax.sub");
        Files.writeString(sub, String.join("\n",
                "# a comment line",
                "Executable = " + exe,
                "TRANSFER_EXECUTABLE = true",
                "arguments = one \\\"two\\\" $(Cluster).$(Process)",
                "output = " + cycle + "/o.$(Process)",
                "error = " + tmp + "/no-such-dir/e.$(Process)",
                "log = " + log,
                "+MigdalJob = \\",
                "   \"x-$(ProcId)\"",
                "MY.Attempt = 7",
                "batch_name = syntax",
                "queue 2",
                "executable = ignored after the last queue",
                ""));
        FakeCondorPool.Result r = condor("condor_submit", "-terse", sub.toString());
        assertThat(r.stderr()).isEmpty();
        assertThat(r.stdout()).isEqualTo("4711.0 - 4711.1\n");
        // stdout transferred, stderr cannot be: held with TransferOutputError (12)
        matches(awaitEvent("012", 1, 1), "012 \\(4711\\.001\\.000\\) " + TS + " Job was held\\.\n"
                + "\tTransfer output files failure at access point localhost .*\n\tCode 12 Subcode 2\n");
        assertThat(Files.readAllLines(cycle.resolve("o.1"))).startsWith("argc:3", "arg:one", "arg:\"two\"",
                "arg:4711.1");
        r = condor("condor_q", "4711.1", "-json");
        assertThat(r.stdout()).startsWith("[\n{\n")
                .contains("\n  \"Args\": \"one ")
                .contains("\n  \"Attempt\": 7,\n")
                .contains("\n  \"JobBatchName\": \"syntax\",\n")
                .contains("\n  \"MigdalJob\": \"x-1\",\n")
                .contains("\n  \"HoldReasonCode\": 12,\n")
                .contains("\n  \"ServerTime\": ")
                .endsWith("\n}\n]\n");
        r = condor("condor_rm", "4711.1");
        assertThat(r.stdout()).isEqualTo("Job 4711.1 marked for removal\n");
        awaitEvent("009", 1, 1);
    }

    @Test
    void aScheddThatIsDownStartsNothingNewButRunningJobsFinishAndLog() throws IOException, InterruptedException {
        pool.writeFaults("{\"slots\": 1}");
        Path sub = writeCycle(List.of("/d/a.dat", "/d/b.dat"), "GATE=" + gate, null);
        assertThat(condor("condor_submit", "-terse", sub.toString()).stdout()).isEqualTo("4711.0 - 4711.1\n");
        awaitEvent("001", 0, 1);
        pool.writeFaults("{\"slots\": 1, \"schedd\": \"down\"}");
        Files.writeString(gate, "open\n");
        matches(awaitEvent("005", 0, 1), normal005(0, 0));
        // a negative check: for five of the runner's 0.1 s polls the second job does not start while the schedd is down
        Awaitility.await("no new job starts while the schedd is down").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
                .until(() -> events("001", 1).isEmpty());
        assertThat(condor("condor_q", "-json").exit()).isEqualTo(1);
        pool.writeFaults("{\"slots\": 1}");
        matches(awaitEvent("005", 1, 1), normal005(1, 0));
    }
}
