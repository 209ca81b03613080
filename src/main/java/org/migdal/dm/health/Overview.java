package org.migdal.dm.health;

import org.migdal.dm.catalog.Activity;
import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.StateCount;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The state of the whole system at one instant, read-only: what the dashboard's overview, {@code /api/status},
 * {@code /metrics} and the notifications all show, built in one place ({@link Overviews}).
 *
 * @param counts       files and bytes per disk and state
 * @param disks        each configured DAQ disk with its phase, free space and forecast
 * @param endpoints    the storage endpoints (and the HTCondor schedd) as the catalog last saw them
 * @param credential   the credential transfers use, or null when none is needed (local storage) or none could be read
 * @param lastErrors   the newest failed event of each action
 * @param lastProgress when a file last moved on (shipped, compressed or on tape), or null if never
 */
public record Overview(Instant at, List<StateCount> counts, List<DiskOutlook> disks, List<EndpointStatus> endpoints,
                       CredentialLife credential, List<Activity.StageError> lastErrors, Instant lastProgress) {

    /** The credential's kind, when it stops being usable, and the policy's verdict (its summary names no secret). */
    public record CredentialLife(String kind, Instant expires, long secondsLeft, String level, String summary) {
    }

    /** Files and bytes per state over every disk ({@code [files, bytes]}), in the state machine's order. */
    public Map<FileState, long[]> totals() {
        Map<FileState, long[]> out = new EnumMap<>(FileState.class);
        for (StateCount c : counts) {
            long[] t = out.computeIfAbsent(c.state(), s -> new long[2]);
            t[0] += c.files();
            t[1] += c.bytes();
        }
        return out;
    }

    /** Files in {@code state} over every disk. */
    public long files(FileState state) {
        long[] t = totals().get(state);
        return t == null ? 0 : t[0];
    }

    /** Files that still wait for work: registered up to on the way to tape, claimed or not. */
    public long waiting() {
        long n = 0;
        for (Map.Entry<FileState, long[]> e : totals().entrySet()) {
            if (e.getKey().isAwaitingWork()) {
                n += e.getValue()[0];
            }
        }
        return n;
    }

    /** The endpoints that are DOWN. */
    public List<EndpointStatus> down() {
        return endpoints.stream().filter(EndpointStatus::down).toList();
    }
}
