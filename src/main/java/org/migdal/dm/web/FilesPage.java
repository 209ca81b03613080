package org.migdal.dm.web;

import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;

import java.lang.reflect.RecordComponent;
import java.util.List;

/** {@code /files} (search and keyset pages) and {@code /files/{id}} (every column and the whole history). */
final class FilesPage {
    private FilesPage() {
    }

    static String list(FileQueryParams q, Dashboard.Page page, long lastCursor) {
        FileFilter f = q.filter();
        StringBuilder b = new StringBuilder("<section><h2>Files</h2><form class=\"search\" method=\"get\" action=\"/files\">");
        b.append("<input name=\"q\" placeholder=\"LFN contains…\" size=\"40\" value=\"").append(Html.esc(f.lfnLike())).append("\">");
        b.append("<input name=\"run\" placeholder=\"run\" size=\"30\" value=\"").append(Html.esc(f.run())).append("\">");
        b.append("<input name=\"disk\" placeholder=\"disk\" size=\"8\" value=\"").append(Html.esc(f.disk())).append("\">");
        b.append("<select name=\"state\"><option value=\"\">any state</option>");
        for (FileState s : FileState.values()) {
            b.append("<option").append(s == f.state() ? " selected" : "").append(">").append(s.name()).append("</option>");
        }
        b.append("</select><select name=\"sort\"><option value=\"id\">oldest first</option><option value=\"-id\"")
                .append(f.descending() ? " selected" : "").append(">newest first</option></select>");
        b.append("<input type=\"hidden\" name=\"limit\" value=\"").append(f.limit()).append("\"><button type=\"submit\">Search</button></form>");
        b.append("<p class=\"muted\" id=\"summary\">").append(page.rows().size()).append(" file(s) on this page")
                .append(f.afterId() > 0 ? ", after id " + f.afterId() : ", from the first").append(page.next() == null ? " (the last page)" : "")
                .append("</p>");
        b.append("<table id=\"files\"><tr><th class=\"n\">id</th><th>LFN</th><th>disk</th><th>state</th><th class=\"n\">size</th>"
                + "<th>registered</th><th>last error</th></tr>");
        for (CatalogFile c : page.rows()) {
            b.append("<tr><td class=\"n\">").append(c.id()).append("</td><td class=\"lfn\"><a href=\"/files/").append(c.id()).append("\">")
                    .append(Html.esc(c.lfn())).append("</a></td><td>").append(Html.esc(c.disk())).append("</td><td>").append(c.state().name())
                    .append("</td><td class=\"n\">").append(Html.bytes(c.size())).append("</td><td>").append(Html.esc(Html.time(c.registeredAt())))
                    .append("</td><td>").append(Html.esc(c.lastError())).append("</td></tr>");
        }
        if (page.rows().isEmpty()) {
            b.append("<tr><td colspan=\"7\" class=\"muted\">no file matches</td></tr>");
        }
        b.append("</table><p class=\"pager\">");
        b.append("<a id=\"first\" href=\"").append(Html.esc(q.link(0))).append("\">first</a>");
        if (page.next() != null) {
            b.append("<a id=\"next\" href=\"").append(Html.esc(q.link(page.next()))).append("\">next</a>");
        }
        if (lastCursor > 0 || page.next() != null) {
            b.append("<a id=\"last\" href=\"").append(Html.esc(q.link(lastCursor))).append("\">last</a>");
        }
        b.append("<a href=\"").append(Html.esc(q.apiLink())).append("\">as JSON</a></p></section>");
        return Html.page("Files", b.toString());
    }

    static String file(CatalogFile c, List<FileEvent> events) {
        StringBuilder b = new StringBuilder("<section><h2 class=\"lfn\">").append(Html.esc(c.lfn())).append("</h2><table id=\"columns\">");
        for (RecordComponent rc : CatalogFile.class.getRecordComponents()) {
            Object v;
            try {
                v = rc.getAccessor().invoke(c);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            String shown = v instanceof java.time.Instant t ? Html.time(t) : v == null ? "" : v.toString();
            if (rc.getName().equals("size") || rc.getName().equals("compressedSize")) {
                shown = v == null ? "" : v + " (" + Html.bytes(((Number) v).longValue()) + ")";
            }
            b.append("<tr><th>").append(Html.esc(rc.getName())).append("</th><td class=\"lfn\">");
            if (rc.getName().equals("run") && v != null) {
                b.append("<a href=\"/files?run=").append(Html.esc(Html.url(v.toString()))).append("\">").append(Html.esc(shown)).append("</a>");
            } else {
                b.append("<pre>").append(Html.esc(shown)).append("</pre>");
            }
            b.append("</td></tr>");
        }
        b.append("</table></section><section><h2>History</h2><table id=\"history\"><tr><th>when</th><th>who</th><th>action</th>"
                + "<th>result</th><th>message</th></tr>");
        for (FileEvent e : events) {
            b.append("<tr><td>").append(Html.esc(Html.time(e.at()))).append(e.repeats() > 0 ? " ×" + (e.repeats() + 1) + ", last "
                    + Html.esc(Html.time(e.lastAt())) : "").append("</td><td>").append(Html.esc(e.actor())).append("</td><td>")
                    .append(Html.esc(e.action())).append("</td><td class=\"").append(e.ok() ? "ok\">ok" : "bad\">failed").append("</td><td><pre>")
                    .append(Html.esc(e.message())).append("</pre></td></tr>");
        }
        b.append("</table><p><a href=\"/api/files/").append(c.id()).append("\">as JSON</a></p></section>");
        return Html.page(c.lfn(), b.toString());
    }
}
