package org.migdal.dm.bench;

import java.util.Locale;

/**
 * One measured figure of {@code bench all}: our value beside its baseline and the target.
 *
 * @param path       what was measured, e.g. "archive bzip2 (file://)"
 * @param ours       our median, in {@code unit}
 * @param unit       "s", "files/s", "MiB", …
 * @param baseline   the baseline's name, e.g. "bzip2 -9"; empty when the target is absolute
 * @param baseValue  the baseline's median in the same unit (NaN when there is none)
 * @param target     the target as the issue states it, e.g. "≤ 1.35×" or "≥ 50000 files/s"
 * @param met        whether the target is met
 * @param detail     how it was measured (files, sizes, rounds), one line
 */
public record Figure(String path, double ours, String unit, String baseline, double baseValue, String target, boolean met,
                     String detail) {

    /** A time (lower is better) against a baseline time: the ratio must not exceed {@code maxRatio}. */
    public static Figure ratio(String path, double oursSeconds, String baseline, double baseSeconds, double maxRatio, String detail) {
        double r = oursSeconds / baseSeconds;
        return new Figure(path, oursSeconds, "s", baseline, baseSeconds, String.format(Locale.ROOT, "≤ %.2f×", maxRatio),
                r <= maxRatio, detail);
    }

    /** A value with an absolute bound; {@code higherIsBetter} says which way the bound goes. */
    public static Figure absolute(String path, double value, String unit, double bound, boolean higherIsBetter, String detail) {
        return new Figure(path, value, unit, "", Double.NaN,
                String.format(Locale.ROOT, "%s %s %s", higherIsBetter ? "≥" : "≤", number(bound), unit),
                higherIsBetter ? value >= bound : value <= bound, detail);
    }

    /** {@code ours / baseline}, or NaN without a baseline. */
    public double ratio() {
        return Double.isNaN(baseValue) ? Double.NaN : ours / baseValue;
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.1f" : "%.3f", v);
    }
}
