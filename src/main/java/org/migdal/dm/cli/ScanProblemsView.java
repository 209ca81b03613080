package org.migdal.dm.cli;

import org.migdal.dm.catalog.ScanProblem;

import java.io.PrintWriter;
import java.util.List;

/** How open scan problems are printed: where, what, since when, and what the operator can do. */
final class ScanProblemsView {
    private ScanProblemsView() {
    }

    static String line(ScanProblem p) {
        return p.kind() + " " + p.where() + ": " + p.message() + " (since " + p.firstSeen() + ", seen by " + p.seenCount()
                + " scan(s), last " + p.lastSeen() + "); to do: " + p.action();
    }

    static void print(List<ScanProblem> problems, PrintWriter out) {
        for (ScanProblem p : problems) {
            out.println("  " + line(p));
        }
    }
}
