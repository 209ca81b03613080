package org.migdal.dm.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Prints figures as a Markdown table (the README shows one). */
public final class Table {
    private Table() {
    }

    public static void print(PrintWriter out, Machine before, Machine after, List<Figure> figures) {
        out.printf(Locale.ROOT, "%d cores, Java %s, load average %s at the start and %s at the end%n%n", before.cores(), before.java(),
                before.loadAverage(), after.loadAverage());
        out.println("| path | migdal-dm | baseline | baseline value | ratio | target | met | how |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (Figure f : figures) {
            out.printf(Locale.ROOT, "| %s | %s %s | %s | %s | %s | %s | %s | %s |%n", f.path(), Figure.number(f.ours()), f.unit(),
                    f.baseline().isEmpty() ? "–" : f.baseline(), Double.isNaN(f.baseValue()) ? "–" : Figure.number(f.baseValue()) + " " + f.unit(),
                    Double.isNaN(f.ratio()) ? "–" : String.format(Locale.ROOT, "%.2f×", f.ratio()), f.target(), f.met() ? "yes" : "**no**",
                    f.detail());
        }
        out.flush();
    }
}
