package org.migdal.dm.batch;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.migdal.dm.batch.CondorException.Kind.CREDENTIAL;
import static org.migdal.dm.batch.CondorException.Kind.OTHER;
import static org.migdal.dm.batch.CondorException.Kind.REFUSED;
import static org.migdal.dm.batch.CondorException.Kind.SCHEDD_UNREACHABLE;

/**
 * {@link CondorCommands} against stand-in tools that replay the recorded outputs of reference §2, §3 and §5: the exact
 * argv sent (constraints stay one argument, {@code -terse}, the projection), where and how the command runs, and how
 * each recorded reply is read.
 */
@Timeout(60)
class CondorCommandsContractTest {
    private static final String ATTRS = "ClusterId,ProcId,JobStatus,MigdalJob,JobBatchName,QDate,EnteredCurrentStatus,HoldReason,"
            + "HoldReasonCode,HoldReasonSubCode,ExitCode,ExitBySignal,ExitSignal,CompletionDate,RemoveReason,NumJobStarts";
    private static final String SCHEDD_ADDR = "<192.0.2.10:9618?addrs=192.0.2.10-9618&alias=ap.example.org&noUDP&sock=schedd_2133_9a3f>";

    @TempDir
    Path tmp;
    private StandInCommands tools;
    private CondorCommands condor;
    private Path cycle;

    @BeforeEach
    void setUp() throws IOException {
        tools = new StandInCommands(Files.createDirectory(tmp.resolve("bin")));
        condor = new CondorCommands(tools.dir(), Map.of("MIGDAL_TEST_ENV", "from-the-config"), Duration.ofSeconds(30));
        cycle = Files.createDirectory(tmp.resolve("20240610T140512-a1b2c3"));
        Files.writeString(cycle.resolve("cycle.sub"), "queue\n");
    }

    @Test
    void submitRunsTerseInTheCycleDirectoryWithStdinClosed() throws Exception {
        tools.script("condor_submit", "4711.0 - 4711.3\n", "", 0);
        ClusterRange r = condor.submit(cycle.resolve("cycle.sub"));
        assertThat(r).isEqualTo(new ClusterRange(4711, 0, 3));
        assertThat(tools.argv("condor_submit")).containsExactly("-terse", cycle.resolve("cycle.sub").toString());
        assertThat(tools.recorded("condor_submit", "cwd").strip()).isEqualTo(cycle.toRealPath().toString());
        assertThat(tools.recorded("condor_submit", "stdin")).isEmpty(); // read to EOF at once: stdin was closed
        assertThat(tools.recorded("condor_submit", "env")).isEqualTo("from-the-config");
    }

    @Test
    void submitWarningsOnStderrAreNotFailures() throws Exception {
        tools.script("condor_submit", "4711.0 - 4711.149\n",
                "\nWARNING: Committed job submission into the queue with the following warning(s):\nWARNING: request_memory is large\n", 0);
        assertThat(condor.submit(cycle.resolve("cycle.sub")).count()).isEqualTo(150);
    }

    static Stream<Arguments> submitFailures() {
        return Stream.of(
                Arguments.of("schedd address not found", "", "\nERROR: Can't find address of local schedd\n", SCHEDD_UNREACHABLE),
                Arguments.of("connect fails", "Submitting job(s)", "\nERROR: Failed to connect to local queue manager\n"
                        + "CEDAR:6001:Failed to connect to " + SCHEDD_ADDR + "\n", SCHEDD_UNREACHABLE),
                Arguments.of("authentication", "", "ERROR: Failed to connect to queue manager ce.example.org\n"
                        + "AUTHENTICATE:1003:Failed to authenticate with any method\n"
                        + "AUTHENTICATE:1004:Failed to authenticate using SCITOKENS\n", CREDENTIAL),
                Arguments.of("authentication deadline", "", "ERROR: Failed to connect to queue manager ce.example.org\n"
                        + "AUTHENTICATE:1006:exceeded 1718028372 deadline during authentication\n", SCHEDD_UNREACHABLE),
                Arguments.of("commit refused", "", "\nERROR: Failed to commit job submission into the queue.\n"
                        + "ERROR: Number of submitted jobs would exceed MAX_JOBS_PER_SUBMISSION\n", REFUSED),
                Arguments.of("parse error", "", "ERROR: on Line 14 of submit file: \n\nERROR: Failed to parse command file (line 14).\n", REFUSED),
                Arguments.of("no queue", "", "\nERROR: \"cycle.sub\" doesn't contain any \"queue\" commands -- no jobs queued\n", REFUSED),
                Arguments.of("proxy expired", "", "ERROR: proxy has expired\n", CREDENTIAL),
                Arguments.of("proxy too short", "", "ERROR: proxy lifetime too short\n", CREDENTIAL),
                Arguments.of("oauth credential missing", "\nHellow, alice.\nPlease visit: https://ap.example.org/key/1a2b\n\n", "", CREDENTIAL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("submitFailures")
    void submitFailuresAreClassifiedAndNamed(String situation, String stdout, String stderr, CondorException.Kind kind) throws Exception {
        tools.script("condor_submit", stdout, stderr, 1);
        CondorException e = catchThrowableOfType(CondorException.class, () -> condor.submit(cycle.resolve("cycle.sub")));
        assertThat(e.kind()).as(situation).isEqualTo(kind);
        assertThat(e.exitCode()).isEqualTo(1);
        assertThat(e.stderr()).isEqualTo(stderr.strip());
        assertThat(e.getMessage()).startsWith(tools.dir().resolve("condor_submit") + " -terse " + cycle.resolve("cycle.sub") + ": exit 1, " + kind);
        if (!stderr.isBlank()) {
            assertThat(e.getMessage()).contains(stderr.strip().lines().findFirst().orElseThrow());
        }
        assertThat(e.isRetryable()).isEqualTo(kind == SCHEDD_UNREACHABLE);
    }

    @Test
    void aSubmitThatQueuedMoreThanOneClusterIsReported() throws Exception {
        tools.script("condor_submit", "4711.0 - 4711.3\n4712.0 - 4712.1\n", "", 0);
        CondorException e = catchThrowableOfType(CondorException.class, () -> condor.submit(cycle.resolve("cycle.sub")));
        assertThat(e.kind()).isEqualTo(OTHER);
        assertThat(e.getMessage()).contains("exit 0").contains("4712.0 - 4712.1");
    }

    @Test
    void queueAsksForTheClusterWithTheProjection() throws Exception {
        tools.script("condor_q", CondorFixtures.text("condor_q-4711.json"), "", 0);
        List<JobAd> ads = condor.queue(4711);
        assertThat(ads).hasSize(3);
        assertThat(tools.argv("condor_q")).containsExactly("4711", "-json", "-attributes", ATTRS);
        assertThat(String.join(",", Condor.ATTRIBUTES)).isEqualTo(ATTRS);
    }

    @Test
    void anEmptyQueueIsZeroBytes() throws Exception {
        tools.script("condor_q", "", "", 0);
        assertThat(condor.queue(4711)).isEmpty();
    }

    @Test
    void historyBoundsTheScan() throws Exception {
        tools.script("condor_history", CondorFixtures.text("condor_history-4711.json"), "", 0);
        assertThat(condor.history(4711, 1718028312L)).extracting(JobAd::status).containsExactly(JobStatus.COMPLETED, JobStatus.REMOVED);
        assertThat(tools.argv("condor_history")).containsExactly("4711", "-json", "-attributes", ATTRS, "-completedsince", "1718028312");
        tools.script("condor_history", "[\n]\n", "", 0);
        assertThat(condor.history(4711, 1718028312L)).isEmpty();
    }

    @Test
    void batchNameConstraintsAreOneQuotedArgument() throws Exception {
        tools.script("condor_q", "", "", 0);
        tools.script("condor_history", "[\n]\n", "", 0);
        assertThat(condor.queueByBatchName("migdal-grid-20240610T140512")).isEmpty();
        assertThat(tools.argv("condor_q")).containsExactly("-constraint", "JobBatchName =?= \"migdal-grid-20240610T140512\"",
                "-json", "-attributes", ATTRS);
        assertThat(condor.historyByBatchName("odd \"name\" \\ x", 5)).isEmpty();
        assertThat(tools.argv("condor_history")).containsExactly("-constraint", "JobBatchName =?= \"odd \\\"name\\\" \\\\ x\"",
                "-limit", "5", "-json", "-attributes", ATTRS);
        assertThatThrownBy(() -> condor.historyByBatchName("x", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queryFailuresAreClassified() throws Exception {
        tools.script("condor_q", "", "\n-- Failed to fetch ads from: " + SCHEDD_ADDR + " : ap.example.org\n"
                + "CEDAR:6001:Failed to connect to " + SCHEDD_ADDR + "\n", 1);
        assertThat(catchThrowableOfType(CondorException.class, () -> condor.queue(4711)).kind()).isEqualTo(SCHEDD_UNREACHABLE);
        tools.script("condor_q", "", "Error: Can't find address of local schedd\n\nExtra Info: You probably saw this error because the "
                + "condor_schedd is not running\non the machine you are trying to query.\n", 1);
        assertThat(catchThrowableOfType(CondorException.class, () -> condor.queue(4711)).kind()).isEqualTo(SCHEDD_UNREACHABLE);
        tools.script("condor_history", "", "\n-- Parse error in constraint expression \"JobBatchName =?= \"x\"\n", 1);
        assertThat(catchThrowableOfType(CondorException.class, () -> condor.historyByBatchName("x", 1)).kind()).isEqualTo(REFUSED);
        tools.script("condor_q", "[\n{\n  \"ClusterId\": 4711,\n", "", 0); // cut short
        CondorException cut = catchThrowableOfType(CondorException.class, () -> condor.queue(4711));
        assertThat(cut.kind()).isEqualTo(OTHER);
        assertThat(cut.getMessage()).contains("not HTCondor -json output");
    }

    @Test
    void removeReportsWhatHappenedToTheJob() throws Exception {
        tools.script("condor_rm", "Job 4711.3 marked for removal\n", "", 0);
        assertThat(condor.remove(JobId.parse("4711.3"), "migdal-dm: cycle cancelled")).isEqualTo(Condor.Outcome.DONE);
        assertThat(tools.argv("condor_rm")).containsExactly("-reason", "migdal-dm: cycle cancelled", "4711.3");
        assertThat(condor.remove(JobId.parse("4711.3"), null)).isEqualTo(Condor.Outcome.DONE);
        assertThat(tools.argv("condor_rm")).containsExactly("4711.3");

        tools.script("condor_rm", "", "Job 4711.9 not found\n", 1);
        assertThat(condor.remove(JobId.parse("4711.9"), "r")).isEqualTo(Condor.Outcome.NOT_FOUND);
        tools.script("condor_rm", "", "Job 4711.2 already marked for removal\n", 1);
        assertThat(condor.remove(JobId.parse("4711.2"), "r")).isEqualTo(Condor.Outcome.ALREADY_REMOVING);
        tools.script("condor_rm", "condor_rm:0:There are no jobs in the queue\n", "", 0);
        assertThat(condor.remove(JobId.parse("4711.2"), "r")).isEqualTo(Condor.Outcome.NOT_FOUND);
        tools.script("condor_rm", "", "condor_rm:0:There are no jobs in the queue\n", 0);
        assertThat(condor.remove(JobId.parse("4711.2"), "r")).isEqualTo(Condor.Outcome.NOT_FOUND);

        tools.script("condor_rm", "", "Permission denied to remove job 4711.0\n", 1);
        CondorException denied = catchThrowableOfType(CondorException.class, () -> condor.remove(JobId.parse("4711.0"), "r"));
        assertThat(denied.kind()).isEqualTo(REFUSED);
        assertThat(denied.getMessage()).contains("condor_rm -reason r 4711.0: exit 1, REFUSED: Permission denied to remove job 4711.0");
        tools.script("condor_rm", "", "condor_rm: Can't find address of local schedd\n", 1);
        assertThat(catchThrowableOfType(CondorException.class, () -> condor.remove(JobId.parse("4711.0"), "r")).kind())
                .isEqualTo(SCHEDD_UNREACHABLE);
    }

    @Test
    void removeClusterTargetsTheWholeCluster() throws Exception {
        tools.script("condor_rm", "All jobs in cluster 4711 have been marked for removal\n", "", 0);
        assertThat(condor.removeCluster(4711, "migdal-dm: shutting down")).isEqualTo(Condor.Outcome.DONE);
        assertThat(tools.argv("condor_rm")).containsExactly("-reason", "migdal-dm: shutting down", "4711");
        tools.script("condor_rm", "", "Couldn't find/remove all jobs in cluster 4711\n", 1);
        assertThat(condor.removeCluster(4711, "x")).isEqualTo(Condor.Outcome.NOT_FOUND);
    }

    @Test
    void releaseReportsWhatHappenedToTheJob() throws Exception {
        tools.script("condor_release", "Job 4711.2 released\n", "", 0);
        assertThat(condor.release(JobId.parse("4711.2"))).isEqualTo(Condor.Outcome.DONE);
        assertThat(tools.argv("condor_release")).containsExactly("4711.2");
        tools.script("condor_release", "", "Job 4711.0 not held to be released\n", 1);
        assertThat(condor.release(JobId.parse("4711.0"))).isEqualTo(Condor.Outcome.NOT_HELD);
        tools.script("condor_release", "", "Job 4711.9 not found\n", 1);
        assertThat(condor.release(JobId.parse("4711.9"))).isEqualTo(Condor.Outcome.NOT_FOUND);
    }

    @Test
    void aMissingCommandMeansTheScheddIsUnreachable() {
        CondorException e = catchThrowableOfType(CondorException.class, () -> condor.queue(4711));
        assertThat(e.kind()).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(e.exitCode()).isEqualTo(CondorException.NO_EXIT);
        assertThat(e.getMessage()).startsWith(tools.dir().resolve("condor_q") + " 4711 -json").contains("cannot be started");
    }

    @Test
    void aCommandPastTheTimeoutIsKilledWithItsChildren() throws Exception {
        tools.hangingScript("condor_q");
        CondorCommands impatient = new CondorCommands(tools.dir(), Map.of(), Duration.ofSeconds(2));
        CondorException e = catchThrowableOfType(CondorException.class, () -> impatient.queue(4711));
        assertThat(e.kind()).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(e.exitCode()).isEqualTo(CondorException.NO_EXIT);
        assertThat(e.getMessage()).contains("timed out after PT2S, killed").contains("partial answer");
        awaitExit("the timed-out script", tools.pid("script"));
        awaitExit("its child", tools.pid("child"));
    }

    @Test
    void largeOutputsOnBothStreamsAreReadWhole() throws Exception {
        StringBuilder json = new StringBuilder("[\n");
        for (int p = 0; p < 3000; p++) {
            json.append(p == 0 ? "" : ",\n").append("{\n  \"ClusterId\": 4711,\n  \"HoldReason\": \"").append("x".repeat(200))
                    .append("\",\n  \"JobStatus\": 5,\n  \"ProcId\": ").append(p).append("\n}\n");
        }
        json.append("]\n");
        tools.script("condor_history", json.toString(), "WARNING: slow\n".repeat(20000), 0);
        assertThat(condor.history(4711, 0)).hasSize(3000).last().extracting(JobAd::id).isEqualTo(new JobId(4711, 2999));
    }

    @Test
    void refusesANonPositiveTimeout() {
        assertThatThrownBy(() -> new CondorCommands(null, Map.of(), Duration.ZERO)).hasMessageContaining("timeout");
    }

    /** Waits until a process has exited: /proc no longer lists it, or lists it as a zombie (PID 1 here need not reap). */
    private static void awaitExit(String what, long pid) {
        Awaitility.await(what + " (pid " + pid + ") exits").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> exited(pid));
    }

    private static boolean exited(long pid) {
        String s;
        try {
            s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException gone) {
            return true;
        }
        char state = s.charAt(s.lastIndexOf(')') + 2);
        return state == 'Z' || state == 'X';
    }
}
