package org.migdal.dm.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** One group of figures of {@code bench all}. Implementations are listed in {@link Benches}. */
public interface Bench {
    /** Short name, used by {@code bench all --only NAME}. */
    String name();

    /**
     * Generates its data under {@code ctx.scratch()}, measures ours and the baseline in interleaved rounds, and returns the
     * figures. Progress lines go to {@code ctx.log()}; a baseline tool that is missing is a figure with NaN and
     * {@code met=false}, named in its detail, never a crash.
     */
    List<Figure> run(Context ctx) throws Exception;

    /**
     * @param scratch a fresh folder for this bench, removed afterwards
     * @param rounds  interleaved rounds (median taken)
     * @param quick   smaller data, for a smoke run (figures not comparable to the targets)
     * @param launcher the {@code bin/migdal-dm} launcher, for benches that time whole processes (may be null when unknown)
     */
    record Context(Path scratch, int rounds, boolean quick, PrintWriter log, Path launcher) {
    }
}
