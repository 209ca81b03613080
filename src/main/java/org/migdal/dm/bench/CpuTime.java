package org.migdal.dm.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds used so far by this process and by its children that have been waited for (Linux: {@code /proc/self/stat}
 * cutime + cstime): what a contender costs whatever else the machine is doing. NaN where either is unknown.
 */
final class CpuTime {
    private CpuTime() {
    }

    static double now() {
        try {
            double own = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double ticks = 100.0; // USER_HZ on Linux
            return own + (Long.parseLong(f[13]) + Long.parseLong(f[14])) / ticks;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
