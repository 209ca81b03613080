package org.migdal.dm.web;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** HTML pieces of the dashboard: escaping (every value from the catalog goes through {@link #esc}), units, the page frame. */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
            header{background:#1f3a5f;color:#fff;padding:.6em 1.2em;display:flex;gap:1.5em;align-items:baseline}
            header a{color:#fff;text-decoration:none;font-weight:600}header .t{font-size:1.2em;margin-right:1em}
            main{padding:1em 1.2em}section{overflow-x:auto;background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:.6em 1em;margin:0 0 1em}
            h2{font-size:1.05em;margin:.2em 0 .6em}table{border-collapse:collapse;font-size:.9em}
            td,th{padding:.2em .6em;border-bottom:1px solid #eceef1;text-align:left;vertical-align:top}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.lfn{font-family:monospace;word-break:break-all}
            .ok,.UP{color:#17752f;font-weight:600}.bad,.DOWN,.FAIL{color:#b3261e;font-weight:600}.WARN{color:#9a6700;font-weight:600}
            .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1em}
            form.search input,form.search select{margin-right:.5em}.pager a{margin-right:1em}.muted{color:#667}
            svg text{font-size:10px;fill:#445}.legend span{margin-right:1em}.sw{display:inline-block;width:.8em;height:.8em;margin-right:.3em}
            pre{white-space:pre-wrap;word-break:break-all;margin:0}
            """;

    private Html() {
    }

    /** Escapes text for an element's content or a quoted attribute. */
    static String esc(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                case '\n' -> sb.append("&#10;");
                case '\r' -> sb.append("&#13;");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append("&#").append((int) c).append(';');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** A query-string value, percent-encoded (UTF-8). */
    static String url(String value) {
        return java.net.URLEncoder.encode(value == null ? "" : value, java.nio.charset.StandardCharsets.UTF_8);
    }

    static String page(String title, String body) {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
                + "<title>" + esc(title) + " · migdal-dm</title><style>" + STYLE + "</style></head><body><header>"
                + "<span class=\"t\">migdal-dm</span><a href=\"/\">Overview</a><a href=\"/files\">Files</a><a href=\"/runs\">Runs</a>"
                + "<a href=\"/api/status\">API</a></header><main>" + body + "</main></body></html>";
    }

    /** 1.5 GiB, 320 MiB, 12 KiB, 17 B. */
    static String bytes(long b) {
        if (b < 0) {
            return "unknown";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + " B" : String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    /** 1,234,567. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** 3 d 4 h, 5 h 12 min, 42 s. */
    static String duration(long seconds) {
        if (seconds < 0) {
            return "–";
        }
        Duration d = Duration.ofSeconds(seconds);
        if (d.toDays() > 0) {
            return d.toDays() + " d " + d.toHoursPart() + " h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + " h " + d.toMinutesPart() + " min";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + " min " + d.toSecondsPart() + " s";
        }
        return seconds + " s";
    }

    static String time(Instant t) {
        return t == null ? "–" : TIME.format(t);
    }

    /** "2024-03-01 18:00:00 UTC (5 min ago)". */
    static String ago(Instant t, Instant now) {
        if (t == null) {
            return "never";
        }
        long s = Duration.between(t, now).getSeconds();
        return time(t) + (s >= 0 ? " (" + duration(s) + " ago)" : "");
    }

    /** Bytes per second as a rate per hour: "1.2 GiB/h". */
    static String rate(Double bytesPerSecond) {
        return bytesPerSecond == null ? "–" : bytes(Math.round(Math.abs(bytesPerSecond) * 3600)) + "/h";
    }
}
