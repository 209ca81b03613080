package org.migdal.dm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** Baseline programs run the way a shell's {@code xargs -P} would, through {@link ProcessBuilder} (no shell). */
final class Tools {
    private final Path out;

    Tools(Path out) {
        this.out = out;
    }

    /**
     * Runs {@code program args… < file > out} for every file, {@code threads} at a time; returns the seconds taken, or NaN
     * when the program is missing. {@code bytes} (may be null) receives the total output size.
     */
    double parallel(String program, List<String> args, List<Path> files, int threads, AtomicLong bytes) throws Exception {
        if (!ArchiveBench.present(program)) {
            return Double.NaN;
        }
        Files.createDirectories(out);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long[] total = new long[1];
            double s = Rounds.time(() -> {
                List<Future<Long>> done = new ArrayList<>();
                for (int i = 0; i < files.size(); i++) {
                    Path in = files.get(i);
                    Path o = out.resolve(program + "-" + i + ".out");
                    done.add(pool.submit(() -> {
                        List<String> cmd = new ArrayList<>(List.of(program));
                        cmd.addAll(args);
                        Process p = new ProcessBuilder(cmd).redirectInput(in.toFile()).redirectOutput(o.toFile())
                                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                        if (p.waitFor() != 0) {
                            throw new IOException(String.join(" ", cmd) + " < " + in + " exited with " + p.exitValue());
                        }
                        return Files.size(o);
                    }));
                }
                for (Future<Long> f : done) {
                    total[0] += f.get();
                }
            });
            if (bytes != null) {
                bytes.set(total[0]);
            }
            return s;
        } finally {
            pool.shutdownNow();
            Scratch.delete(out);
        }
    }

    /** How many files ending in {@code suffix} under {@code root} pass {@code bzip2 -t} (0 without bzip2). */
    int testAll(Path root, String suffix) throws Exception {
        if (!ArchiveBench.present("bzip2")) {
            return 0;
        }
        List<Path> copies;
        try (Stream<Path> s = Files.walk(root)) {
            copies = s.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
        int ok = 0;
        for (Path c : copies) {
            Process p = new ProcessBuilder("bzip2", "-t", c.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            ok += p.waitFor() == 0 ? 1 : 0;
        }
        return ok;
    }
}
