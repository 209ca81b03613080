package org.migdal.dm.batch;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One event of an HTCondor job event log (reference §4): the header line
 * {@code "%03d (%03d.%03d.%03d) <time> <text>"} and the body lines up to the closing {@code ...}. Unknown codes are
 * kept as they are (forward compatibility); the helpers below read the few body lines a tracker needs.
 *
 * @param code     the event code, e.g. 5 for {@code 005 JOB_TERMINATED}
 * @param cluster  ClusterId
 * @param proc     ProcId (-1 for a late-materialization factory's cluster events)
 * @param subproc  the node number (0)
 * @param time     the time as written: {@code 2024-06-10 14:05:12} (local time), with {@code .mmm} and/or {@code Z}
 *                 when so configured, or the legacy {@code 06/10 14:05:12}
 * @param text     the header's description, e.g. {@code Job terminated.}
 * @param body     the body lines without their leading TAB (submit-event notes keep their 4 spaces; blank lines kept)
 * @param raw      the event exactly as read (header and body lines, each ending in {@code \n}, no {@code ...} line)
 */
public record JobEvent(int code, long cluster, int proc, int subproc, String time, String text, List<String> body, String raw) {
    public static final int SUBMIT = 0;
    public static final int EXECUTE = 1;
    public static final int EXECUTABLE_ERROR = 2;
    public static final int EVICTED = 4;
    public static final int TERMINATED = 5;
    public static final int IMAGE_SIZE = 6;
    public static final int SHADOW_EXCEPTION = 7;
    public static final int ABORTED = 9;
    public static final int SUSPENDED = 10;
    public static final int UNSUSPENDED = 11;
    public static final int HELD = 12;
    public static final int RELEASED = 13;
    public static final int FILE_TRANSFER = 40;

    private static final Pattern RETURN_VALUE = Pattern.compile("\\(1\\) Normal termination \\(return value (-?\\d+)\\)");
    private static final Pattern SIGNAL = Pattern.compile("\\(0\\) Abnormal termination \\(signal (\\d+)\\)");
    private static final Pattern HOLD_CODES = Pattern.compile("Code (-?\\d+) Subcode (-?\\d+)");
    private static final String REQUEUED = "(0) Job terminated and was requeued";

    public JobEvent {
        body = List.copyOf(body);
    }

    public JobId jobId() {
        return new JobId(cluster, proc);
    }

    /** {@code 005} (terminated) or {@code 009} (aborted/removed): the job has left, no further event will come for it. */
    public boolean isTerminal() {
        return code == TERMINATED || code == ABORTED;
    }

    /** {@code 005} {@code (1) Normal termination (return value N)}: N, the job's exit code. */
    public OptionalInt returnValue() {
        return code == TERMINATED ? firstInt(RETURN_VALUE) : OptionalInt.empty();
    }

    /** {@code 005} {@code (0) Abnormal termination (signal N)}: N, the signal that killed the job. */
    public OptionalInt signal() {
        return code == TERMINATED ? firstInt(SIGNAL) : OptionalInt.empty();
    }

    /** {@code 012}: the {@code HoldReasonCode} from the body line {@code Code C Subcode S}. */
    public OptionalInt holdCode() {
        return code == HELD ? holdCodes(1) : OptionalInt.empty();
    }

    /** {@code 012}: the {@code HoldReasonSubCode} from the body line {@code Code C Subcode S}. */
    public OptionalInt holdSubcode() {
        return code == HELD ? holdCodes(2) : OptionalInt.empty();
    }

    /** {@code 012}: the first body line, the hold reason as written ({@code Reason unspecified} when HTCondor had none). */
    public Optional<String> holdReason() {
        if (code != HELD || body.isEmpty() || HOLD_CODES.matcher(body.get(0)).matches()) {
            return Optional.empty();
        }
        return Optional.of(body.get(0));
    }

    /**
     * {@code 009}/{@code 013}: the optional reason, the first body line, e.g. {@code via condor_rm (by user alice)} or
     * the text given to {@code condor_rm -reason} (a following blank line + {@code Job terminated by …} is not part of it).
     */
    public Optional<String> reason() {
        if ((code != ABORTED && code != RELEASED) || body.isEmpty() || body.get(0).isBlank()) {
            return Optional.empty();
        }
        return Optional.of(body.get(0));
    }

    /** {@code 004} with {@code (0) Job terminated and was requeued}: the attempt failed and a retry was started by policy. */
    public boolean requeued() {
        return code == EVICTED && body.stream().anyMatch(l -> l.strip().equals(REQUEUED));
    }

    private OptionalInt firstInt(Pattern p) {
        for (String line : body) {
            Matcher m = p.matcher(line.strip());
            if (m.matches()) {
                return OptionalInt.of(Integer.parseInt(m.group(1)));
            }
        }
        return OptionalInt.empty();
    }

    private OptionalInt holdCodes(int group) {
        for (String line : body) {
            Matcher m = HOLD_CODES.matcher(line.strip());
            if (m.matches()) {
                return OptionalInt.of(Integer.parseInt(m.group(group)));
            }
        }
        return OptionalInt.empty();
    }

    @Override
    public String toString() {
        return String.format("%03d (%s) %s %s", code, jobId(), time, text);
    }
}
