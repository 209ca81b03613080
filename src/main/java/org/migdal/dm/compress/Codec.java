package org.migdal.dm.compress;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Locale;

/**
 * The compressions the archive stage can use: bzip2 (default, like the Python system), gzip and zstd. Each has its
 * in-process streams (commons-compress for bzip2 and gzip, zstd-jni for zstd); bzip2 can also be made by the system's
 * programs ({@link Programs}).
 */
public enum Codec {
    BZIP2(".bz2", 9, 9),
    GZIP(".gz", 6, 9),
    ZSTD(".zst", 3, 19);

    private final String suffix;
    private final int defaultLevel;
    private final int maxLevel;

    Codec(String suffix, int defaultLevel, int maxLevel) {
        this.suffix = suffix;
        this.defaultLevel = defaultLevel;
        this.maxLevel = maxLevel;
    }

    public String suffix() {
        return suffix;
    }

    /** The level used when none is configured: bzip2 9 (900k blocks), gzip 6, zstd 3 (the tools' own defaults but bzip2's). */
    public int defaultLevel() {
        return defaultLevel;
    }

    /** Levels run from 1 to this. */
    public int maxLevel() {
        return maxLevel;
    }

    /** The codec of a configuration or job name (bzip2, gzip, zstd), case-insensitive. */
    public static Codec named(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown compression '" + name + "'; known: "
                    + Arrays.stream(values()).map(Codec::id).toList(), e);
        }
    }

    /** Lower case, as configuration and job files name it. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A compressing stream; {@code level} is 1–{@link #maxLevel} (bzip2: block size ×100k; gzip: deflate level; zstd level). */
    public OutputStream compressing(OutputStream out, int level) throws IOException {
        return switch (this) {
            case BZIP2 -> new BZip2CompressorOutputStream(out, level);
            case GZIP -> {
                GzipParameters p = new GzipParameters();
                p.setCompressionLevel(level);
                yield new GzipCompressorOutputStream(out, p);
            }
            case ZSTD -> new ZstdOutputStream(out, level);
        };
    }

    /** A decompressing stream that reads every concatenated stream (or frame) to the end. */
    public InputStream decompressing(InputStream in) throws IOException {
        return switch (this) {
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            case GZIP -> new GzipCompressorInputStream(in, true);
            case ZSTD -> new ZstdInputStream(in);
        };
    }
}
