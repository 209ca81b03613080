package org.migdal.dm.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.FileState;

import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every route of the dashboard, over a real server on 127.0.0.1 and a real SQLite catalog filled through its API. */
class WebServerTest {
    @TempDir
    Path dir;

    private WebFixture web;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void start() throws Exception {
        web = new WebFixture(dir, 300, null);
    }

    @AfterEach
    void stop() {
        web.close();
    }

    @Test
    void theOverviewShowsCountsDisksErrorsRunsAndPlotsOfTheLastHours() throws Exception {
        HttpResponse<String> r = web.get("/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        String page = r.body();
        // 300 files, 50 an hour, each batch shipped in its hour, compressed the next and put on tape the one after
        assertThat(page).contains("<td><a href=\"/files?state=ON_TAPE\">ON_TAPE</a></td><td class=\"n\">200</td>")
                .contains("<td><a href=\"/files?state=COMPRESSED\">COMPRESSED</a></td><td class=\"n\">50</td>")
                .contains("<td><a href=\"/files?disk=data1\">data1</a></td><td class=\"bad\">UNAVAILABLE</td>")
                .contains("MIG_Fe55_data_261130T080005");
        assertThat(page).as("the error message, escaped").contains("could not confirm &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;")
                .doesNotContain("<b>bold</b>");
        assertThat(page).as("the odd LFN of the error, escaped").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;&quot;q&quot;.dat")
                .doesNotContain("<script>");
        assertThat(page).contains("<svg id=\"throughput\"").contains("<svg id=\"backlog\"");
        assertThat(page.split("class=\"bar shipped\"", -1).length - 1).as("one bar per hour with shipped files").isEqualTo(6);
        assertThat(page.split("class=\"bar compressed\"", -1).length - 1).isEqualTo(5);
        assertThat(page.split("class=\"bar on-tape\"", -1).length - 1).isEqualTo(4);
        assertThat(page).containsPattern("<path class=\"line waiting\" d=\"M[0-9. L]+\"");
    }

    @Test
    void apiStatusHasTheOverviewAndTheSeriesWhoseBacklogWalksBackFromTheWaitingFiles() throws Exception {
        HttpResponse<String> r = web.get("/api/status");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode s = json.readTree(r.body());
        assertThat(s.at("/totals/ON_TAPE/files").asLong()).isEqualTo(200);
        assertThat(s.at("/waiting").asLong()).isEqualTo(100);
        assertThat(s.at("/disks/0/disk").asText()).isEqualTo("data1");
        assertThat(s.at("/lastErrors/0/action").asText()).isEqualTo("clean");
        JsonNode points = s.at("/series/points");
        assertThat(points.size()).isEqualTo(48);
        long registered = 0;
        long onTape = 0;
        for (JsonNode p : points) {
            registered += p.get("registered").asLong();
            onTape += p.get("onTape").asLong();
        }
        assertThat(registered).isEqualTo(300);
        assertThat(onTape).isEqualTo(200);
        assertThat(points.get(47).get("backlog").asLong()).isEqualTo(100);
        java.util.Map<String, Long> byHour = new java.util.HashMap<>();
        points.forEach(p -> byHour.put(p.get("start").asText(), p.get("backlog").asLong()));
        assertThat(byHour).as("registered from 08:00, on tape from 10:00")
                .containsEntry("2026-11-30T07:00:00Z", 0L).containsEntry("2026-11-30T08:00:00Z", 50L)
                .containsEntry("2026-11-30T09:00:00Z", 100L).containsEntry("2026-11-30T10:00:00Z", 100L);
        assertThat(points.get(0).get("backlog").asLong()).as("before anything was registered").isZero();
        assertThat(s.has("daemon")).as("not inside a daemon").isFalse();
    }

    @Test
    void keysetPagesOfTheApiReturnEveryRowOnceInBothOrders() throws Exception {
        for (String sort : List.of("id", "-id")) {
            List<Long> ids = new ArrayList<>();
            String next = "";
            for (int pages = 0; next != null; pages++) {
                assertThat(pages).isLessThan(100);
                JsonNode page = json.readTree(web.get("/api/files?limit=7&sort=" + sort + (next.isEmpty() ? "" : "&after=" + next)).body());
                page.get("files").forEach(f -> ids.add(f.get("id").asLong()));
                next = page.get("next").isNull() ? null : page.get("next").asText();
            }
            assertThat(ids).hasSize(300).doesNotHaveDuplicates();
            assertThat(ids).isSortedAccordingTo(sort.equals("id") ? Long::compare : (a, b) -> Long.compare(b, a));
        }
        JsonNode taped = json.readTree(web.get("/api/files?state=on_tape&limit=1000").body());
        assertThat(taped.get("files").size()).isEqualTo(200);
        taped.get("files").forEach(f -> assertThat(f.get("state").asText()).isEqualTo(FileState.ON_TAPE.name()));
        JsonNode run = json.readTree(web.get("/api/files?run=MIG_Fe55_data_261130T080001&disk=data1").body());
        assertThat(run.get("files").size()).isEqualTo(50);
    }

    @Test
    void searchFindsOddLfnsAndThePagesEscapeThem() throws Exception {
        for (String lfn : WebFixture.ODD) {
            String q = lfn.substring(lfn.lastIndexOf('/') + 1, lfn.lastIndexOf('/') + 8);
            JsonNode found = json.readTree(web.get("/api/files?q=" + java.net.URLEncoder.encode(q, StandardCharsets.UTF_8)).body());
            assertThat(found.get("files")).as("q=%s", q).hasSize(1);
            assertThat(found.at("/files/0/lfn").asText()).isEqualTo(lfn);
            long id = found.at("/files/0/id").asLong();

            String list = web.get("/files?q=" + java.net.URLEncoder.encode(q, StandardCharsets.UTF_8)).body();
            assertThat(list).contains(Html.esc(lfn)).contains("value=\"" + Html.esc(q) + "\"");
            HttpResponse<String> one = web.get("/files/" + id);
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(one.body()).contains(Html.esc(lfn)).contains("<table id=\"history\">").contains(">register<");
            JsonNode api = json.readTree(web.get("/api/files/" + id).body());
            assertThat(api.at("/file/lfn").asText()).isEqualTo(lfn);
            assertThat(api.get("events").size()).isPositive();
        }
        assertThat(web.get("/").body()).doesNotContain("new\nline").doesNotContain("<script>");
        assertThat(web.get("/files?q=new").body()).contains("new&#10;line.dat");
    }

    @Test
    void otherMethodsAre405UnknownPaths404AndBadParameters400WithAJsonErrorUnderApi() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> api = web.send(HttpRequest.newBuilder(web.uri("/api/files")).method(method, HttpRequest.BodyPublishers.ofString("x")).build());
            assertThat(api.statusCode()).as(method).isEqualTo(405);
            assertThat(json.readTree(api.body()).get("error").asText()).contains(method).contains("read-only");
            HttpResponse<String> page = web.send(HttpRequest.newBuilder(web.uri("/")).method(method, HttpRequest.BodyPublishers.noBody()).build());
            assertThat(page.statusCode()).as("%s / : %s", method, page.body()).isEqualTo(405);
            assertThat(page.body()).startsWith("<!DOCTYPE html>").contains("read-only");
        }
        HttpResponse<String> head = web.send(HttpRequest.newBuilder(web.uri("/api/status")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertThat(head.statusCode()).as("HEAD is read-only too").isEqualTo(200);
        assertThat(web.get("/nope").statusCode()).isEqualTo(404);
        assertThat(web.get("/nope").body()).startsWith("<!DOCTYPE html>").contains("no such page: /nope");
        assertError("/api/nope", 404, "no such page");
        assertError("/api/files/999999", 404, "no file with id 999999");
        assertThat(web.get("/files/999999").statusCode()).isEqualTo(404);
        assertError("/api/files/abc", 400, "'abc' is not a file id");
        assertError("/api/files?state=BOGUS", 400, "unknown state 'BOGUS'");
        assertError("/api/files?after=x1", 400, "after: 'x1' is not a file id");
        assertError("/api/files?limit=0", 400, "limit: 0 is out of range 1..1000");
        assertError("/api/files?limit=1001", 400, "limit: 1001 is out of range");
        assertError("/api/files?limit=many", 400, "limit: 'many'");
        assertError("/api/files?sort=lfn", 400, "sort: 'lfn'");
        assertError("/api/files?colour=red", 400, "unknown parameter 'colour'");
        HttpResponse<String> bad = web.get("/files?state=%3Cb%3E");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).startsWith("<!DOCTYPE html>").contains("unknown state &#39;&lt;b&gt;&#39;").doesNotContain("<b>");
    }

    private void assertError(String path, int status, String message) throws Exception {
        HttpResponse<String> r = web.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json.readTree(r.body()).get("error").asText()).as(path).contains(message);
    }

    @Test
    void theFilesPagePagesWithNextAndLastLinks() throws Exception {
        String first = web.get("/files?limit=100").body();
        assertThat(first).contains("id=\"next\" href=\"/files?limit=100&amp;after=100\"").contains("id=\"last\" href=\"/files?limit=100&amp;after=200\"");
        String last = web.get("/files?limit=100&after=200").body();
        assertThat(last).doesNotContain("id=\"next\"").contains("(the last page)");
        Set<String> rows = new HashSet<>();
        for (String page : List.of(first, web.get("/files?limit=100&after=100").body(), last)) {
            page.lines().flatMap(l -> java.util.Arrays.stream(l.split("<tr>"))).filter(l -> l.startsWith("<td class=\"n\">")).forEach(rows::add);
        }
        assertThat(rows).hasSize(300);
    }

    @Test
    void runsPagesShowEachRunsCompletenessAsTheCatalogCountsIt() throws Exception {
        org.migdal.dm.catalog.RunPage expected = new org.migdal.dm.catalog.Runs(web.catalog).page(null, 50, false, RunsPage.MISSING_SHOWN);
        assertThat(expected.runs()).anyMatch(org.migdal.dm.catalog.RunSummary::complete).anyMatch(r -> !r.complete());

        JsonNode api = json.readTree(web.get("/api/runs").body());
        assertThat(api.get("runs")).hasSize(expected.runs().size());
        for (int i = 0; i < expected.runs().size(); i++) {
            org.migdal.dm.catalog.RunSummary r = expected.runs().get(i);
            assertThat(api.get("runs").get(i).get("run").asText()).isEqualTo(r.run());
            assertThat(api.get("runs").get(i).get("files").asLong()).isEqualTo(r.files());
            assertThat(api.get("runs").get(i).get("complete").asBoolean()).isEqualTo(r.complete());
        }
        String page = web.get("/runs").body();
        for (org.migdal.dm.catalog.RunSummary r : expected.runs()) {
            assertThat(page).contains(Html.esc(r.run()));
            if (r.complete()) {
                assertThat(page).contains("all on tape since " + Html.esc(Html.time(r.allOnTapeSince())));
            } else {
                assertThat(page).contains(Html.esc(r.notOnTapeStates()));
            }
        }
        JsonNode incomplete = json.readTree(web.get("/api/runs?incomplete=1&limit=1").body());
        assertThat(incomplete.get("runs")).singleElement().satisfies(r -> assertThat(r.get("complete").asBoolean()).isFalse());
        JsonNode next = json.readTree(web.get("/api/runs?incomplete=1&limit=1&after=" + Html.url(incomplete.get("next").asText())).body());
        assertThat(next.get("runs")).allSatisfy(r -> assertThat(r.get("run").asText()).isGreaterThan(incomplete.get("next").asText()));
        assertError("/api/runs?limit=0", 400, "limit: '0' is not a number in 1..1000");
        assertError("/api/runs?sort=x", 400, "unknown parameter 'sort'");
    }

    @Test
    void metricsAre503WithoutASourceAndServedWithOne() throws Exception {
        HttpResponse<String> none = web.get("/metrics");
        assertThat(none.statusCode()).isEqualTo(503);
        assertThat(none.body()).contains("no metrics source");
        web.close();
        web = new WebFixture(dir.resolve("again"), 6, new MetricsSource() {
            @Override
            public String contentType() {
                return "text/plain; version=0.0.4; charset=utf-8";
            }

            @Override
            public void write(java.io.OutputStream out) throws java.io.IOException {
                out.write("migdal_dm_test 1\n".getBytes(StandardCharsets.UTF_8));
            }
        });
        HttpResponse<String> some = web.get("/metrics");
        assertThat(some.statusCode()).isEqualTo(200);
        assertThat(some.body()).isEqualTo("migdal_dm_test 1\n");
        assertThat(some.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void aTakenPortIsAClearErrorAndAClosedServerFreesItsPort() throws Exception {
        Listen taken = web.server.listen();
        assertThatThrownBy(() -> WebServer.start(taken, null, null)).isInstanceOf(WebServerException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.port());
        web.close();
        assertThatThrownBy(() -> new Socket("127.0.0.1", taken.port()).close()).isInstanceOf(java.net.ConnectException.class);
        web = new WebFixture(dir.resolve("again"), 6, null);
    }
}
