package org.migdal.dm.bench;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The operator's commands on a catalog of 1,000,000 files (10,000 with {@code --quick}), timed as whole processes from the
 * shell, JVM start included: {@code status}, {@code status --json}, {@code ls} on the first page and on the last (through
 * the keyset cursor), {@code show}, each against an absolute bound; {@code --version} against {@code java -version}.
 * Every round runs each command once, in turn. With a launcher ({@code bin/migdal-dm}) the commands run as the operator
 * runs them, after its start-up cache is made; without one, as {@code java -cp … Entry}.
 */
public final class CliBench implements Bench {
    static final double COMMAND_BOUND_SECONDS = 1.0;
    static final double VERSION_MAX_RATIO = 2.5;
    private static final int PAGE = 50;

    @Override
    public String name() {
        return "cli";
    }

    @Override
    public List<Figure> run(Context ctx) throws Exception {
        CatalogGenerator.Generated g = CatalogGenerator.forBench(ctx, "cli");
        Path db = CatalogGenerator.benchDb(ctx);
        Path config = Commands.config(ctx, db);
        List<String> ours = ours(ctx.launcher());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Commands c = new Commands(ctx.scratch(), ours, config);
        c.warmUp(ctx.quick() ? null : ctx.launcher()); // a smoke run does not wait for the launcher's start-up cache

        String deep = String.valueOf(g.files() - PAGE); // the cursor `ls` prints on the page before the last
        List<List<String>> commands = List.of(List.of("status"), List.of("status", "--json"), List.of("ls", "--limit", "50"),
                List.of("ls", "--limit", "50", "--after", deep), List.of("show", g.lastLfn()));
        c.check(commands, g);

        List<Rounds.Timed> contenders = new ArrayList<>();
        contenders.add(() -> c.time(List.of(java.toString(), "-version")));
        contenders.add(() -> c.time(c.command(List.of("--version"), false)));
        for (List<String> command : commands) {
            contenders.add(() -> c.time(c.command(command, true)));
        }
        double[] idle = Rounds.medians(ctx.rounds(), contenders);
        double[] loaded = ctx.quick() ? null : underLoad(ctx.rounds(), contenders);

        String how = String.format(Locale.ROOT, "%d files, whole process, median of %d rounds", g.files(), ctx.rounds());
        List<Figure> figures = new ArrayList<>();
        figures.add(Figure.ratio("cli --version", idle[1], "java -version", idle[0], VERSION_MAX_RATIO, how + loadedNote(loaded, 1)));
        String[] names = {"cli status", "cli status --json", "cli ls --limit 50 (first page)", "cli ls --limit 50 --after (last page)",
                "cli show LFN"};
        for (int i = 0; i < names.length; i++) {
            figures.add(Figure.absolute(names[i], idle[i + 2], "s", COMMAND_BOUND_SECONDS, false, how + loadedNote(loaded, i + 2)));
        }
        return figures;
    }

    /** The same rounds while one busy loop ({@code yes > /dev/null}) takes a core, as a cron job beside the DAQ would see. */
    private static double[] underLoad(int rounds, List<Rounds.Timed> contenders) throws Exception {
        Process yes;
        try {
            yes = new ProcessBuilder("yes").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            return null;
        }
        try {
            return Rounds.medians(rounds, contenders);
        } finally {
            yes.destroy();
            yes.waitFor();
        }
    }

    private static String loadedNote(double[] loaded, int i) {
        return loaded == null ? "" : String.format(Locale.ROOT, "; with one busy loop beside: %s s", Figure.number(loaded[i]));
    }

    /** How our commands start: the launcher, or this JVM's {@code java} on this class path. */
    static List<String> ours(Path launcher) {
        if (launcher != null) {
            return List.of(launcher.toString());
        }
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "org.migdal.dm.cli.Entry");
    }

    /** Runs and times processes; their output goes to files in the scratch folder, read only on failure or for checks. */
    record Commands(Path scratch, List<String> ours, Path config) {
        List<String> command(List<String> args, boolean withConfig) {
            List<String> all = new ArrayList<>(ours);
            if (withConfig) {
                all.addAll(List.of("-c", config.toString()));
            }
            all.addAll(args);
            return all;
        }

        double time(List<String> command) throws Exception {
            return time(command, 0);
        }

        /** As {@link #time(List)}, for a command whose success is exit code {@code expected} (e.g. 1 for an incomplete run's manifest). */
        double time(List<String> command, int expected) throws Exception {
            return Rounds.time(() -> run(command, expected));
        }

        String run(List<String> command) throws IOException, InterruptedException {
            return run(command, 0);
        }

        String run(List<String> command, int expected) throws IOException, InterruptedException {
            File out = scratch.resolve("out.txt").toFile();
            File err = scratch.resolve("err.txt").toFile();
            Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
            int code = p.waitFor();
            if (code != expected) {
                throw new IllegalStateException(String.join(" ", command) + " exited with " + code + ": "
                        + Files.readString(err.toPath(), StandardCharsets.UTF_8).strip());
            }
            return Files.readString(out.toPath(), StandardCharsets.UTF_8);
        }

        /**
         * Runs the launcher once and waits (up to 3 minutes) while it makes its start-up cache in the background, as
         * after the first command of an installation; then one status, so that the catalog's pages are in the page cache.
         */
        /** The smallest configuration the commands need around the generated catalog {@code db}. */
        static Path config(Context ctx, Path db) throws IOException {
            Path config = ctx.scratch().resolve("migdal-dm.yaml");
            Files.writeString(config, """
                    catalog: {url: "sqlite:%1$s"}
                    daq: {disks: [{name: data1, path: "%2$s/data1"}]}
                    storage: {disk: "%3$s", tape: "%3$s"}
                    archive: {workDir: "%2$s/work"}
                    lockDir: "%2$s"
                    """.formatted(db, ctx.scratch(), ctx.scratch().resolve("storage").toUri()));
            return config;
        }

        void warmUp(Path launcher) throws Exception {
            run(command(List.of("--version"), false));
            if (launcher != null && launcher.getParent() != null && launcher.getParent().getParent() != null) {
                Path target = launcher.getParent().getParent().resolve("target");
                long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (System.nanoTime() < until && locked(target)) {
                    Thread.sleep(200);
                }
            }
            run(command(List.of("status"), true));
        }

        private static boolean locked(Path target) throws IOException {
            if (!Files.isDirectory(target)) {
                return false;
            }
            try (var s = Files.list(target)) {
                return s.anyMatch(p -> p.getFileName().toString().matches(".*-cache-.*\\.lock"));
            }
        }

        /** Each command answers what it should: the right totals, a full page, the file asked for. */
        void check(List<List<String>> commands, CatalogGenerator.Generated g) throws Exception {
            String status = run(command(commands.get(0), true));
            long total = status.lines().filter(l -> !l.isBlank() && Character.isUpperCase(l.charAt(0)) && l.contains(" / "))
                    .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[l.trim().split("\\s+").length - 4])).sum();
            require(total == g.files(), "status counts " + total + " files, the catalog has " + g.files() + ":\n" + status);
            require(run(command(commands.get(1), true)).contains("\"counts\""), "status --json has no counts");
            String first = run(command(commands.get(2), true));
            require(first.contains("-- 1–" + PAGE + " of " + g.files() + "; next page: --after " + PAGE), "ls first page:\n" + tail(first));
            String last = run(command(commands.get(3), true));
            require(last.lines().filter(l -> l.contains(g.lastLfn())).count() == 1 && last.contains("-- " + PAGE + " after id"),
                    "ls last page:\n" + tail(last));
            require(run(command(commands.get(4), true)).contains(g.lastLfn()), "show does not show " + g.lastLfn());
        }

        private static String tail(String s) {
            return s.length() > 500 ? s.substring(s.length() - 500) : s;
        }

        private static void require(boolean ok, String what) {
            if (!ok) {
                throw new IllegalStateException("cli bench: " + what);
            }
        }
    }
}
