package org.migdal.dm.storage;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A file checksum as the grid compares it: the algorithm ({@code adler32}, the only one migdal-dm uses) and its value
 * normalised to 8 lower-case hex digits, zero-padded (storage-servers.md §0 rule 1: EOS may strip leading zeros, dCache
 * and XRootD pad, old catalogs wrote upper case). Two checksums are equal iff algorithm and normalised value are.
 * {@link #toString()} is the value alone, as the catalog stores it.
 */
public record Checksum(String algorithm, String value) {
    public static final String ADLER32 = "adler32";
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,8}");
    private static final Pattern NORMAL = Pattern.compile("[0-9a-f]{8}");

    public Checksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(value, "value");
        if (!ADLER32.equals(algorithm)) {
            throw new IllegalArgumentException("checksum algorithm '" + algorithm + "' is not supported; only adler32");
        }
        if (!NORMAL.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a normalised adler32 (8 lower-case hex digits);"
                    + " use Checksum.adler32(text) to parse");
        }
    }

    /**
     * Parses an adler32 value as storages write it: 1–8 hex digits in either case (leading zeros may be missing).
     * Anything else (empty, blanks, a sign, a {@code 0x} prefix, more than 8 digits, non-ASCII digits) is refused.
     */
    public static Checksum adler32(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no adler32 given");
        }
        if (!HEX.matcher(text).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an adler32 (1–8 hex digits)");
        }
        String lower = text.toLowerCase(Locale.ROOT);
        return new Checksum(ADLER32, "0".repeat(8 - lower.length()) + lower);
    }

    /** The checksum of a computed adler32 value (the low 32 bits). */
    public static Checksum adler32(long value) {
        return new Checksum(ADLER32, String.format(Locale.ROOT, "%08x", value & 0xffffffffL));
    }

    /** Parses a checksum named by algorithm, the name compared without regard to case ({@code ADLER32}, {@code Adler32}). */
    public static Checksum parse(String algorithm, String value) {
        if (algorithm == null || !algorithm.trim().equalsIgnoreCase(ADLER32)) {
            throw new IllegalArgumentException("checksum algorithm '" + algorithm + "' is not adler32");
        }
        return adler32(value);
    }

    /** The catalog's text form ({@code null} stays {@code null}); an unreadable stored value is refused. */
    public static Checksum ofCatalog(String stored) {
        return stored == null ? null : adler32(stored);
    }

    /** {@code adler32 0a1b2c3d}: for messages. */
    public String describe() {
        return algorithm + " " + value;
    }

    /** The value alone, 8 lower-case hex digits: the catalog's and FTS's text form. */
    @Override
    public String toString() {
        return value;
    }
}
