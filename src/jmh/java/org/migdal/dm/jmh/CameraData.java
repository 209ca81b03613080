package org.migdal.dm.jmh;

import org.migdal.dm.daq.SyntheticRuns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.stream.Stream;

/** 1 MiB of camera frames as the DAQ writes them (16-bit pixels, pedestal and noise), made by {@link SyntheticRuns}. */
final class CameraData {
    private CameraData() {
    }

    static byte[] oneMiB() throws IOException {
        Path dir = Files.createTempDirectory("migdal-jmh");
        try {
            Path f = new SyntheticRuns(12).writeRun(dir, "Fe55", LocalDateTime.of(2022, 8, 3, 14, 54, 47), 1, 1 << 20).get(0);
            return Files.readAllBytes(f);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
