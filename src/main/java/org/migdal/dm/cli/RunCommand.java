package org.migdal.dm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code run --role daq|grid|all}: one full cycle under an exclusive lock. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run one full cycle of a role under an exclusive lock (for cron).")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--role", required = true, description = "daq (scan, ship, clean), grid (compress, tape, cleanup) or all")
    String role;

    @Option(names = "--json", description = "print what the cycle did as one JSON document (no progress bar)")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!List.of("daq", "grid", "all").contains(role)) {
            main.spec.commandLine().getErr().println("--role must be daq, grid or all, not '" + role + "'");
            return Main.USAGE;
        }
        try (Context ctx = new Context(main.loadConfig())) {
            return runLocked(ctx, role, json, main.spec.commandLine().getOut(), main.spec.commandLine().getErr());
        }
    }

    static Integer runLocked(Context ctx, String role, boolean json, java.io.PrintWriter out, java.io.PrintWriter err) throws Exception {
        return locked(ctx, role, err, () -> {
            Cycle.Result result = Cycle.run(ctx, role, Progress.interactive(json), System.err);
            if (json) {
                JsonOutput.print(out, Cycle.json(role, result));
            } else {
                out.println(Cycle.summary(result));
            }
            result.problems().forEach(p -> err.println("problem: " + p));
            return result.ok() ? Main.OK : Main.FAILURE;
        });
    }

    /** Runs {@code body} holding the lock of the role ({@code all}: both), or returns {@link Main#BUSY}. */
    static Integer locked(Context ctx, String role, java.io.PrintWriter err, Callable<Integer> body) throws Exception {
        List<String> roles = role.equals("all") ? List.of("daq", "grid") : List.of(role);
        List<RunLock> held = new ArrayList<>();
        try {
            for (String r : roles) {
                Path file = Path.of(ctx.config.lockDir()).resolve("migdal-dm-" + r + ".lock");
                StringBuilder holder = new StringBuilder();
                Optional<RunLock> lock = RunLock.tryAcquire(file, holder);
                if (lock.isEmpty()) {
                    err.println("another migdal-dm " + r + " run holds " + file.toAbsolutePath() + " (" + holder
                            + "); exiting without doing anything");
                    return Main.BUSY;
                }
                held.add(lock.get());
            }
            return body.call();
        } finally {
            for (RunLock l : held) {
                l.close();
            }
        }
    }
}
