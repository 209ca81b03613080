package org.migdal.dm.compress;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The system programs that compress a codec's bytes and decompress them again to verify, as full commands (program path
 * first). For bzip2: {@code bzip2 -9} compresses (the reference libbz2, byte for byte what {@code bzip2 -9} writes; it
 * measured faster than lbzip2's compressor here), {@code lbzip2 -d} verifies (about 20 % less CPU than {@code bzip2 -d}),
 * else {@code bzip2 -d}; either program alone does both when the other is missing. Other codecs have none: they are
 * compressed in-process.
 */
public record Programs(List<String> compress, List<String> decompress) {
    public Programs {
        compress = List.copyOf(compress);
        decompress = List.copyOf(decompress);
    }

    /** The programs for {@code codec} at {@code level} found in {@code searchPath}, or empty. */
    public static Optional<Programs> find(Codec codec, int level, List<Path> searchPath) {
        if (codec != Codec.BZIP2) {
            return Optional.empty();
        }
        Optional<Path> bzip2 = which("bzip2", searchPath);
        Optional<Path> lbzip2 = which("lbzip2", searchPath);
        if (bzip2.isEmpty() && lbzip2.isEmpty()) {
            return Optional.empty();
        }
        List<String> compress = bzip2.isPresent()
                ? List.of(bzip2.get().toString(), "-" + level, "-c")
                : List.of(lbzip2.get().toString(), "-" + level, "-n", "1", "-c");
        List<String> decompress = lbzip2.isPresent()
                ? List.of(lbzip2.get().toString(), "-d", "-n", "1", "-c")
                : List.of(bzip2.get().toString(), "-d", "-c");
        return Optional.of(new Programs(compress, decompress));
    }

    /** The first executable {@code name} in {@code searchPath}. */
    static Optional<Path> which(String name, List<Path> searchPath) {
        for (Path dir : searchPath) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The directories of the {@code PATH} environment variable. */
    public static List<Path> systemPath() {
        String path = System.getenv("PATH");
        List<Path> dirs = new ArrayList<>();
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        return dirs;
    }

    /** One line for logs and results: {@code /usr/bin/bzip2 -9 -c | /usr/bin/lbzip2 -d -n 1 -c}. */
    public String describe() {
        return String.join(" ", compress) + " | " + String.join(" ", decompress);
    }
}
