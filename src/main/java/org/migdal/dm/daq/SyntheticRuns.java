package org.migdal.dm.daq;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes synthetic MIGDAL runs for the quickstart, tests and benchmarks: folders {@code MIG_<source>_data_<YYMMDDTHHMMSS>}
 * holding files of 16-bit little-endian camera frames (a pedestal with Gaussian-like noise and a few bright
 * tracks), so compression behaves roughly like it does on real data.
 */
public final class SyntheticRuns {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyMMdd'T'HHmmss");
    private static final int WIDTH = 256;
    private static final int HEIGHT = 256;

    private final SplittableRandom random;

    public SyntheticRuns(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** The run folder name for a source and start time. */
    public static String runName(String source, LocalDateTime start) {
        return "MIG_" + source + "_data_" + STAMP.format(start);
    }

    /** Writes one run of {@code files} files of about {@code bytesPerFile} bytes under {@code diskRoot}; returns the files. */
    public List<Path> writeRun(Path diskRoot, String source, LocalDateTime start, int files, long bytesPerFile) throws IOException {
        String run = runName(source, start);
        Path dir = diskRoot.resolve(run);
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        int frameBytes = WIDTH * HEIGHT * 2;
        long frames = Math.max(1, bytesPerFile / frameBytes);
        for (int i = 0; i < files; i++) {
            Path f = dir.resolve(String.format("%s.CAL.%04d.dat", run, i));
            try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(f), 1 << 20)) {
                for (long fr = 0; fr < frames; fr++) {
                    o.write(frame());
                }
            }
            out.add(f);
        }
        return out;
    }

    private byte[] frame() {
        short[] px = new short[WIDTH * HEIGHT];
        for (int i = 0; i < px.length; i++) {
            // sum of four uniforms ≈ Gaussian, σ ≈ 4 ADC counts around a pedestal of 1000
            int noise = random.nextInt(8) + random.nextInt(8) + random.nextInt(8) + random.nextInt(8) - 14;
            px[i] = (short) (1000 + noise);
        }
        int tracks = random.nextInt(4);
        for (int t = 0; t < tracks; t++) {
            double x = random.nextInt(WIDTH);
            double y = random.nextInt(HEIGHT);
            double angle = random.nextDouble() * Math.PI * 2;
            int length = 10 + random.nextInt(60);
            int energy = 200 + random.nextInt(3000);
            for (int s = 0; s < length; s++) {
                int ix = (int) (x + s * Math.cos(angle));
                int iy = (int) (y + s * Math.sin(angle));
                if (ix >= 0 && ix < WIDTH && iy >= 0 && iy < HEIGHT) {
                    px[iy * WIDTH + ix] = (short) Math.min(65535, (px[iy * WIDTH + ix] & 0xffff) + energy / (1 + s / 8));
                }
            }
        }
        ByteBuffer b = ByteBuffer.allocate(px.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(px);
        return b.array();
    }
}
