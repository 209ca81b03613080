package org.migdal.dm.health;

import org.migdal.dm.catalog.Activity;

import java.time.Duration;
import java.util.List;

/**
 * When a DAQ disk will be full: a least-squares line through its recent free-space samples gives the net rate; the bytes
 * the catalog saw deleted from the disk over the same window give the drain rate, and the fill rate is what the DAQ wrote
 * on top of it. A disk that is not losing free space has no time to full.
 */
public final class DiskForecast {
    /** At least this many samples, spread over at least {@link #MIN_SPAN}, before a rate is believed. */
    static final int MIN_SAMPLES = 3;
    static final Duration MIN_SPAN = Duration.ofMinutes(10);

    private DiskForecast() {
    }

    /** Net change of free space, bytes per second (negative: filling), or null with too few samples. */
    public static Double netRate(List<Activity.SpaceSample> samples) {
        if (samples.size() < MIN_SAMPLES
                || Duration.between(samples.get(0).at(), samples.get(samples.size() - 1).at()).compareTo(MIN_SPAN) < 0) {
            return null;
        }
        double t0 = samples.get(0).at().toEpochMilli() / 1000.0;
        double n = samples.size();
        double st = 0;
        double sf = 0;
        for (Activity.SpaceSample s : samples) {
            st += s.at().toEpochMilli() / 1000.0 - t0;
            sf += s.freeBytes();
        }
        double mt = st / n;
        double mf = sf / n;
        double cov = 0;
        double var = 0;
        for (Activity.SpaceSample s : samples) {
            double dt = s.at().toEpochMilli() / 1000.0 - t0 - mt;
            cov += dt * (s.freeBytes() - mf);
            var += dt * dt;
        }
        return var == 0 ? null : cov / var;
    }

    /** Seconds until {@code freeBytes} reach zero at {@code netRate}, or null when the disk is not filling. */
    public static Long secondsToFull(long freeBytes, Double netRate) {
        if (netRate == null || netRate >= 0 || freeBytes < 0) {
            return null;
        }
        return (long) Math.ceil(freeBytes / -netRate);
    }

    /** Why there is no forecast, or null when there is one. */
    static String note(List<Activity.SpaceSample> samples, Double netRate) {
        if (netRate == null) {
            return samples.size() + " free-space sample(s) in the window: a forecast needs " + MIN_SAMPLES + " over "
                    + MIN_SPAN.toMinutes() + " minutes (one is taken each DAQ cycle)";
        }
        return netRate >= 0 ? "not filling" : null;
    }
}
