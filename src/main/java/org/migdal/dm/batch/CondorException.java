package org.migdal.dm.batch;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A failed HTCondor command, typed by {@link Kind}. The message names the command line, the exit code and what the
 * command printed on stderr (trimmed), so the log shows HTCondor's own words. {@link #classify} is the one place that
 * reads HTCondor's error texts (reference §2, §3.4, §5).
 */
public final class CondorException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, so the caller can decide between retry later, fixing the credential, and giving up. */
    public enum Kind {
        /** The schedd cannot be located, reached or is too slow (incl. a command timing out or failing to start): retry later. */
        SCHEDD_UNREACHABLE,
        /** The proxy or token is expired, too short or refused, or an OAuth credential must be stored first. */
        CREDENTIAL,
        /** HTCondor read the request and refused it: commit refused, submit file parse error, no queue, limits, bad constraint. */
        REFUSED,
        /** No such job or cluster (it has left the queue). */
        NOT_FOUND,
        /** Anything else, including output that does not follow HTCondor's formats. */
        OTHER
    }

    /** Exit code used when the command did not exit by itself (timeout, could not start). */
    public static final int NO_EXIT = -1;

    private static final Pattern JOB_NOT_FOUND = Pattern.compile("(?m)^Job \\d+\\.-?\\d+ not found");

    private final Kind kind;
    private final List<String> command;
    private final int exitCode;
    private final String stderr;

    public CondorException(Kind kind, List<String> command, int exitCode, String stderr, String detail, Throwable cause) {
        super(format(kind, command, exitCode, stderr, detail), cause);
        this.kind = kind;
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.stderr = stderr == null ? "" : stderr.strip();
    }

    /** A command that exited with {@code exitCode}: classified from what it printed. */
    public static CondorException failed(List<String> command, int exitCode, String stdout, String stderr) {
        return new CondorException(classify(stdout, stderr), command, exitCode, stderr, null, null);
    }

    /** A command still running after {@code timeout}: its process tree was killed. The schedd is treated as unreachable. */
    public static CondorException timedOut(List<String> command, Duration timeout, String stderr) {
        return new CondorException(Kind.SCHEDD_UNREACHABLE, command, NO_EXIT, stderr, "timed out after " + timeout + ", killed", null);
    }

    /** A command that could not be started (not installed, not executable). */
    public static CondorException cannotStart(List<String> command, Exception cause) {
        return new CondorException(Kind.SCHEDD_UNREACHABLE, command, NO_EXIT, null, "cannot be started: " + cause.getMessage(), cause);
    }

    /**
     * Whether the command may have done its work although it failed: it was killed by the timeout (condor_submit may have
     * committed), or it exited 0 with output we could not read. A command that exited non-zero, or never started, did not:
     * "Failures before the commit leave nothing queued".
     */
    public boolean outcomeUnknown() {
        return exitCode == 0 || (exitCode == NO_EXIT && getCause() == null);
    }

    /** Exit 0, but the output is not what the command prints on success. */
    public static CondorException unreadable(List<String> command, String stderr, IllegalArgumentException cause) {
        return new CondorException(Kind.OTHER, command, 0, stderr, cause.getMessage(), cause);
    }

    /**
     * The one rule mapping HTCondor's failure texts to a kind. Order matters: an authentication that ran out of time
     * ({@code AUTHENTICATE:1006 … deadline}) is an overloaded or unreachable schedd even when the stack also names
     * failed methods; any other authentication failure is a credential problem even when it is reported as a failed
     * connection ({@code Failed to connect to queue manager X} + {@code AUTHENTICATE:1003/1004}).
     */
    public static Kind classify(String stdout, String stderr) {
        String err = stderr == null ? "" : stderr;
        String out = stdout == null ? "" : stdout;
        if (err.contains("AUTHENTICATE:1006") && err.contains("deadline")) {
            return Kind.SCHEDD_UNREACHABLE;
        }
        if (err.contains("proxy has expired") || err.contains("proxy lifetime too short") || err.contains("AUTHENTICATE:1003")
                || err.contains("AUTHENTICATE:1004") || out.contains("Please visit:") || err.contains("Please visit:")) {
            return Kind.CREDENTIAL;
        }
        if (err.contains("Can't find address of") || err.contains("Can't find address for") || err.contains("Failed to connect to local queue manager")
                || err.contains("CEDAR:6001") || err.contains("-- Failed to fetch ads from")
                || err.contains("condor_schedd is not running")) {
            return Kind.SCHEDD_UNREACHABLE;
        }
        if (JOB_NOT_FOUND.matcher(err).find() || err.contains("Couldn't find/remove all jobs")) {
            return Kind.NOT_FOUND;
        }
        if (err.contains("Failed to commit job submission") || err.contains("Failed to parse command file")
                || err.contains("doesn't contain any \"queue\" commands") || err.contains("MAX_JOBS")
                || err.contains("Parse error in constraint expression") || err.contains("already marked for removal")
                || err.contains("not held to be released") || err.contains("Permission denied")) {
            return Kind.REFUSED;
        }
        return Kind.OTHER;
    }

    private static String format(Kind kind, List<String> command, int exitCode, String stderr, String detail) {
        StringBuilder sb = new StringBuilder(String.join(" ", command)).append(": ");
        if (exitCode != NO_EXIT) {
            sb.append("exit ").append(exitCode).append(", ");
        }
        sb.append(kind);
        if (detail != null && !detail.isBlank()) {
            sb.append(", ").append(detail);
        }
        String err = stderr == null ? "" : stderr.strip();
        if (!err.isEmpty()) {
            sb.append(": ").append(err.replaceAll("\\s*\\R\\s*", " | "));
        }
        return sb.toString();
    }

    public Kind kind() {
        return kind;
    }

    /** The argv that failed. */
    public List<String> command() {
        return command;
    }

    /** The exit code, or {@link #NO_EXIT} when the command timed out or did not start. */
    public int exitCode() {
        return exitCode;
    }

    /** What the command printed on stderr, trimmed. */
    public String stderr() {
        return stderr;
    }

    /** True when trying again later may help (the schedd was unreachable, slow or down). */
    public boolean isRetryable() {
        return kind == Kind.SCHEDD_UNREACHABLE;
    }
}
