package org.migdal.dm.web;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;

/** The overview's plots, drawn here as inline SVG: grouped bars per hour, and a line. No script, no external file. */
final class Plots {
    private static final int W = 640;
    private static final int H = 200;
    private static final int LEFT = 48;
    private static final int BOTTOM = 20;
    private static final int TOP = 8;
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("dd HH'h'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** A series of a plot: its name, colour, and the value of each point. */
    record Line(String name, String colour, ToLongFunction<Series.Point> value) {
    }

    private Plots() {
    }

    /** Bars of each line side by side per bucket; {@code id} names the plot for the page (and its tests). */
    static String bars(String id, String title, List<Series.Point> points, List<Line> lines) {
        long max = max(points, lines);
        StringBuilder sb = frame(id, title, points, max);
        double slot = (double) (W - LEFT) / Math.max(1, points.size());
        double bar = Math.max(1, (slot - 2) / lines.size());
        for (int i = 0; i < points.size(); i++) {
            for (int k = 0; k < lines.size(); k++) {
                long v = lines.get(k).value().applyAsLong(points.get(i));
                if (v > 0) {
                    double h = (H - TOP - BOTTOM) * (double) v / max;
                    sb.append(String.format(Locale.ROOT,
                            "<rect class=\"bar %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s %s: %s</title></rect>",
                            Html.esc(lines.get(k).name().replace(' ', '-')), LEFT + i * slot + 1 + k * bar, H - BOTTOM - h, bar, h,
                            lines.get(k).colour(), Html.esc(HOUR.format(points.get(i).start())), Html.esc(lines.get(k).name()),
                            Html.count(v)));
                }
            }
        }
        return close(sb, lines);
    }

    /** A polyline per line. */
    static String lines(String id, String title, List<Series.Point> points, List<Line> lines) {
        long max = max(points, lines);
        StringBuilder sb = frame(id, title, points, max);
        double slot = (double) (W - LEFT) / Math.max(1, points.size());
        for (Line l : lines) {
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < points.size(); i++) {
                double y = H - BOTTOM - (H - TOP - BOTTOM) * (double) l.value().applyAsLong(points.get(i)) / max;
                d.append(i == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", LEFT + (i + 0.5) * slot, y));
            }
            sb.append("<path class=\"line ").append(Html.esc(l.name().replace(' ', '-'))).append("\" d=\"").append(d)
                    .append("\" fill=\"none\" stroke=\"").append(l.colour()).append("\" stroke-width=\"2\"><title>")
                    .append(Html.esc(l.name())).append("</title></path>");
        }
        return close(sb, lines);
    }

    /** The highest value of any line (at least 1: the axis of an empty plot). */
    private static long max(List<Series.Point> points, List<Line> lines) {
        long max = 1;
        for (Series.Point p : points) {
            for (Line l : lines) {
                max = Math.max(max, l.value().applyAsLong(p));
            }
        }
        return max;
    }

    private static StringBuilder frame(String id, String title, List<Series.Point> points, long max) {
        StringBuilder sb = new StringBuilder();
        sb.append("<figure><figcaption>").append(Html.esc(title)).append("</figcaption>");
        sb.append(String.format(Locale.ROOT, "<svg id=\"%s\" class=\"plot\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">",
                Html.esc(id), W, H, W, H));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#99a\"/>", LEFT, H - BOTTOM, W, H - BOTTOM));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#99a\"/>", LEFT, TOP, LEFT, H - BOTTOM));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", LEFT - 4, TOP + 8, Html.count(max)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>", LEFT - 4, H - BOTTOM));
        double slot = (double) (W - LEFT) / Math.max(1, points.size());
        for (int i = 0; i < points.size(); i += Math.max(1, points.size() / 6)) {
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>", LEFT + i * slot, H - 6,
                    Html.esc(HOUR.format(points.get(i).start()))));
        }
        return sb;
    }

    private static String close(StringBuilder sb, List<Line> lines) {
        sb.append("</svg><div class=\"legend\">");
        for (Line l : lines) {
            sb.append("<span><i class=\"sw\" style=\"background:").append(l.colour()).append("\"></i>").append(Html.esc(l.name()))
                    .append("</span>");
        }
        return sb.append(" <span class=\"muted\">per hour, UTC</span></div></figure>").toString();
    }
}
