package org.migdal.dm.cli;

import org.migdal.dm.archive.GridCompression;
import org.migdal.dm.catalog.BatchJob;
import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.security.CredentialCheck;

import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The HTCondor executor as {@code status} and {@code doctor} show it: jobs in flight, open cycles, the schedd's health. */
final class HtcondorView {
    /** The commands migdal-dm runs on the access point. */
    static final List<String> COMMANDS = List.of("condor_submit", "condor_q", "condor_history", "condor_rm", "condor_release");

    private HtcondorView() {
    }

    /** What status shows of the executor. */
    record Summary(int inFlight, Map<BatchJob.Status, Integer> byStatus, int cyclesOpen, EndpointStatus schedd) {
    }

    /** The executor's summary, or empty when it is not in use (executor not htcondor and no job recorded). */
    static Optional<Summary> summary(JdbcCatalog catalog, MigdalConfig config) {
        Map<BatchJob.Cycle, List<JobsCommand.Row>> all = JobsCommand.inFlight(catalog);
        int jobs = all.values().stream().mapToInt(List::size).sum();
        boolean htcondor = config != null && "htcondor".equals(config.executor().type());
        if (!htcondor && jobs == 0 && all.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Summary(jobs, JobsCommand.byStatus(all), all.size(),
                catalog.endpoint(GridCompression.EXECUTOR).orElse(null)));
    }

    static Map<String, Object> json(Summary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inFlight", s.inFlight());
        m.put("byStatus", s.byStatus());
        m.put("cyclesOpen", s.cyclesOpen());
        m.put("schedd", s.schedd());
        return m;
    }

    /** The short "HTCondor" section of status. */
    static void print(Summary s, PrintWriter out) {
        out.println("HTCondor:");
        String statuses = s.byStatus().entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                .collect(Collectors.joining(", "));
        out.printf("  %d job(s) in flight%s in %d open cycle(s)%s%n", s.inFlight(), statuses.isEmpty() ? "" : " (" + statuses + ")",
                s.cyclesOpen(), s.inFlight() == 0 && s.cyclesOpen() == 0 ? "" : "; `migdal-dm jobs` lists them");
        out.println("  schedd " + schedd(s.schedd()));
    }

    /** The schedd's health, as recorded under {@link GridCompression#EXECUTOR}. */
    static String schedd(EndpointStatus e) {
        if (e == null) {
            return "(" + GridCompression.EXECUTOR + ") not asked yet: no grid cycle has submitted or collected";
        }
        if (e.down()) {
            return "(" + GridCompression.EXECUTOR + ") is DOWN since " + e.since() + ": " + e.reason()
                    + "; nothing is submitted and no file is charged until it answers";
        }
        return "(" + GridCompression.EXECUTOR + ") is UP (last answered " + e.checkedAt() + ")";
    }

    /** doctor's checks of the HTCondor executor (only when it is configured, or jobs are recorded). */
    static List<DoctorCommand.Check> checks(Context ctx) {
        List<DoctorCommand.Check> checks = new ArrayList<>();
        MigdalConfig config = ctx.config;
        boolean htcondor = "htcondor".equals(config.executor().type());
        if (htcondor) {
            MigdalConfig.Htcondor h = config.executor().htcondor();
            checks.add(commands(h.commandDir()));
            checks.add(launcher(h.executable() != null ? h.executable() : System.getenv("MIGDAL_DM_LAUNCHER"),
                    h.executable() != null));
            if (h.javaHome() != null) {
                Path java = Path.of(h.javaHome(), "bin", "java");
                checks.add(Files.isExecutable(java) ? check(CredentialCheck.Level.OK, "htcondor javaHome", java + " is executable"
                        + " here (the worker nodes must see the same path)")
                        : check(CredentialCheck.Level.FAIL, "htcondor javaHome", java + " is missing or not executable"));
            }
        }
        try {
            Optional<Summary> s = summary(ctx.catalog(), config);
            if (s.isPresent()) {
                Summary sum = s.get();
                String statuses = sum.byStatus().entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                        .collect(Collectors.joining(", "));
                EndpointStatus schedd = sum.schedd();
                checks.add(check(schedd != null && schedd.down() ? CredentialCheck.Level.WARN : CredentialCheck.Level.OK,
                        "htcondor schedd", schedd(schedd)));
                int held = sum.byStatus().getOrDefault(BatchJob.Status.HELD, 0);
                checks.add(check(held > 0 ? CredentialCheck.Level.WARN : CredentialCheck.Level.OK, "htcondor jobs",
                        sum.inFlight() + " job(s) in flight" + (statuses.isEmpty() ? "" : " (" + statuses + ")") + " in "
                                + sum.cyclesOpen() + " open cycle(s)" + (held > 0 ? "; held jobs wait for a release or removal"
                                + " (`migdal-dm jobs`, `migdal-dm jobs cancel LFN`)" : "")));
            }
        } catch (RuntimeException e) {
            // the catalog check already says what is wrong with it
        }
        return checks;
    }

    /** The condor commands in {@code commandDir}, or on PATH. */
    static DoctorCommand.Check commands(String commandDir) {
        List<String> missing = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        for (String c : COMMANDS) {
            Optional<Path> found = find(commandDir, c);
            if (found.isEmpty()) {
                missing.add(c);
            } else if (!dirs.contains(found.get().getParent().toString())) {
                dirs.add(found.get().getParent().toString());
            }
        }
        String where = commandDir != null ? "executor.htcondor.commandDir " + commandDir : "PATH";
        if (!missing.isEmpty()) {
            return check(CredentialCheck.Level.FAIL, "htcondor commands", String.join(", ", missing) + " not found (or not"
                    + " executable) in " + where + "; install the HTCondor client tools or set executor.htcondor.commandDir");
        }
        return check(CredentialCheck.Level.OK, "htcondor commands", String.join(", ", COMMANDS) + " found in " + String.join(", ", dirs));
    }

    static Optional<Path> find(String commandDir, String name) {
        List<String> dirs = commandDir != null ? List.of(commandDir)
                : List.of(Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d).resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    static DoctorCommand.Check launcher(String launcher, boolean configured) {
        String key = "htcondor executable";
        if (launcher == null) {
            return check(CredentialCheck.Level.FAIL, key, "executor.htcondor.executable is not set and this process was not"
                    + " started by the migdal-dm launcher; give the absolute path of bin/migdal-dm as the worker nodes see it");
        }
        Path p = Path.of(launcher);
        String origin = configured ? "executor.htcondor.executable " : "the launcher (MIGDAL_DM_LAUNCHER) ";
        if (!Files.isRegularFile(p)) {
            return check(CredentialCheck.Level.FAIL, key, origin + p + " does not exist here");
        }
        if (!Files.isExecutable(p)) {
            return check(CredentialCheck.Level.FAIL, key, origin + p + " is not executable");
        }
        return check(CredentialCheck.Level.OK, key, origin + p + " exists and is executable (the worker nodes must see the"
                + " same path)");
    }

    private static DoctorCommand.Check check(CredentialCheck.Level level, String name, String detail) {
        return new DoctorCommand.Check(name, level, detail);
    }
}
