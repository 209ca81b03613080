package org.migdal.dm.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Sizes and times as a person reads them in the text output (JSON keeps bytes and ISO-8601 instants). */
final class Units {
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final String[] BINARY = {"KiB", "MiB", "GiB", "TiB", "PiB"};

    private Units() {
    }

    /** {@code 512 B}, {@code 128.0 KiB}, {@code 1.5 GiB}: powers of 1024, one decimal. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        double v = n;
        int unit = -1;
        while (v >= 1024 && unit < BINARY.length - 1) {
            v /= 1024;
            unit++;
        }
        if (v >= 1023.95 && unit < BINARY.length - 1) { // 1023.97 KiB would print as "1024.0 KiB"
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, BINARY[unit]);
    }

    /** {@code 2026-12-01 15:41} (UTC), or {@code -} when not yet. */
    static String minute(Instant t) {
        return t == null ? "-" : MINUTE.format(t);
    }
}
