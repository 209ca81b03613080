package org.migdal.dm.web;

import org.migdal.dm.catalog.Activity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Files and bytes per hour through each step over a window, and the backlog (files waiting) at the end of each hour.
 * The backlog now is the overview's waiting files; walking back, the backlog at the end of the previous hour is this
 * hour's backlog less what was registered in it plus what reached tape in it.
 */
public record Series(Instant from, Duration width, List<Point> points) {
    /** One bucket: files and bytes through each step, and files waiting at its end. */
    public record Point(Instant start, long registered, long shipped, long shippedBytes, long compressed, long compressedBytes,
                        long onTape, long onTapeBytes, long backlog) {
    }

    static final Duration HOUR = Duration.ofHours(1);

    /** The last {@code hours} whole hours up to the hour that contains {@code now}. */
    static Series of(Activity activity, Instant now, int hours, long waitingNow) {
        Instant to = now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(HOUR);
        Instant from = to.minus(HOUR.multipliedBy(hours));
        List<Activity.Bucket> reg = activity.throughput(Activity.Step.REGISTERED, from, to, HOUR);
        List<Activity.Bucket> ship = activity.throughput(Activity.Step.SHIPPED, from, to, HOUR);
        List<Activity.Bucket> comp = activity.throughput(Activity.Step.COMPRESSED, from, to, HOUR);
        List<Activity.Bucket> tape = activity.throughput(Activity.Step.ON_TAPE, from, to, HOUR);
        long[] backlog = backlog(waitingNow, reg.stream().mapToLong(Activity.Bucket::files).toArray(),
                tape.stream().mapToLong(Activity.Bucket::files).toArray());
        List<Point> points = new ArrayList<>(reg.size());
        for (int i = 0; i < reg.size(); i++) {
            points.add(new Point(reg.get(i).start(), reg.get(i).files(), ship.get(i).files(), ship.get(i).bytes(), comp.get(i).files(),
                    comp.get(i).bytes(), tape.get(i).files(), tape.get(i).bytes(), backlog[i]));
        }
        return new Series(from, HOUR, points);
    }

    /**
     * The backlog at the end of each bucket, oldest first, from the backlog at the end of the last one:
     * {@code backlog[i-1] = backlog[i] - registered[i] + onTape[i]} (never below zero: files that left the pipeline
     * otherwise, such as quarantined ones, are not in either series).
     */
    static long[] backlog(long now, long[] registered, long[] onTape) {
        int n = registered.length;
        long[] out = new long[n];
        if (n == 0) {
            return out;
        }
        out[n - 1] = now;
        for (int i = n - 1; i > 0; i--) {
            out[i - 1] = Math.max(0, out[i] - registered[i] + onTape[i]);
        }
        return out;
    }
}
