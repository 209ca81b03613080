package org.migdal.dm.web;

import org.migdal.dm.catalog.RunPage;
import org.migdal.dm.catalog.RunSummary;
import org.migdal.dm.catalog.Runs;

import java.util.List;
import java.util.function.Function;

/**
 * {@code /runs} and {@code /api/runs}: per-run completeness ({@link Runs}), a page of runs in name order after
 * {@code after}, {@code incomplete=1} for the runs not all on tape, each of those with its first files not on tape.
 */
final class RunsPage {
    static final int MISSING_SHOWN = 5;
    private static final List<String> KNOWN = List.of("after", "limit", "incomplete");

    /** The query of a runs page, checked. */
    record Query(String after, int limit, boolean incompleteOnly) {
        static Query parse(Function<String, String> param, Iterable<String> names) {
            for (String n : names) {
                if (!KNOWN.contains(n)) {
                    throw new BadRequest("unknown parameter '" + n + "' (known: " + String.join(", ", KNOWN) + ")");
                }
            }
            String after = param.apply("after");
            int limit = FileQueryParams.DEFAULT_LIMIT;
            String l = param.apply("limit");
            if (l != null && !l.isBlank()) {
                try {
                    limit = Integer.parseInt(l.strip());
                } catch (NumberFormatException e) {
                    limit = -1;
                }
                if (limit < 1 || limit > Runs.MAX_LIMIT) {
                    throw new BadRequest("limit: '" + l + "' is not a number in 1.." + Runs.MAX_LIMIT);
                }
            }
            String inc = param.apply("incomplete");
            boolean incomplete = inc != null && !inc.isBlank() && !inc.equals("0") && !inc.equalsIgnoreCase("false");
            return new Query(after == null || after.isBlank() ? null : after, limit, incomplete);
        }

        String link(String afterRun) {
            return "/runs?limit=" + limit + (incompleteOnly ? "&incomplete=1" : "") + (afterRun == null ? "" : "&after=" + Html.url(afterRun));
        }
    }

    private RunsPage() {
    }

    static RunPage read(Runs runs, Query q) {
        return runs.page(q.after(), q.limit(), q.incompleteOnly(), MISSING_SHOWN);
    }

    static String render(Query q, RunPage page) {
        StringBuilder b = new StringBuilder("<section><h2>Runs</h2><p class=\"pager\">");
        b.append("<a href=\"").append(Html.esc(new Query(null, q.limit(), false).link(null))).append("\">all runs</a>");
        b.append("<a id=\"incomplete\" href=\"").append(Html.esc(new Query(null, q.limit(), true).link(null))).append("\">incomplete only</a></p>");
        b.append("<table id=\"runs\"><tr><th>run</th><th class=\"n\">files</th><th class=\"n\">bytes</th><th>on tape</th><th>what is missing</th></tr>");
        for (RunSummary r : page.runs()) {
            b.append("<tr><td><a href=\"/files?run=").append(Html.esc(Html.url(r.run()))).append("\">").append(Html.esc(r.run()))
                    .append("</a></td><td class=\"n\">").append(Html.count(r.files())).append("</td><td class=\"n\">").append(Html.bytes(r.bytes()))
                    .append("</td><td>");
            if (r.complete()) {
                b.append("<span class=\"ok\">all on tape since ").append(Html.esc(Html.time(r.allOnTapeSince()))).append("</span>");
            } else {
                b.append(Html.count(r.onTape())).append(" of ").append(Html.count(r.files()));
            }
            b.append("</td><td>");
            if (!r.complete()) {
                b.append(Html.esc(r.notOnTapeStates()));
                for (RunSummary.NotOnTape m : r.missing()) {
                    b.append("<br><a class=\"lfn\" href=\"/files/").append(m.id()).append("\">").append(Html.esc(m.lfn())).append("</a> ")
                            .append(m.state().name()).append(m.lastError() == null ? "" : ": " + Html.esc(m.lastError()));
                }
            }
            b.append("</td></tr>");
        }
        if (page.runs().isEmpty()) {
            b.append("<tr><td colspan=\"5\" class=\"muted\">no run</td></tr>");
        }
        b.append("</table><p class=\"pager\">");
        if (page.next() != null) {
            b.append("<a id=\"next\" href=\"").append(Html.esc(q.link(page.next()))).append("\">next</a>");
        }
        b.append("<a href=\"").append(Html.esc("/api" + q.link(q.after()))).append("\">as JSON</a></p></section>");
        return Html.page("Runs", b.toString());
    }
}
