package org.migdal.dm.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Interleaved rounds: each round runs every contender once, in turn, so that a change of machine load hits all of them;
 * the figure of each is its median over the rounds.
 */
public final class Rounds {
    /** Something timed: returns the seconds the measured part took (set-up and clean-up excluded). */
    @FunctionalInterface
    public interface Timed {
        double seconds() throws Exception;
    }

    private Rounds() {
    }

    /** Runs {@code rounds} rounds of all {@code contenders} and returns each one's median seconds, in order. */
    public static double[] medians(int rounds, List<Timed> contenders) throws Exception {
        List<double[]> times = new ArrayList<>();
        for (int i = 0; i < contenders.size(); i++) {
            times.add(new double[rounds]);
        }
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < contenders.size(); c++) {
                times.get(c)[r] = contenders.get(c).seconds();
            }
        }
        double[] medians = new double[contenders.size()];
        for (int c = 0; c < contenders.size(); c++) {
            medians[c] = median(times.get(c));
        }
        return medians;
    }

    /** Times {@code body} in seconds. */
    public static double time(ThrowingRunnable body) throws Exception {
        long start = System.nanoTime();
        body.run();
        return (System.nanoTime() - start) / 1e9;
    }

    @FunctionalInterface
    public interface ThrowingRunnable {
        void run() throws Exception;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
