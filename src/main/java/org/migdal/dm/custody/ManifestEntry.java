package org.migdal.dm.custody;

import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;

import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One file of a custody manifest: what the catalog proves about its copies. {@link #canonicalLine()} is the line the
 * manifest's digest is taken over (the same whatever the manifest's format).
 *
 * @param tapeUrl      where the compressed copy is on tape (the tape endpoint's URL of {@code compressedName}); null
 *                     until the file is compressed
 * @param onTapeAt     when the tape copy was confirmed (null unless ON_TAPE)
 * @param tapeEvidence what confirmed it, e.g. a tape residency flag, or size and adler32 alone on a file:// tape
 */
public record ManifestEntry(String lfn, FileState state, long size, String adler32, String compressedName, Long compressedSize,
                            String compressedAdler32, String tapeUrl, Instant onTapeAt, String tapeEvidence, Instant registeredAt,
                            Instant shippedAt) {

    /** The entry of a catalog row; {@code tapeUrl} gives the tape URL of a compressed name. */
    public static ManifestEntry of(CatalogFile f, UnaryOperator<String> tapeUrl) {
        return new ManifestEntry(f.lfn(), f.state(), f.size(), f.adler32(), f.compressedName(), f.compressedSize(), f.compressedAdler32(),
                f.compressedName() == null ? null : tapeUrl.apply(f.compressedName()), f.onTapeAt(), f.tapeEvidence(), f.registeredAt(),
                f.shippedAt());
    }

    /**
     * The digest's line of this file: its fields in this order, separated by TAB, each {@link #escape escaped}, an absent
     * value as {@code -}, times in ISO-8601 UTC ({@code 2022-08-03T14:54:47.123Z}, milliseconds only when not zero):
     * lfn, state, size, adler32, compressed name, compressed size, compressed adler32, tape URL, on tape at, tape evidence,
     * registered at, shipped at.
     */
    public String canonicalLine() {
        return String.join("\t", List.of(escape(lfn), state.name(), Long.toString(size), escape(adler32), escape(compressedName),
                compressedSize == null ? "-" : compressedSize.toString(), escape(compressedAdler32), escape(tapeUrl), time(onTapeAt),
                escape(tapeEvidence), time(registeredAt), time(shippedAt)));
    }

    static String time(Instant t) {
        return t == null ? "-" : t.toString();
    }

    /**
     * A value on one line with no TAB: {@code \} as {@code \\}, TAB, LF and CR as {@code \t}, {@code \n}, {@code \r}, other
     * control characters as {@code \xHH}, the line separators U+0085, U+2028 and U+2029 as a backslash, {@code u} and four
     * hex digits; a value that is exactly
     * {@code -} as {@code \-} (absent is {@code -}); everything else, Unicode included, as it is.
     */
    public static String escape(String s) {
        if (s == null) {
            return "-";
        }
        if (s.equals("-")) {
            return "\\-";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '\\' -> "\\\\";
                case '\t' -> "\\t";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                default -> c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c)
                        : c == '\u0085' || c == '\u2028' || c == '\u2029' ? String.format("\\u%04x", (int) c) : null;
            };
            if (rep != null && b == null) {
                b = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (b != null) {
                if (rep != null) {
                    b.append(rep);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }
}
