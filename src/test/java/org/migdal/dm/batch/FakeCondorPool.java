package org.migdal.dm.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A stand-in HTCondor pool for tests: the Python {@code condor_submit}, {@code condor_q}, {@code condor_history},
 * {@code condor_rm} and {@code condor_release} of {@code src/test/resources/fake-condor/bin}, with their state in a
 * directory under the test's temp dir. Jobs run for real, asynchronously, in detached runner processes; faults come
 * from {@code faults.json} (its format: {@code src/test/resources/fake-condor/README.md}).
 *
 * <pre>{@code
 * try (FakeCondorPool pool = FakeCondorPool.create(tempDir)) {
 *     ProcessBuilder pb = new ProcessBuilder("condor_submit", "-terse", sub.toString());
 *     pb.environment().putAll(pool.env());          // MIGDAL_FAKE_CONDOR + PATH with the bin dir first
 *     ...
 * }                                                   // close(): no runner or job process survives
 * }</pre>
 *
 * The commands are used from the source tree (Maven resource copying loses the executable bit); the code under test
 * can also be given absolute command paths: {@code pool.command("condor_q")}.
 */
public final class FakeCondorPool implements AutoCloseable {
    private final Path stateDir;
    private final Path binDir;

    private FakeCondorPool(Path stateDir, Path binDir) {
        this.stateDir = stateDir;
        this.binDir = binDir;
    }

    /** A fresh pool whose state lives in {@code tempDir/fake-condor} (cluster ids start at 4711). */
    public static FakeCondorPool create(Path tempDir) {
        try {
            Path state = Files.createDirectories(tempDir.resolve("fake-condor")).toAbsolutePath();
            return new FakeCondorPool(state, binDir());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code <basedir>/src/test/resources/fake-condor/bin}, absolute, with its commands made executable. */
    public static Path binDir() {
        String base = System.getProperty("basedir", System.getProperty("user.dir"));
        Path bin = Paths.get(base).toAbsolutePath().resolve("src/test/resources/fake-condor/bin").normalize();
        if (!Files.isDirectory(bin)) {
            throw new IllegalStateException("fake-condor commands not found at " + bin);
        }
        try (Stream<Path> files = Files.list(bin)) {
            files.filter(f -> !Files.isExecutable(f)).forEach(f -> {
                if (!f.toFile().setExecutable(true)) {
                    throw new IllegalStateException("cannot make " + f + " executable");
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bin;
    }

    /** The state directory ({@code $MIGDAL_FAKE_CONDOR}). */
    public Path stateDir() {
        return stateDir;
    }

    /** The directory holding the {@code condor_*} commands. */
    public Path bin() {
        return binDir;
    }

    /** Absolute path of one command, e.g. {@code command("condor_submit")}. */
    public Path command(String name) {
        return binDir.resolve(name);
    }

    /** The variables to add to a child's environment: {@code MIGDAL_FAKE_CONDOR} and PATH with the bin dir first. */
    public Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MIGDAL_FAKE_CONDOR", stateDir.toString());
        String path = System.getenv("PATH");
        env.put("PATH", binDir + (path == null || path.isEmpty() ? "" : ":" + path));
        return env;
    }

    /** Replaces {@code faults.json} atomically (the pool reads it at each decision). */
    public void writeFaults(String json) {
        try {
            Path tmp = stateDir.resolve("faults.json.tmp");
            Files.writeString(tmp, json, StandardCharsets.UTF_8);
            Files.move(tmp, stateDir.resolve("faults.json"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Files that normally terminated jobs left in their scratch dir (not transferred in, not stdout/stderr), one
     * {@code "<ClusterId>.<ProcId>\t<relative path>"} per file; empty when there were none.
     */
    public List<String> leftovers() {
        Path f = stateDir.resolve("leftovers.txt");
        try {
            return Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Result of one command run through {@link #run}. */
    public record Result(int exit, String stdout, String stderr) {
    }

    /** Runs {@code argv} (first element a command name on the pool's PATH) in {@code cwd} with the pool's env. */
    public Result run(Path cwd, String... argv) {
        return run(cwd, Map.of(), argv);
    }

    /** As {@link #run(Path, String...)} with extra environment variables. */
    public Result run(Path cwd, Map<String, String> extraEnv, String... argv) {
        List<String> cmd = new ArrayList<>(List.of(argv));
        if (!cmd.get(0).contains("/") && Files.exists(command(cmd.get(0)))) {
            cmd.set(0, command(cmd.get(0)).toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().putAll(extraEnv);
        pb.environment().putAll(env());
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new Result(p.exitValue(), new String(out.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                    new String(err.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Pids of the runner processes the pool recorded (alive or not). */
    public List<Long> runnerPids() {
        List<Long> pids = new ArrayList<>();
        Path dir = stateDir.resolve("runners");
        if (!Files.isDirectory(dir)) {
            return pids;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().endsWith(".pid")) {
                    try {
                        pids.add(Long.parseLong(Files.readString(f).trim()));
                    } catch (NumberFormatException | IOException ignored) {
                        // being written or removed
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pids;
    }

    /** Kills every runner and job process of this pool ({@code fakecondor.py shutdown}, then a Java fallback). */
    @Override
    public void close() {
        List<ProcessHandle> runners = new ArrayList<>();
        for (long pid : runnerPids()) {
            ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().map(c -> c.contains("fakecondor.py")).orElse(false))
                    .ifPresent(runners::add);
        }
        try {
            ProcessBuilder pb = new ProcessBuilder("python3", binDir.resolveSibling("fakecondor.py").toString(),
                    "shutdown").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().putAll(env());
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // fall through to the Java fallback
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : runners) {
            if (h.isAlive()) {
                h.descendants().forEach(ProcessHandle::destroyForcibly);
                h.destroyForcibly();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (ProcessHandle h : runners) {
            while (h.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                try {
                    h.onExit().get(100, TimeUnit.MILLISECONDS);
                } catch (Exception ignored) {
                    // poll again until the deadline
                }
            }
        }
    }
}
