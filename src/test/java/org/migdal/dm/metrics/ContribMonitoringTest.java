package org.migdal.dm.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.Activity;
import org.migdal.dm.catalog.Counters;
import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.StateCount;
import org.migdal.dm.health.DiskOutlook;
import org.migdal.dm.health.Overview;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Prometheus alert rules and the Grafana dashboard shipped in contrib/: promtool accepts the rules and their unit
 * tests pass, the dashboard is JSON whose every query is valid PromQL, and both name only metrics /metrics exports.
 */
class ContribMonitoringTest {
    static final Path ALERTS = Path.of("contrib/prometheus/alerts.yml");
    static final Path ALERT_TESTS = Path.of("contrib/prometheus/alerts_test.yml");
    static final Path DASHBOARD = Path.of("contrib/grafana/migdal-dm.json");

    /** PromQL words that are not metric names (functions are followed by "(" and never taken). */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "Inf", "NaN", "inf", "nan");

    @TempDir
    Path tmp;

    @Test
    void promtoolChecksTheRulesAndTheirUnitTestsPass() throws Exception {
        Exposition.Result check = Exposition.promtool(tmp, null, "check", "rules", ALERTS.toAbsolutePath().toString());
        assertThat(check.code()).as("%s", check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 6 rules found");
        Files.copy(ALERTS, tmp.resolve("alerts.yml"));
        Files.copy(ALERT_TESTS, tmp.resolve("alerts_test.yml"));
        Exposition.Result tests = Exposition.promtool(tmp, null, "test", "rules", "alerts_test.yml");
        assertThat(tests.code()).as("%s", tests.output()).isZero();
        assertThat(tests.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertHasSeveritySummaryAndDescriptionAndTheFiveConditionsAreThere() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile()).path("groups").get(0).path("rules");
        Set<String> names = new TreeSet<>();
        for (JsonNode r : rules) {
            names.add(r.path("alert").asText());
            assertThat(r.path("labels").path("severity").asText()).as("%s", r).isIn("warning", "critical");
            assertThat(r.path("annotations").path("summary").asText()).as("%s", r).isNotBlank();
            assertThat(r.path("annotations").path("description").asText()).as("%s", r).contains("`migdal-dm ");
        }
        assertThat(names).containsExactlyInAnyOrder("MigdalDmCredentialExpiring", "MigdalDmDiskFullSoon", "MigdalDmNoProgress",
                "MigdalDmFilesNeedAttention", "MigdalDmEndpointDown");
    }

    @Test
    void theDashboardIsJsonAndItsQueriesAreValidPromqlOnExportedMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("title").asText()).isEqualTo("migdal-dm");
        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        assertThat(exprs).hasSizeGreaterThan(10);
        // promtool parses each as a recording rule
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            rules.append("      - record: dashboard:expr_").append(i).append("\n        expr: ")
                    .append(new ObjectMapper().writeValueAsString(exprs.get(i))).append('\n');
        }
        Files.writeString(tmp.resolve("dashboard-rules.yml"), rules);
        Exposition.Result check = Exposition.promtool(tmp, null, "check", "rules", "--lint=none", "dashboard-rules.yml");
        assertThat(check.code()).as("%s\n%s", check.output(), rules).isZero();

        Set<String> exported = exported();
        Set<String> used = new TreeSet<>();
        exprs.forEach(e -> used.addAll(metricNames(e)));
        assertThat(used).as("metrics the dashboard shows").contains("migdal_dm_files", "migdal_dm_step_files_total",
                "migdal_dm_disk_free_bytes", "migdal_dm_disk_full_forecast_seconds", "migdal_dm_credential_seconds_left",
                "migdal_dm_endpoint_up", "migdal_dm_stage_duration_seconds_bucket", "migdal_dm_errors_total");
        assertThat(exported).containsAll(used);
    }

    @Test
    void theAlertsNameOnlyExportedMetrics() throws Exception {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile()).path("groups").get(0).path("rules");
        Set<String> used = new TreeSet<>();
        rules.forEach(r -> used.addAll(metricNames(r.path("expr").asText())));
        assertThat(used).isNotEmpty();
        assertThat(exported()).containsAll(used);
    }

    @Test
    void theNameExtractorFindsMetricsAndNothingElse() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le, stage) (rate(migdal_dm_stage_duration_seconds_bucket[6h])))"))
                .containsExactly("migdal_dm_stage_duration_seconds_bucket");
        assertThat(metricNames("migdal_dm_files_waiting > 0 and on() (time() - x_last{a=\"b c\"}) > 3600"))
                .containsExactlyInAnyOrder("migdal_dm_files_waiting", "x_last");
        assertThat(metricNames("migdal_dm_disk_full_forecast_seconds < +Inf")).containsExactly("migdal_dm_disk_full_forecast_seconds");
    }

    /** The metric names an expression reads: identifiers that are not functions, keywords, labels or durations. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")      // strings
                .replaceAll("\\{[^}]*}", " ")                                  // label matchers
                .replaceAll("\\[[^]]*]", " ")                                  // ranges
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " "); // label lists
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(e);
        while (m.find()) {
            String word = m.group();
            int after = m.end();
            while (after < e.length() && e.charAt(after) == ' ') {
                after++;
            }
            boolean function = after < e.length() && e.charAt(after) == '(';
            boolean number = m.start() > 0 && Character.isDigit(e.charAt(m.start() - 1));
            if (!function && !number && !KEYWORDS.contains(word)) {
                out.add(word);
            }
        }
        return out;
    }

    /** Every sample name /metrics writes when every family has data. */
    private static Set<String> exported() throws Exception {
        Instant now = Instant.parse("2024-03-01T18:00:00Z");
        Overview o = new Overview(now, List.of(new StateCount("data1", FileState.QUARANTINED, 1, 10)),
                List.of(new DiskOutlook("data1", "/d1", DiskOutlook.Phase.FILLING, 10, 100, 1.0, 0.5, 20L, null)),
                List.of(new EndpointStatus("file:///s", EndpointStatus.State.DOWN, "x", now, now, now, 1)),
                new Overview.CredentialLife("x509 proxy", now, 10, "FAIL", "x"),
                List.of(new Activity.StageError("ship", now, 1, "/l", "m")), now);
        Counters.StageDurations d = new Counters.StageDurations("ship", 1, 10, Map.of(100L, 1L));
        Families.Counted counted = new Families.Counted(List.of(d), List.of(new Counters.StepTotal("shipped", 1, 10)),
                List.of(new Counters.ErrorCount("ship", "file", 1)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter.create().write(out, Families.of(o, counted));
        TreeSet<String> names = new Exposition(out.toString(StandardCharsets.UTF_8)).names();
        assertThat(names).contains("migdal_dm_credential_seconds_left", "migdal_dm_stage_duration_seconds_count");
        return names;
    }
}
