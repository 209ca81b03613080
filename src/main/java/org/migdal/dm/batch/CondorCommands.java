package org.migdal.dm.batch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@link Condor} by running HTCondor's command-line tools (reference §2, §3, §5) with {@link ProcessBuilder}: an argument
 * list, never a shell (a constraint is one argv element); stdin closed; stdout and stderr captured whole (through temporary
 * files, so no pipe can fill up and block the command); a command still running after the timeout is killed with its
 * process tree and reported as {@link CondorException.Kind#SCHEDD_UNREACHABLE} (the schedd "may timeout" when overloaded,
 * reference §6). Decisions rest on exit codes and {@code -terse}/{@code -json} output; stderr only names the failure.
 * Immutable and safe for concurrent use.
 */
public final class CondorCommands implements Condor {
    private static final String ATTRIBUTE_LIST = String.join(",", ATTRIBUTES);
    /** How long to wait for a killed process to be reaped. */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final Path commandDir;
    private final Map<String, String> environment;
    private final Duration timeout;

    /**
     * @param commandDir  where condor_submit, condor_q, … are; null = found on PATH
     * @param environment variables added to this process's environment for every command (e.g. {@code CONDOR_CONFIG})
     * @param timeout     how long one command may run before it is killed
     */
    public CondorCommands(Path commandDir, Map<String, String> environment, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("HTCondor command timeout must be positive: " + timeout);
        }
        this.commandDir = commandDir;
        this.environment = Collections.unmodifiableMap(new LinkedHashMap<>(environment == null ? Map.of() : environment));
        this.timeout = timeout;
    }

    @Override
    public ClusterRange submit(Path submitFile) throws CondorException {
        Path file = submitFile.toAbsolutePath().normalize();
        Result r = run(file.getParent(), List.of(command("condor_submit"), "-terse", file.toString()));
        r.requireSuccess();
        try {
            return ClusterRange.parse(r.stdout);
        } catch (IllegalArgumentException e) {
            throw CondorException.unreadable(r.argv, r.stderr, e);
        }
    }

    @Override
    public List<JobAd> queue(long cluster) throws CondorException {
        return ads(List.of(command("condor_q"), cluster(cluster), "-json", "-attributes", ATTRIBUTE_LIST));
    }

    @Override
    public List<JobAd> history(long cluster, long completedSinceEpoch) throws CondorException {
        return ads(List.of(command("condor_history"), cluster(cluster), "-json", "-attributes", ATTRIBUTE_LIST,
                "-completedsince", Long.toString(completedSinceEpoch)));
    }

    @Override
    public List<JobAd> queueByBatchName(String batchName) throws CondorException {
        return ads(List.of(command("condor_q"), "-constraint", ClassAds.isExactly("JobBatchName", batchName), "-json",
                "-attributes", ATTRIBUTE_LIST));
    }

    @Override
    public List<JobAd> historyByBatchName(String batchName, int limit) throws CondorException {
        if (limit <= 0) {
            throw new IllegalArgumentException("condor_history -limit must be positive: " + limit);
        }
        return ads(List.of(command("condor_history"), "-constraint", ClassAds.isExactly("JobBatchName", batchName),
                "-limit", Integer.toString(limit), "-json", "-attributes", ATTRIBUTE_LIST));
    }

    @Override
    public Outcome remove(JobId id, String reason) throws CondorException {
        return rm(reason, id.toString());
    }

    @Override
    public Outcome removeCluster(long cluster, String reason) throws CondorException {
        return rm(reason, cluster(cluster));
    }

    @Override
    public Outcome release(JobId id) throws CondorException {
        Result r = run(null, List.of(command("condor_release"), id.toString()));
        return outcome(r, "not held to be released", Outcome.NOT_HELD);
    }

    private Outcome rm(String reason, String target) throws CondorException {
        List<String> argv = new ArrayList<>(List.of(command("condor_rm")));
        if (reason != null && !reason.isBlank()) {
            argv.addAll(List.of("-reason", reason));
        }
        argv.add(target);
        return outcome(run(null, argv), "already marked for removal", Outcome.ALREADY_REMOVING);
    }

    /** condor_rm/condor_release: a job that is gone, already being removed, or not held is a result, not a failure (§5). */
    private static Outcome outcome(Result r, String alreadyText, Outcome already) throws CondorException {
        if (r.exit == 0) {
            boolean emptyQueue = r.stdout.contains("There are no jobs in the queue") || r.stderr.contains("There are no jobs in the queue");
            return emptyQueue ? Outcome.NOT_FOUND : Outcome.DONE;
        }
        if (CondorException.classify(r.stdout, r.stderr) == CondorException.Kind.NOT_FOUND) {
            return Outcome.NOT_FOUND;
        }
        if (r.stderr.contains(alreadyText)) {
            return already;
        }
        throw CondorException.failed(r.argv, r.exit, r.stdout, r.stderr);
    }

    private List<JobAd> ads(List<String> argv) throws CondorException {
        Result r = run(null, argv);
        r.requireSuccess();
        try {
            return CondorJson.ads(r.stdout);
        } catch (IllegalArgumentException e) {
            throw CondorException.unreadable(argv, r.stderr, e);
        }
    }

    private String command(String name) {
        return commandDir == null ? name : commandDir.resolve(name).toString();
    }

    private static String cluster(long cluster) {
        if (cluster < 0) {
            throw new IllegalArgumentException("not a ClusterId: " + cluster);
        }
        return Long.toString(cluster);
    }

    /** Runs {@code argv} in {@code cwd} (null = this process's) and returns what it printed, whatever its exit code. */
    Result run(Path cwd, List<String> argv) throws CondorException {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("condor-", ".out");
            err = Files.createTempFile("condor-", ".err");
            ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (cwd != null) {
                pb.directory(cwd.toFile());
            }
            pb.environment().putAll(environment);
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw CondorException.cannotStart(argv, e);
            }
            try {
                p.getOutputStream().close(); // stdin: nothing to read, and no command may wait for a terminal
            } catch (IOException ignored) {
                // the command has already exited or closed its stdin
            }
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    killTree(p);
                    throw CondorException.timedOut(argv, timeout, read(err));
                }
            } catch (InterruptedException e) {
                killTree(p);
                Thread.currentThread().interrupt();
                throw new CondorException(CondorException.Kind.OTHER, argv, CondorException.NO_EXIT, read(err), "interrupted, killed", e);
            }
            return new Result(argv, p.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new CondorException(CondorException.Kind.OTHER, argv, CondorException.NO_EXIT, null,
                    "cannot capture its output: " + e.getMessage(), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Kills the process and everything it started (descendants are listed first: once it dies they are re-parented). */
    private static void killTree(Process p) {
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover temporary file is harmless
            }
        }
    }

    /** What one command did: its argv, exit code and the complete stdout and stderr. */
    record Result(List<String> argv, int exit, String stdout, String stderr) {
        Result {
            argv = List.copyOf(argv);
            Objects.requireNonNull(stdout);
            Objects.requireNonNull(stderr);
        }

        void requireSuccess() throws CondorException {
            if (exit != 0) {
                throw CondorException.failed(argv, exit, stdout, stderr);
            }
        }
    }
}
