package org.migdal.dm.web;

import org.migdal.dm.catalog.Activity;
import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.RecentRuns;
import org.migdal.dm.catalog.StateCount;
import org.migdal.dm.health.DiskOutlook;
import org.migdal.dm.health.Overview;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code /}: the whole system at a glance, from one {@link Status}. */
final class OverviewPage {
    private OverviewPage() {
    }

    static String render(Status s) {
        Overview o = s.overview();
        StringBuilder b = new StringBuilder();
        b.append("<p class=\"muted\">As of ").append(Html.esc(Html.time(o.at()))).append(" · ").append(Html.count(o.waiting()))
                .append(" files waiting · last progress ").append(Html.esc(Html.ago(o.lastProgress(), o.at())));
        if (s.cycles() != null) {
            b.append(" · daemon cycles run: ").append(s.cycles());
        }
        b.append("</p><div class=\"grid\">");
        states(b, o);
        disks(b, o);
        endpoints(b, o);
        errors(b, o);
        b.append("</div>");
        plots(b, s.series());
        perDisk(b, o.counts());
        runs(b, s.runs());
        return Html.page("Overview", b.toString());
    }

    private static void states(StringBuilder b, Overview o) {
        b.append("<section id=\"states\"><h2>Files per state</h2><table><tr><th>state</th><th class=\"n\">files</th><th class=\"n\">bytes</th></tr>");
        Map<FileState, long[]> t = o.totals();
        long files = 0;
        long bytes = 0;
        for (FileState st : FileState.values()) {
            long[] v = t.getOrDefault(st, new long[2]);
            files += v[0];
            bytes += v[1];
            b.append("<tr><td><a href=\"/files?state=").append(st.name()).append("\">").append(st.name()).append("</a></td><td class=\"n\">")
                    .append(Html.count(v[0])).append("</td><td class=\"n\">").append(Html.bytes(v[1])).append("</td></tr>");
        }
        b.append("<tr><th>total</th><th class=\"n\">").append(Html.count(files)).append("</th><th class=\"n\">").append(Html.bytes(bytes))
                .append("</th></tr></table></section>");
    }

    private static void disks(StringBuilder b, Overview o) {
        b.append("<section id=\"disks\"><h2>DAQ disks</h2><table><tr><th>disk</th><th>phase</th><th class=\"n\">free</th>"
                + "<th class=\"n\">used</th><th class=\"n\">fill</th><th class=\"n\">drain</th><th>full in</th></tr>");
        for (DiskOutlook d : o.disks()) {
            double used = d.usedFraction();
            b.append("<tr><td><a href=\"/files?disk=").append(Html.esc(Html.url(d.disk()))).append("\">").append(Html.esc(d.disk()))
                    .append("</a></td><td class=\"").append(d.phase() == DiskOutlook.Phase.UNAVAILABLE ? "bad" : "").append("\">")
                    .append(d.phase().name()).append("</td><td class=\"n\">").append(Html.bytes(d.freeBytes())).append(" of ")
                    .append(Html.bytes(d.totalBytes())).append("</td><td class=\"n\">")
                    .append(Double.isNaN(used) ? "–" : String.format(java.util.Locale.ROOT, "%.0f %%", used * 100))
                    .append("</td><td class=\"n\">").append(Html.rate(d.fillBytesPerSecond())).append("</td><td class=\"n\">")
                    .append(Html.rate(d.drainBytesPerSecond())).append("</td><td>")
                    .append(d.secondsToFull() != null ? "<b>" + Html.duration(d.secondsToFull()) + "</b>"
                            : "<span class=\"muted\">" + Html.esc(d.forecastNote()) + "</span>")
                    .append("</td></tr>");
        }
        if (o.disks().isEmpty()) {
            b.append("<tr><td colspan=\"7\" class=\"muted\">no DAQ disk configured</td></tr>");
        }
        b.append("</table></section>");
    }

    private static void endpoints(StringBuilder b, Overview o) {
        b.append("<section id=\"endpoints\"><h2>Endpoints and credential</h2><table><tr><th>endpoint</th><th>state</th><th>since</th><th>why</th></tr>");
        for (EndpointStatus e : o.endpoints()) {
            b.append("<tr><td class=\"lfn\">").append(Html.esc(e.url())).append("</td><td class=\"").append(e.state().name()).append("\">")
                    .append(e.state().name()).append("</td><td>").append(Html.esc(Html.ago(e.since(), o.at()))).append("</td><td>")
                    .append(Html.esc(e.reason())).append("</td></tr>");
        }
        if (o.endpoints().isEmpty()) {
            b.append("<tr><td colspan=\"4\" class=\"muted\">no endpoint checked yet</td></tr>");
        }
        b.append("</table><p>Credential: ");
        Overview.CredentialLife c = o.credential();
        if (c == null) {
            b.append("<span class=\"muted\">none needed (local storage) or none configured</span>");
        } else {
            b.append(Html.esc(c.kind())).append(", <span class=\"").append(Html.esc(c.level())).append("\">")
                    .append(c.expires() == null ? "no expiry" : Html.duration(c.secondsLeft()) + " left")
                    .append("</span> <span class=\"muted\">").append(Html.esc(c.summary())).append("</span>");
        }
        b.append("</p></section>");
    }

    private static void errors(StringBuilder b, Overview o) {
        b.append("<section id=\"errors\"><h2>Last error per stage</h2><table><tr><th>action</th><th>when</th><th>file</th><th>message</th></tr>");
        for (Activity.StageError e : o.lastErrors()) {
            b.append("<tr><td>").append(Html.esc(e.action())).append("</td><td>").append(Html.esc(Html.ago(e.at(), o.at())))
                    .append("</td><td class=\"lfn\"><a href=\"/files/").append(e.fileId()).append("\">").append(Html.esc(e.lfn()))
                    .append("</a></td><td>").append(Html.esc(e.message())).append("</td></tr>");
        }
        if (o.lastErrors().isEmpty()) {
            b.append("<tr><td colspan=\"4\" class=\"ok\">no error recorded</td></tr>");
        }
        b.append("</table></section>");
    }

    private static void plots(StringBuilder b, Series s) {
        b.append("<section id=\"plots\"><h2>Last ").append(s.points().size()).append(" hours</h2><div class=\"grid\">");
        b.append(Plots.bars("throughput", "Files per hour: shipped, compressed, on tape", s.points(), List.of(
                new Plots.Line("shipped", "#3b7dd8", Series.Point::shipped),
                new Plots.Line("compressed", "#e8a33d", Series.Point::compressed),
                new Plots.Line("on tape", "#2f9e44", Series.Point::onTape))));
        b.append(Plots.lines("backlog", "Backlog: files waiting at the end of each hour", s.points(), List.of(
                new Plots.Line("waiting", "#b3261e", Series.Point::backlog))));
        b.append("</div></section>");
    }

    private static void perDisk(StringBuilder b, List<StateCount> counts) {
        Map<String, Map<FileState, long[]>> byDisk = new TreeMap<>();
        for (StateCount c : counts) {
            byDisk.computeIfAbsent(c.disk(), d -> new TreeMap<>()).put(c.state(), new long[]{c.files(), c.bytes()});
        }
        b.append("<section id=\"per-disk\"><h2>Files per disk</h2><table><tr><th>disk</th>");
        for (FileState st : FileState.values()) {
            b.append("<th class=\"n\">").append(st.name()).append("</th>");
        }
        b.append("</tr>");
        byDisk.forEach((disk, m) -> {
            b.append("<tr><td>").append(Html.esc(disk)).append("</td>");
            for (FileState st : FileState.values()) {
                long[] v = m.get(st);
                b.append("<td class=\"n\">").append(v == null ? "" : Html.count(v[0]) + "<br><span class=\"muted\">" + Html.bytes(v[1]) + "</span>")
                        .append("</td>");
            }
            b.append("</tr>");
        });
        b.append("</table></section>");
    }

    private static void runs(StringBuilder b, List<RecentRuns.Run> runs) {
        b.append("<section id=\"runs\"><h2>Newest runs</h2><table><tr><th>run</th><th class=\"n\">files</th><th class=\"n\">bytes</th>"
                + "<th class=\"n\">on tape</th><th>states</th></tr>");
        for (RecentRuns.Run r : runs) {
            Map<FileState, Long> per = new TreeMap<>();
            r.counts().forEach(c -> per.merge(c.state(), c.files(), Long::sum));
            StringBuilder states = new StringBuilder();
            per.forEach((st, n) -> states.append(states.length() == 0 ? "" : ", ").append(st.name()).append(' ').append(Html.count(n)));
            b.append("<tr><td><a href=\"/files?run=").append(Html.esc(Html.url(r.run()))).append("\">").append(Html.esc(r.run()))
                    .append("</a></td><td class=\"n\">").append(Html.count(r.files())).append("</td><td class=\"n\">").append(Html.bytes(r.bytes()))
                    .append("</td><td class=\"n\">").append(Html.count(r.files(FileState.ON_TAPE))).append("</td><td>").append(Html.esc(states))
                    .append("</td></tr>");
        }
        b.append("</table><p><a href=\"/runs\">every run, with its completeness</a></p></section>");
    }
}
