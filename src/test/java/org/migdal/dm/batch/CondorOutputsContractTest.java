package org.migdal.dm.batch;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migdal.dm.batch.CondorException.Kind.CREDENTIAL;
import static org.migdal.dm.batch.CondorException.Kind.NOT_FOUND;
import static org.migdal.dm.batch.CondorException.Kind.OTHER;
import static org.migdal.dm.batch.CondorException.Kind.REFUSED;
import static org.migdal.dm.batch.CondorException.Kind.SCHEDD_UNREACHABLE;

/**
 * The command outputs of reference §2, §3 and §5 on their own: condor_q/condor_history {@code -json} (byte-exact
 * fixtures), {@code condor_submit -terse}, job ids, ClassAd quoting, and the classification of every recorded error text.
 */
class CondorOutputsContractTest {

    @Test
    void readsTheCondorQSample() {
        List<JobAd> ads = CondorJson.ads(CondorFixtures.text("condor_q-4711.json"));
        assertThat(ads).extracting(JobAd::id).containsExactly(new JobId(4711, 0), new JobId(4711, 1), new JobId(4711, 2));
        assertThat(ads).extracting(JobAd::status).containsExactly(JobStatus.RUNNING, JobStatus.RUNNING, JobStatus.HELD);
        JobAd running = ads.get(0);
        assertThat(running.batchName()).isEqualTo("migdal-grid-20240610T140512");
        assertThat(running.enteredCurrentStatus()).isEqualTo(1718028363L);
        assertThat(running.holdReason()).isNull();
        assertThat(running.holdCode()).isNull();
        assertThat(running.exitCode()).isNull();
        assertThat(running.attribute("QDate")).isEqualTo(1718028312L);
        assertThat(running.attribute("MigdalLfn")).isEqualTo("/2208/220803/MIG_Fe55_data_220803T145447.CAL.0000.dat");
        assertThat(running.attributes()).containsOnlyKeys("Arguments", "ClusterId", "EnteredCurrentStatus", "JobBatchName",
                "JobStatus", "MigdalLfn", "ProcId", "QDate");
        JobAd held = ads.get(2);
        assertThat(held.holdCode()).isEqualTo(34);
        assertThat(held.holdSubcode()).isEqualTo(102);
        assertThat(held.holdReason()).startsWith("Error from slot1_3@ep03.example.org: Job has gone over cgroup memory limit")
                .endsWith("Consider resubmitting with a higher request_memory.");
    }

    @Test
    void readsTheCondorHistorySample() {
        List<JobAd> ads = CondorJson.ads(CondorFixtures.text("condor_history-4711.json"));
        assertThat(ads).hasSize(2);
        JobAd completed = ads.get(0);
        assertThat(completed.id()).isEqualTo(JobId.parse("4711.0"));
        assertThat(completed.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(completed.exitCode()).isZero();
        assertThat(completed.exitBySignal()).isFalse();
        assertThat(completed.exitSignal()).isNull();
        assertThat(completed.completionDate()).isEqualTo(1718029187L);
        JobAd removed = ads.get(1);
        assertThat(removed.id()).isEqualTo(JobId.parse("4711.3"));
        assertThat(removed.status()).isEqualTo(JobStatus.REMOVED);
        assertThat(removed.status().isFinal()).isTrue();
        assertThat(removed.removeReason()).isEqualTo("via condor_rm (by user alice)");
        assertThat(removed.completionDate()).isNull();
        assertThat(removed.exitBySignal()).isNull();
    }

    @Test
    void emptyOutputsMeanNoJobs() {
        assertThat(CondorFixtures.bytes("condor_q-empty.json")).isEmpty();
        assertThat(CondorJson.ads(CondorFixtures.text("condor_q-empty.json"))).isEmpty();
        assertThat(CondorFixtures.text("condor_history-empty.json")).isEqualTo("[\n]\n");
        assertThat(CondorJson.ads(CondorFixtures.text("condor_history-empty.json"))).isEmpty();
    }

    @Test
    void toleratesExpressionsAndNulls() {
        JobAd ad = CondorJson.ads(CondorFixtures.text("condor_q-expr.json")).get(0);
        assertThat(ad.status()).isEqualTo(JobStatus.IDLE);
        assertThat(ad.exitCode()).isNull();
        assertThat(ad.exitBySignal()).isNull();
        assertThat(ad.attributes()).containsEntry("ExitBySignal", null).containsEntry("Rank", 0.5);
        assertThat(ad.attribute("Requirements")).isEqualTo("/Expr((OpSys == \"LINUX\") && (TARGET.Arch == \"X86_64\"))/");
        assertThat(ad.batchName()).isNull();
        assertThat(ad.migdalJob()).isNull();
    }

    @Test
    void unknownJobStatusCodesAreUnknown() {
        JobAd ad = CondorJson.ads("[\n{\n  \"ClusterId\": 1,\n  \"JobStatus\": 9,\n  \"MigdalJob\": \"j1-ab\",\n  \"ProcId\": 0\n}\n]\n").get(0);
        assertThat(ad.status()).isEqualTo(JobStatus.UNKNOWN);
        assertThat(ad.migdalJob()).isEqualTo("j1-ab");
        assertThat(JobStatus.of(6)).isEqualTo(JobStatus.TRANSFERRING_OUTPUT);
        assertThat(JobStatus.SUSPENDED.code()).isEqualTo(7);
    }

    @Test
    void refusesOutputThatIsNotAdsOfJobs() {
        assertThatThrownBy(() -> CondorJson.ads("-- Failed to fetch ads")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not HTCondor -json output").hasMessageContaining("-- Failed to fetch ads");
        assertThatThrownBy(() -> CondorJson.ads("[\n{\n  \"JobStatus\": 2\n}\n]\n")).hasMessageContaining("ClusterId");
        assertThatThrownBy(() -> CondorJson.ads("42")).hasMessageContaining("not an array");
    }

    @Test
    void readsTheTerseSubmitLine() {
        ClusterRange r = ClusterRange.parse("4711.0 - 4711.3\n");
        assertThat(r.cluster()).isEqualTo(4711);
        assertThat(r.count()).isEqualTo(4);
        assertThat(r.jobs()).extracting(JobId::toString).containsExactly("4711.0", "4711.1", "4711.2", "4711.3");
        assertThat(r).hasToString("4711.0 - 4711.3");
        assertThat(ClusterRange.parse("12.0 - 12.0\n").count()).isEqualTo(1);
    }

    @Test
    void refusesAnythingButOneCluster() {
        assertThatThrownBy(() -> ClusterRange.parse("4711.0 - 4711.3\n4712.0 - 4712.1\n")).hasMessageContaining("2 non-blank lines");
        assertThatThrownBy(() -> ClusterRange.parse("")).hasMessageContaining("0 non-blank lines");
        assertThatThrownBy(() -> ClusterRange.parse("Submitting job(s)....\n4 job(s) submitted to cluster 4711.\n"))
                .hasMessageContaining("2 non-blank lines");
        assertThatThrownBy(() -> ClusterRange.parse("4 job(s) submitted to cluster 4711.\n")).hasMessageContaining("not 'C.P - C.P'");
        assertThatThrownBy(() -> ClusterRange.parse("4711.0 - 4712.3\n")).hasMessageContaining("two clusters");
        assertThatThrownBy(() -> ClusterRange.parse("4711.3 - 4711.0\n")).hasMessageContaining("not a job range");
    }

    @Test
    void jobIdsRoundTrip() {
        assertThat(JobId.parse("4711.3")).isEqualTo(new JobId(4711, 3));
        assertThat(new JobId(4711, 3)).hasToString("4711.3");
        assertThat(JobId.parse("4711.-1").proc()).isEqualTo(-1);
        assertThat(new JobId(1, 2)).isLessThan(new JobId(1, 10));
        assertThatThrownBy(() -> JobId.parse("4711")).hasMessageContaining("'4711'");
        assertThatThrownBy(() -> JobId.parse("a.b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quotesClassAdStrings() {
        assertThat(ClassAds.quote("migdal-grid-20240610T140512")).isEqualTo("\"migdal-grid-20240610T140512\"");
        assertThat(ClassAds.quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(ClassAds.isExactly("JobBatchName", "x")).isEqualTo("JobBatchName =?= \"x\"");
        assertThatThrownBy(() -> ClassAds.quote("a\nb")).hasMessageContaining("control");
        assertThatThrownBy(() -> ClassAds.isExactly("a b", "x")).hasMessageContaining("attribute name");
    }

    @Test
    void classifiesEveryRecordedFailure() {
        // condor_submit, reference §2
        assertThat(kind("", "\nERROR: Can't find address of local schedd\n")).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(kind("Submitting job(s)", "\nERROR: Failed to connect to local queue manager\nCEDAR:6001:Failed to connect to "
                + "<192.0.2.10:9618?addrs=192.0.2.10-9618&alias=ap.example.org&noUDP&sock=schedd_2133_9a3f>\n")).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(kind("", "ERROR: Failed to connect to queue manager ce.example.org\nAUTHENTICATE:1003:Failed to authenticate with "
                + "any method\nAUTHENTICATE:1004:Failed to authenticate using SCITOKENS\n")).isEqualTo(CREDENTIAL);
        assertThat(kind("", "ERROR: Failed to connect to queue manager ce.example.org\nAUTHENTICATE:1003:Failed to authenticate with "
                + "any method\nAUTHENTICATE:1006:exceeded 1718028372 deadline during authentication\n")).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(kind("", "\nERROR: Failed to commit job submission into the queue.\nERROR: Too many jobs\n")).isEqualTo(REFUSED);
        assertThat(kind("", "ERROR: on Line 14 of submit file: \n\nERROR: Failed to parse command file (line 14).\n")).isEqualTo(REFUSED);
        assertThat(kind("", "\nERROR: \"cycle.sub\" doesn't contain any \"queue\" commands -- no jobs queued\n")).isEqualTo(REFUSED);
        assertThat(kind("", "ERROR: proxy has expired\n")).isEqualTo(CREDENTIAL);
        assertThat(kind("", "ERROR: proxy lifetime too short\n")).isEqualTo(CREDENTIAL);
        assertThat(kind("\nHellow, alice.\nPlease visit: https://ap.example.org/key/1a2b\n\n", "")).isEqualTo(CREDENTIAL);
        // condor_q / condor_history, reference §3.4
        assertThat(kind("", "\n-- Failed to fetch ads from: <192.0.2.10:9618?addrs=192.0.2.10-9618&alias=ap.example.org&noUDP&sock="
                + "schedd_2133_9a3f> : ap.example.org\nCEDAR:6001:Failed to connect to <192.0.2.10:9618>\n")).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(kind("", "Error: Can't find address of local schedd\n\nExtra Info: You probably saw this error because the "
                + "condor_schedd is not running\non the machine you are trying to query.\n")).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(kind("", "\n-- Parse error in constraint expression \"JobBatchName =?= \"x\"\n")).isEqualTo(REFUSED);
        // condor_rm / condor_release, reference §5
        assertThat(kind("", "Job 4711.9 not found\n")).isEqualTo(NOT_FOUND);
        assertThat(kind("", "Couldn't find/remove all jobs in cluster 4711\n")).isEqualTo(NOT_FOUND);
        assertThat(kind("", "Job 4711.2 already marked for removal\n")).isEqualTo(REFUSED);
        assertThat(kind("", "Job 4711.0 not held to be released\n")).isEqualTo(REFUSED);
        assertThat(kind("", "Permission denied to remove job 4711.0\n")).isEqualTo(REFUSED);
        assertThat(kind("", "condor_rm: Can't find address of local schedd\n")).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(kind("", "condor_rm: Can't find address for local schedd\n")).isEqualTo(SCHEDD_UNREACHABLE);
        assertThat(kind("", "Segmentation fault\n")).isEqualTo(OTHER);
    }

    @Test
    void theMessageNamesCommandExitAndStderr() {
        CondorException e = CondorException.failed(List.of("condor_submit", "-terse", "/c/cycle.sub"), 1, "",
                "\nERROR: Failed to commit job submission into the queue.\nERROR: Too many jobs\n");
        assertThat(e.getMessage()).isEqualTo("condor_submit -terse /c/cycle.sub: exit 1, REFUSED: "
                + "ERROR: Failed to commit job submission into the queue. | ERROR: Too many jobs");
        assertThat(e.stderr()).isEqualTo("ERROR: Failed to commit job submission into the queue.\nERROR: Too many jobs");
        assertThat(e.exitCode()).isEqualTo(1);
        assertThat(e.command()).containsExactly("condor_submit", "-terse", "/c/cycle.sub");
        assertThat(e.isRetryable()).isFalse();
    }

    private static CondorException.Kind kind(String stdout, String stderr) {
        return CondorException.classify(stdout, stderr);
    }
}
