package org.migdal.dm.storage;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The rules for names at a storage, in one place: the 255-byte limit of one path component, and the temporary names
 * of uploads in progress and of scratch files. A temporary name is hidden, of fixed short length whatever the final
 * name is ({@code .mdm-<12 base32 characters>.part}, 22 bytes), and is made only by {@link #newTempName()}; the
 * {@link Janitor} removes nothing whose name {@link #isTemp} does not recognise.
 */
public final class StorageNames {
    /** Longest path component, in bytes, that the file systems behind every storage take (Linux NAME_MAX). */
    public static final int NAME_MAX = 255;

    private static final String PREFIX = ".mdm-";
    private static final String SUFFIX = ".part";
    private static final int RANDOM_CHARS = 12;
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final Pattern TEMP = Pattern.compile("\\.mdm-[a-z2-7]{" + RANDOM_CHARS + "}\\.part");

    private StorageNames() {
    }

    /** A new temporary file name (no folder): 60 random bits, so two workers never pick the same one. */
    public static String newTempName() {
        StringBuilder sb = new StringBuilder(PREFIX);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < RANDOM_CHARS; i++) {
            sb.append(BASE32[r.nextInt(BASE32.length)]);
        }
        return sb.append(SUFFIX).toString();
    }

    /** A new temporary path in the same folder as {@code path} ('/'-separated, relative or absolute). */
    public static String tempBeside(String path) {
        int slash = path.lastIndexOf('/');
        return path.substring(0, slash + 1) + newTempName();
    }

    /** Whether a file name (last component only) is one of our temporary names. */
    public static boolean isTemp(String fileName) {
        return TEMP.matcher(fileName).matches();
    }

    /** The last component of a '/'-separated path. */
    public static String lastComponent(String path) {
        String p = path;
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /** Length in bytes (UTF-8) of a path's last component. */
    public static int nameBytes(String path) {
        return lastComponent(path).getBytes(StandardCharsets.UTF_8).length;
    }

    /** Why {@code path}'s last component cannot be stored, or null when it fits. */
    public static String tooLong(String path) {
        int n = nameBytes(path);
        if (n <= NAME_MAX) {
            return null;
        }
        return "the file name '" + lastComponent(path) + "' is " + n + " bytes long; storage file systems allow at most "
                + NAME_MAX + " bytes (NAME_MAX) in one path component";
    }

    /**
     * {@code path + suffix} (the compressed copy beside the raw one, {@code LFN.bz2}) when its last component fits in
     * {@link #NAME_MAX} bytes. When it does not (a raw name of 252–255 bytes), the raw name is cut at a character
     * boundary and tagged with {@code ~} and 8 hex digits of the SHA-256 of the whole raw name, so the name fits, is
     * the same on every attempt, and differs for different raw names. The catalog records the name used.
     */
    public static String withSuffix(String path, String suffix) {
        String plain = path + suffix;
        if (nameBytes(plain) <= NAME_MAX) {
            return plain;
        }
        int slash = path.lastIndexOf('/');
        String dir = path.substring(0, slash + 1);
        String name = path.substring(slash + 1);
        String tag;
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            tag = "~" + java.util.HexFormat.of().formatHex(h, 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this JVM", e);
        }
        int budget = NAME_MAX - tag.length() - suffix.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder cut = new StringBuilder();
        int used = 0;
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (used + n > budget) {
                break;
            }
            cut.appendCodePoint(cp);
            used += n;
            i += Character.charCount(cp);
        }
        return dir + cut + tag + suffix;
    }

    /** Refuses, before any byte is sent, a final name that no storage would take. */
    static void checkLength(String path, String url) throws StorageException {
        String why = tooLong(path);
        if (why != null) {
            throw new StorageException(StorageException.Kind.NAME_TOO_LONG, url, why + "; not uploaded");
        }
    }
}
