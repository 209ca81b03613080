package org.migdal.dm.notify;

import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.health.DiskOutlook;
import org.migdal.dm.health.Overview;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The conditions the notifications announce, judged from one {@link Overview} with the thresholds of the shipped
 * Prometheus alerts: the credential runs out within {@link #CREDENTIAL_LEFT} (or cannot be used); a DAQ disk is full
 * within {@link #DISK_FULL_WITHIN} at the recent rates; no file moved on for {@link #NO_PROGRESS} while work waits; files
 * are QUARANTINED or MISSING; an endpoint is DOWN.
 */
public final class Conditions {
    public static final Duration CREDENTIAL_LEFT = Duration.ofDays(2);
    public static final Duration DISK_FULL_WITHIN = Duration.ofHours(6);
    public static final Duration NO_PROGRESS = Duration.ofHours(1);

    /** The credential is each host's own: {@code credential@HOST}. */
    public static final String CREDENTIAL = "credential@";
    public static final String DISK_FULL = "disk-full:";
    public static final String NO_PROGRESS_KEY = "no-progress";
    public static final String QUARANTINED = "files-quarantined";
    public static final String MISSING = "files-missing";
    public static final String ENDPOINT_DOWN = "endpoint-down:";

    private Conditions() {
    }

    public static String credentialKey(String host) {
        return CREDENTIAL + host;
    }

    /** The conditions of {@code o}, judged on {@code host} (whose credential it shows). */
    public static Evaluation evaluate(Overview o, String host) {
        List<Condition> out = new ArrayList<>();
        Set<String> undecided = new HashSet<>();
        credential(o, host).ifPresent(out::add);
        for (DiskOutlook d : o.disks()) {
            String key = DISK_FULL + d.disk();
            if (d.phase() == DiskOutlook.Phase.UNAVAILABLE || d.freeBytes() < 0) {
                undecided.add(key); // not mounted or not readable here (another host's disk): this process cannot tell
            } else if (d.secondsToFull() != null && d.secondsToFull() < DISK_FULL_WITHIN.toSeconds()) {
                out.add(new Condition(key, "DAQ disk " + d.disk() + " (" + d.path() + ") will be full in about "
                        + duration(Duration.ofSeconds(d.secondsToFull())) + " at the rates of the last hours: "
                        + gib(d.freeBytes()) + " free, the DAQ writes " + mbps(d.fillBytesPerSecond()) + ", shipping drains "
                        + mbps(d.drainBytesPerSecond()) + ". Check that the DAQ cycle runs and ships (`migdal-dm status`,"
                        + " `migdal-dm run --role daq`), or switch the DAQ to another disk."));
            }
        }
        long waiting = o.waiting();
        if (o.lastProgress() == null) {
            undecided.add(NO_PROGRESS_KEY); // nothing ever moved on: the endpoint and credential conditions say why
        } else if (waiting > 0 && Duration.between(o.lastProgress(), o.at()).compareTo(NO_PROGRESS) >= 0) {
            StringBuilder t = new StringBuilder("no file has moved on (shipped, compressed or on tape) since "
                    + time(o.lastProgress()) + " (" + duration(Duration.between(o.lastProgress(), o.at())) + ") while "
                    + waiting + " file(s) wait. See `migdal-dm doctor` and `migdal-dm status`");
            if (!o.lastErrors().isEmpty()) {
                var e = o.lastErrors().get(0);
                t.append("; the newest error (").append(e.action()).append(", ").append(time(e.at())).append(", ")
                        .append(e.lfn()).append("): ").append(e.message());
            }
            out.add(new Condition(NO_PROGRESS_KEY, t.append('.').toString()));
        }
        long quarantined = o.files(FileState.QUARANTINED);
        if (quarantined > 0) {
            out.add(new Condition(QUARANTINED, quarantined + " file(s) QUARANTINED: they are not worked on until an operator"
                    + " looks. List them with `migdal-dm ls --state QUARANTINED`, read why with `migdal-dm show LFN`, and"
                    + " `migdal-dm retry LFN…` (or `retry --failed`) once the cause is fixed."));
        }
        long missing = o.files(FileState.MISSING);
        if (missing > 0) {
            out.add(new Condition(MISSING, missing + " file(s) MISSING: they vanished from their DAQ disk before they were"
                    + " shipped. List them with `migdal-dm ls --state MISSING`; `migdal-dm retry LFN` if one comes back,"
                    + " `migdal-dm forget LFN` if it never will."));
        }
        for (EndpointStatus s : o.down()) {
            out.add(new Condition(ENDPOINT_DOWN + s.url(), "endpoint " + s.url() + " is DOWN since " + time(s.since()) + " ("
                    + s.failures() + " failed probe(s)): " + s.reason() + ". Nothing is sent to it and no file is charged"
                    + " meanwhile; fix the cause, then `migdal-dm storage probe` (it is also probed again by itself)."));
        }
        return new Evaluation(out, undecided, host);
    }

    private static java.util.Optional<Condition> credential(Overview o, String host) {
        Overview.CredentialLife c = o.credential();
        if (c == null) {
            return java.util.Optional.empty(); // local storage: no credential needed
        }
        String renew = " Renew it in place (`voms-proxy-init --voms … --valid 96:00 --out <the same file>`, or a new token"
                + " file); the running daemon picks it up. `migdal-dm doctor` checks it.";
        if ("FAIL".equals(c.level()) || c.expires() == null && c.secondsLeft() <= 0) {
            return java.util.Optional.of(new Condition(credentialKey(host), "the " + c.kind() + " on " + host + " cannot be used: " + c.summary()
                    + "; transfers are refused." + renew));
        }
        if (c.expires() != null && c.secondsLeft() < CREDENTIAL_LEFT.toSeconds()) {
            return java.util.Optional.of(new Condition(credentialKey(host), "the " + c.kind() + " on " + host + " runs out at " + time(c.expires())
                    + " (" + duration(Duration.ofSeconds(c.secondsLeft())) + " left)." + renew));
        }
        return java.util.Optional.empty();
    }

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    static String duration(Duration d) {
        return org.migdal.dm.security.CredentialStore.human(d.isNegative() ? Duration.ZERO : d);
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    private static String mbps(Double bytesPerSecond) {
        return bytesPerSecond == null ? "?" : String.format(java.util.Locale.ROOT, "%.2f MB/s", bytesPerSecond / 1e6);
    }
}
