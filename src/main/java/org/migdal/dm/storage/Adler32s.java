package org.migdal.dm.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.Adler32;

/** Adler32 in the form the grid uses: 8 lowercase hex digits, zero-padded. */
public final class Adler32s {
    private Adler32s() {
    }

    public static String hex(long value) {
        return String.format(Locale.ROOT, "%08x", value & 0xffffffffL);
    }

    /**
     * Normalises a checksum as storages and old catalogs write it ({@code 7a3b1}, {@code 0X0007A3B1},
     * {@code " 0007a3b1 "}) to 8 lowercase hex digits; rejects anything that is not 1–8 hex digits. More lenient than
     * {@link Checksum#adler32(String)} (blanks and a {@code 0x} prefix are dropped first), for legacy catalog text.
     */
    public static String normalise(String text) {
        if (text == null) {
            throw new IllegalArgumentException("no adler32 given");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("0x")) {
            t = t.substring(2);
        }
        try {
            return Checksum.adler32(t).value(); // the one hex rule: 1–8 ASCII hex digits, zero-padded
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not an adler32 (1–8 hex digits)", e);
        }
    }

    /** Reads a stream to its end and returns its adler32 and length. */
    public static Sum of(InputStream in) throws IOException {
        Adler32 a = new Adler32();
        byte[] buf = new byte[1 << 16];
        long n = 0;
        int r;
        while ((r = in.read(buf)) > 0) {
            a.update(buf, 0, r);
            n += r;
        }
        return new Sum(n, Checksum.adler32(a.getValue()));
    }

    private static final long BASE = 65521;

    /**
     * The adler32 of two pieces one after the other, from the adler32 of each and the length of the second (zlib's
     * adler32_combine): pieces of a file summed apart, on different threads, give the file's adler32.
     */
    public static long combine(long first, long second, long secondLength) {
        long rem = Long.remainderUnsigned(secondLength, BASE);
        long sum1 = first & 0xffff;
        long sum2 = (rem * sum1) % BASE;
        sum1 += (second & 0xffff) + BASE - 1;
        sum2 += ((first >>> 16) & 0xffff) + ((second >>> 16) & 0xffff) + BASE - rem;
        if (sum1 >= BASE) {
            sum1 -= BASE;
        }
        if (sum1 >= BASE) {
            sum1 -= BASE;
        }
        if (sum2 >= (BASE << 1)) {
            sum2 -= (BASE << 1);
        }
        if (sum2 >= BASE) {
            sum2 -= BASE;
        }
        return sum1 | (sum2 << 16);
    }

    public record Sum(long bytes, Checksum adler32) {
    }
}
