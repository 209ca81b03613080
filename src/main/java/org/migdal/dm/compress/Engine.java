package org.migdal.dm.compress;

import java.util.Locale;

/**
 * Who makes and checks bzip2 copies ({@code archive.engine}): {@code native} the system's programs (bzip2, lbzip2)
 * through pipes, {@code java} the in-process streams, {@code auto} the programs when found, else the streams. gzip and
 * zstd are always in-process (zlib and zstd-jni are native code already).
 */
public enum Engine {
    AUTO, NATIVE, JAVA;

    public static Engine named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown compression engine '" + name + "'; known: auto, native, java", e);
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
