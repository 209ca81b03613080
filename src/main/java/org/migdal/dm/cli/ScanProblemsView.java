package org.migdal.dm.cli;

import org.migdal.dm.catalog.ScanProblem;

import java.io.PrintWriter;
import java.util.List;

/** How open scan problems are printed: where, what, since when, and what the operator can do. */
final class ScanProblemsView {
    private ScanProblemsView() {
    }

    /** A scan problem as JSON shows it: with where it is and what to do. */
    record Json(String kind, String disk, String path, String where, String message, java.time.Instant firstSeen,
                java.time.Instant lastSeen, long seenCount, String action) {
    }

    static List<Json> json(List<ScanProblem> problems) {
        return problems.stream().map(p -> new Json(p.kind().name(), p.disk(), p.path(), p.where(), p.message(), p.firstSeen(),
                p.lastSeen(), p.seenCount(), p.action())).toList();
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
