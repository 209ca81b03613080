package org.migdal.dm.cli;

import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.ScanProblem;
import org.migdal.dm.catalog.StateCount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** Read-only views of the catalog, and {@code retry}. */
final class InfoCommands {
    private InfoCommands() {
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "Files and bytes per state and per disk, and the state of each disk.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Option(names = "--json", description = "print JSON")
        boolean json;

        @Option(names = "--watch", arity = "0..1", paramLabel = "SECONDS", fallbackValue = "5",
                description = "draw the status again every SECONDS (default 5) until interrupted")
        Long watch;

        @Override
        public Integer call() throws Exception {
            if (watch != null && (watch < 1 || json)) {
                main.spec.commandLine().getErr().println(json ? "--watch draws text; for scripts, run status --json when needed"
                        : "--watch needs at least 1 second, not " + watch);
                return Main.USAGE;
            }
            try (Context ctx = new Context(main.loadConfig())) {
                PrintWriter out = main.spec.commandLine().getOut();
                if (watch != null) {
                    new StatusWatch(out, Progress.stdoutIsTerminal(), ctx.clock, d -> Thread.sleep(d.toMillis()))
                            .run(java.time.Duration.ofSeconds(watch), Long.MAX_VALUE, o -> print(ctx.catalog(), ctx.config, o, false));
                    return Main.OK;
                }
                print(ctx.catalog(), ctx.config, out, json);
            }
            return Main.OK;
        }

        static void print(JdbcCatalog catalog, PrintWriter out, boolean json) throws Exception {
            print(catalog, null, out, json);
        }

        /** {@code config} (nullable) tells whether the HTCondor executor is in use: then status has an HTCondor section. */
        static void print(JdbcCatalog catalog, org.migdal.dm.config.MigdalConfig config, PrintWriter out, boolean json) throws Exception {
            List<StateCount> counts = catalog.counts();
            List<DiskRecord> disks = catalog.disks();
            List<org.migdal.dm.catalog.EndpointStatus> endpoints = catalog.endpoints();
            List<ScanProblem> problems = catalog.openScanProblems(null);
            Optional<HtcondorView.Summary> htcondor = HtcondorView.summary(catalog, config);
            if (htcondor.isPresent()) { // the schedd is shown in the HTCondor section, not among the storage endpoints
                endpoints = endpoints.stream().filter(e -> !e.url().equals(org.migdal.dm.archive.GridCompression.EXECUTOR)).toList();
            }
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("counts", counts);
                doc.put("disks", disks);
                doc.put("endpoints", endpoints);
                htcondor.ifPresent(h -> doc.put("htcondor", HtcondorView.json(h)));
                doc.put("scanProblems", ScanProblemsView.json(problems));
                out.println(JsonOutput.mapper().writeValueAsString(doc));
                return;
            }
            Map<String, Map<FileState, StateCount>> byDisk = new TreeMap<>();
            EnumMap<FileState, long[]> total = new EnumMap<>(FileState.class);
            for (StateCount c : counts) {
                byDisk.computeIfAbsent(c.disk(), d -> new EnumMap<>(FileState.class)).put(c.state(), c);
                long[] t = total.computeIfAbsent(c.state(), s -> new long[2]);
                t[0] += c.files();
                t[1] += c.bytes();
            }
            out.printf("%-16s", "state");
            for (String d : byDisk.keySet()) {
                out.printf(" %20s", d);
            }
            out.printf(" %22s%n", "total");
            for (FileState s : FileState.values()) {
                if (!total.containsKey(s)) {
                    continue;
                }
                out.printf("%-16s", s);
                for (Map<FileState, StateCount> m : byDisk.values()) {
                    StateCount c = m.get(s);
                    out.printf(" %20s", c == null ? "-" : c.files() + " / " + mib(c.bytes()));
                }
                out.printf(" %22s%n", total.get(s)[0] + " / " + mib(total.get(s)[1]));
            }
            if (counts.isEmpty()) {
                out.println("(the catalog is empty)");
            }
            if (!disks.isEmpty()) {
                out.println();
                for (DiskRecord d : disks) {
                    out.printf("disk %-8s %-9s since %s  %s%n", d.name(), d.state(), d.changedAt(), d.note() == null ? "" : d.note());
                }
            }
            if (!endpoints.isEmpty()) {
                out.println();
                for (org.migdal.dm.catalog.EndpointStatus e : endpoints) {
                    out.println(e.down() ? org.migdal.dm.health.EndpointHealth.describe(e)
                            : "endpoint " + e.url() + " is UP (checked " + e.checkedAt() + ")");
                }
            }
            if (htcondor.isPresent()) {
                out.println();
                HtcondorView.print(htcondor.get(), out);
            }
            if (!problems.isEmpty()) {
                out.println();
                out.println(problems.size() + " open scan problem(s):");
                ScanProblemsView.print(problems, out);
            }
            if (total.containsKey(FileState.MISSING)) {
                out.println();
                out.println(total.get(FileState.MISSING)[0] + " file(s) MISSING: vanished from their DAQ disk before shipping"
                        + " (`migdal-dm ls --state MISSING`; `retry LFN` if one comes back, `forget LFN` if it never will)");
            }
        }
    }

    /** A row of {@code ls}: id, state, disk, size, adler32, last change, LFN, last error. */
    static final String LS_ROW = "%8s  %-15s %-8s %10s  %-8s  %-16s  %s%s%n";

    @Command(name = "ls", mixinStandardHelpOptions = true,
            description = "List catalog rows, filtered by state, disk, run or LFN text, a page at a time; or open scan problems.")
    static final class Ls implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Option(names = "--state", description = "one of ${COMPLETION-CANDIDATES}")
        FileState state;

        @Option(names = "--disk")
        String disk;

        @Option(names = "--run", description = "run folder, e.g. MIG_Fe55_data_220803T145447")
        String run;

        @Option(names = "--lfn", description = "text the LFN contains")
        String lfn;

        @Option(names = "--offset", defaultValue = "0", description = "skip this many rows (slow deep into a large catalog: prefer --after)")
        int offset;

        @Option(names = "--after", paramLabel = "ID", defaultValue = "0",
                description = "start after this catalog id: the cursor that each page prints for the next one")
        long after;

        @Option(names = "--limit", defaultValue = "50")
        int limit;

        @Option(names = "--json")
        boolean json;

        @Option(names = "--problems", description = "list the open scan problems (of --disk, or of every disk) instead of files")
        boolean problems;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = main.spec.commandLine().getOut();
            try (Context ctx = new Context(main.loadConfig())) {
                if (problems) {
                    List<ScanProblem> open = ctx.catalog().openScanProblems(disk);
                    if (json) {
                        out.println(JsonOutput.mapper().writeValueAsString(Map.of("problems", ScanProblemsView.json(open))));
                        return Main.OK;
                    }
                    open.forEach(p -> out.println(ScanProblemsView.line(p)));
                    out.printf("-- %d open scan problem(s)%n", open.size());
                    return Main.OK;
                }
                if (offset > 0 && after > 0) {
                    main.spec.commandLine().getErr().println("give either --offset or --after, not both");
                    return Main.USAGE;
                }
                int pageSize = Math.max(1, Math.min(limit, 10_000));
                // one row more than the page tells whether a next page exists
                FileFilter f = new FileFilter(state, disk, run, lfn, offset, pageSize + 1, Math.max(0, after));
                List<CatalogFile> rows = ctx.catalog().list(f);
                Long next = rows.size() > pageSize ? rows.get(pageSize - 1).id() : null;
                rows = rows.subList(0, Math.min(rows.size(), pageSize));
                long total = ctx.catalog().count(f);
                if (json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("total", total);
                    doc.put("offset", offset);
                    doc.put("after", after);
                    doc.put("next", next);
                    doc.put("files", rows);
                    out.println(JsonOutput.mapper().writeValueAsString(doc));
                    return Main.OK;
                }
                out.printf(LS_ROW, "ID", "STATE", "DISK", "SIZE", "ADLER32", "UPDATED (UTC)", "LFN", "");
                for (CatalogFile r : rows) {
                    out.printf(LS_ROW, r.id(), r.state(), r.disk(), Units.bytes(r.size()), r.adler32() == null ? "-" : r.adler32(),
                            Units.minute(r.updatedAt()), r.lfn(), r.lastError() == null ? "" : "   [" + r.lastError() + "]");
                }
                String page = after > 0 ? rows.size() + " after id " + after + " of " + total
                        : (rows.isEmpty() ? 0 : offset + 1) + "–" + (offset + rows.size()) + " of " + total;
                out.printf("-- %s%s%n", page, next == null ? "" : "; next page: --after " + next);
            }
            return Main.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One file's catalog row and its whole history.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(paramLabel = "LFN")
        String lfn;

        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = main.spec.commandLine().getOut();
            try (Context ctx = new Context(main.loadConfig())) {
                Optional<CatalogFile> f = ctx.catalog().find(lfn);
                if (f.isEmpty()) {
                    main.spec.commandLine().getErr().println("no file " + lfn + " in the catalog");
                    return Main.FAILURE;
                }
                List<FileEvent> events = ctx.catalog().events(f.get().id());
                List<org.migdal.dm.catalog.Recall> recalls = ctx.recalls().of(f.get().id());
                if (json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("file", f.get());
                    doc.put("events", events);
                    doc.put("recalls", recalls);
                    out.println(JsonOutput.mapper().writeValueAsString(doc));
                    return Main.OK;
                }
                Map<String, Object> fields = JsonOutput.mapper().convertValue(f.get(), LinkedHashMap.class);
                fields.forEach((k, v) -> {
                    if (v != null) {
                        out.printf("%-18s %s%n", k, v);
                    }
                });
                out.println("history:");
                for (FileEvent e : events) {
                    out.printf("  %s %-4s %-15s %s  (%s)%s%n", e.at(), e.ok() ? "ok" : "FAIL", e.action(), e.message(), e.actor(),
                            e.repeats() == 0 ? "" : " ×" + (e.repeats() + 1) + ", last " + e.lastAt());
                }
                if (!recalls.isEmpty()) {
                    out.println("recalls:");
                    for (org.migdal.dm.catalog.Recall r : recalls) {
                        out.printf("  %s → %s: %s%s%s%n", r.requestedAt(), r.destination(), r.state(),
                                r.transferId() == null ? "" : " (transfer " + r.transferId() + ")",
                                r.lastError() == null ? "" : " — " + r.lastError());
                    }
                }
            }
            return Main.OK;
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true,
            description = "Put quarantined or failed files back for another try; a MISSING file is looked for again.")
    static final class Retry implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(paramLabel = "LFN", arity = "0..*")
        List<String> lfns = new ArrayList<>();

        @Option(names = "--failed", description = "every quarantined or failed file")
        boolean failed;

        @Override
        public Integer call() throws Exception {
            if (lfns.isEmpty() == !failed) {
                main.spec.commandLine().getErr().println("give either LFNs or --failed");
                return Main.USAGE;
            }
            try (Context ctx = new Context(main.loadConfig())) {
                int n = failed ? ctx.catalog().retryAllQuarantined() : ctx.catalog().retry(lfns);
                main.spec.commandLine().getOut().println(n + " file(s) put back for another try");
            }
            return Main.OK;
        }
    }
}
