package org.migdal.dm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a whole process and measures its peak resident memory: through {@code /usr/bin/time -v} when it is there
 * (exact, from the kernel's accounting), else by polling {@code VmHWM} in {@code /proc/PID/status} (the kernel's own
 * high-water mark, read every 20 ms until the process ends).
 */
public final class PeakRss {
    private static final Path TIME = Path.of("/usr/bin/time");
    private static final Pattern TIME_MAX = Pattern.compile("Maximum resident set size \\(kbytes\\): (\\d+)");
    private static final Pattern HWM = Pattern.compile("VmHWM:\\s+(\\d+) kB");
    private static final Pattern USER = Pattern.compile("User time \\(seconds\\): ([0-9.]+)");
    private static final Pattern SYSTEM = Pattern.compile("System time \\(seconds\\): ([0-9.]+)");

    /**
     * A finished process: exit code, wall seconds, peak RSS in MiB, CPU seconds (user + system; NaN without
     * {@code /usr/bin/time}), what it printed (stdout, then stderr).
     */
    public record Run(int exit, double seconds, double peakMiB, double cpuSeconds, String stdout, String stderr, String how) {
    }

    private PeakRss() {
    }

    public static Run run(List<String> command, Path scratch) throws IOException, InterruptedException {
        boolean viaTime = Files.isExecutable(TIME);
        List<String> cmd = new ArrayList<>();
        if (viaTime) {
            cmd.add(TIME.toString());
            cmd.add("-v");
        }
        cmd.addAll(command);
        Path out = Files.createTempFile(scratch, "out", ".txt");
        Path err = Files.createTempFile(scratch, "err", ".txt");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        long hwmKb = 0;
        while (!p.waitFor(20, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (!viaTime) {
                hwmKb = Math.max(hwmKb, hwm(p.pid()));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        double cpu = Double.NaN;
        if (viaTime) {
            Matcher m = TIME_MAX.matcher(stderr);
            hwmKb = m.find() ? Long.parseLong(m.group(1)) : 0;
            Matcher user = USER.matcher(stderr);
            Matcher system = SYSTEM.matcher(stderr);
            if (user.find() && system.find()) {
                cpu = Double.parseDouble(user.group(1)) + Double.parseDouble(system.group(1));
            }
        }
        return new Run(p.exitValue(), seconds, hwmKb == 0 ? Double.NaN : hwmKb / 1024.0, cpu, stdout, stderr,
                viaTime ? "/usr/bin/time -v" : "VmHWM polled every 20 ms");
    }

    private static long hwm(long pid) {
        try {
            Matcher m = HWM.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        } catch (IOException | RuntimeException e) {
            return 0; // gone meanwhile
        }
    }
}
