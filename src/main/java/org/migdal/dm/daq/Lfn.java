package org.migdal.dm.daq;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The logical file name rule of the Python system: the path relative to the disk root, prefixed with
 * {@code /YYMM/YYMMDD/} from the run timestamp ({@code YYMMDDTHHMMSS}) in the file name (or, failing that,
 * in the nearest folder that has one). A path that already starts with a valid {@code YYMM/YYMMDD/} is kept.
 * A name with no timestamp gets no LFN: it is reported, never guessed.
 */
public final class Lfn {
    private static final Pattern STAMP = Pattern.compile("(?<![0-9])([0-9]{2})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})(?![0-9])");
    private static final Pattern EXISTING = Pattern.compile("^([0-9]{4})/([0-9]{6})/.+");

    private Lfn() {
    }

    /** The LFN for a path relative to the disk root ({@code /}-separated), or empty when no timestamp is found. */
    public static Optional<String> of(String relativePath) {
        String rel = relativePath.startsWith("/") ? relativePath.substring(1) : relativePath;
        Matcher existing = EXISTING.matcher(rel);
        if (existing.matches() && existing.group(2).startsWith(existing.group(1)) && validDate(existing.group(2))) {
            return Optional.of("/" + rel);
        }
        String[] parts = rel.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            Matcher m = STAMP.matcher(parts[i]);
            while (m.find()) {
                String ymd = m.group(1) + m.group(2) + m.group(3);
                if (validDate(ymd) && validTime(m.group(4), m.group(5), m.group(6))) {
                    return Optional.of("/" + ymd.substring(0, 4) + "/" + ymd + "/" + rel);
                }
            }
        }
        return Optional.empty();
    }

    /** Why a name cannot be registered as it is, or empty if it can. */
    public static Optional<String> problemWithName(String relativePath) {
        for (int i = 0; i < relativePath.length(); i++) {
            char ch = relativePath.charAt(i);
            if (ch < 0x20 || ch == 0x7f) {
                return Optional.of("name contains a control character (code " + (int) ch + ", e.g. a newline);"
                        + " rename the file on the DAQ disk");
            }
            if (ch == '\ufffd') {
                return Optional.of("name is not valid UTF-8; rename the file on the DAQ disk");
            }
        }
        return Optional.empty();
    }

    private static boolean validDate(String yymmdd) {
        try {
            LocalDate.of(2000 + Integer.parseInt(yymmdd.substring(0, 2)), Integer.parseInt(yymmdd.substring(2, 4)),
                    Integer.parseInt(yymmdd.substring(4, 6)));
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }

    private static boolean validTime(String h, String m, String s) {
        return Integer.parseInt(h) < 24 && Integer.parseInt(m) < 60 && Integer.parseInt(s) < 60;
    }
}
