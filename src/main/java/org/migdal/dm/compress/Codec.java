package org.migdal.dm.compress;

import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;

/** The compressions the archive stage can use: bzip2 (default, like the Python system) and gzip. */
public enum Codec {
    BZIP2(".bz2"),
    GZIP(".gz");

    private final String suffix;

    Codec(String suffix) {
        this.suffix = suffix;
    }

    public String suffix() {
        return suffix;
    }

    public static Codec named(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** A compressing stream; {@code level} is 1–9 (bzip2: block size ×100k; gzip: deflate level). */
    public OutputStream compressing(OutputStream out, int level) throws IOException {
        return switch (this) {
            case BZIP2 -> new BZip2CompressorOutputStream(out, level);
            case GZIP -> {
                GzipParameters p = new GzipParameters();
                p.setCompressionLevel(level);
                yield new GzipCompressorOutputStream(out, p);
            }
        };
    }

    /** A decompressing stream that reads every concatenated stream to the end. */
    public InputStream decompressing(InputStream in) throws IOException {
        return switch (this) {
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            case GZIP -> new GzipCompressorInputStream(in, true);
        };
    }
}
