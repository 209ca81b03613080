package org.migdal.dm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the figures were measured on: cores and load average, printed beside every table. */
public record Machine(int cores, String loadAverage, String java) {
    public static Machine now() {
        String load;
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            load = f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            load = "unknown";
        }
        return new Machine(Runtime.getRuntime().availableProcessors(), load, System.getProperty("java.version"));
    }
}
