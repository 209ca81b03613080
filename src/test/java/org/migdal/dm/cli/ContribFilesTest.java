package org.migdal.dm.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped cron lines and systemd unit (contrib/) call commands and options this migdal-dm has. */
class ContribFilesTest {
    static final Path CRON = Path.of("contrib/cron/migdal-dm");
    static final Path UNIT = Path.of("contrib/systemd/migdal-dm.service");

    @TempDir
    Path tmp;

    /** Parses {@code args} as this program's command line; returns the subcommand's name (throws on anything unknown). */
    private static CommandLine.ParseResult parse(List<String> args) {
        CommandLine cl = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        return cl.parseArgs(args.toArray(String[]::new));
    }

    private static List<String> launcherArgs(List<String> words) {
        int i = 0;
        while (i < words.size() && !words.get(i).endsWith("/bin/migdal-dm")) {
            i++;
        }
        assertThat(i).as("the migdal-dm launcher in %s", words).isLessThan(words.size());
        List<String> args = new ArrayList<>();
        for (String w : words.subList(i + 1, words.size())) {
            if (w.startsWith(">") || w.startsWith("2>") || w.startsWith("|")) {
                break; // redirections end the command's arguments
            }
            args.add(w);
        }
        return args;
    }

    @Test
    void everyCronLineRunsAnExistingCommandUnderItsOwnFlock() throws Exception {
        List<List<String>> commands = new ArrayList<>();
        for (String line : Files.readAllLines(CRON)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || l.matches("[A-Z_]+=.*")) {
                continue;
            }
            List<String> fields = Arrays.asList(l.split("\\s+"));
            assertThat(fields.size()).as("5 time fields, the user, a command: %s", l).isGreaterThan(6);
            for (String t : fields.subList(0, 5)) {
                assertThat(t).as("a time field of %s", l).matches("[*0-9,/-]+");
            }
            assertThat(fields.get(5)).as("the user of %s", l).matches("[a-z_][a-z0-9_-]*");
            commands.add(fields.subList(6, fields.size()));
        }
        assertThat(commands).hasSize(3);
        Set<String> locks = new HashSet<>();
        Map<String, List<String>> seen = new LinkedHashMap<>();
        for (List<String> words : commands) {
            assertThat(words.subList(0, 2)).as("%s", words).containsExactly("flock", "-n");
            assertThat(locks.add(words.get(2))).as("each line its own lock file: %s", words).isTrue();
            List<String> args = launcherArgs(words);
            CommandLine.ParseResult r = parse(args);
            assertThat(r.hasSubcommand()).as("%s", args).isTrue();
            seen.put(r.subcommand().commandSpec().name() + (r.subcommand().hasMatchedOption("--role")
                    ? " " + r.subcommand().matchedOptionValue("--role", "") : ""), args);
        }
        assertThat(seen.keySet()).containsExactly("run daq", "run grid", "metrics");
        CommandLine.ParseResult metrics = parse(seen.get("metrics"));
        assertThat(metrics.subcommand().matchedOptionValue("--output", (Path) null)).as("written atomically by --output")
                .isNotNull().satisfies(p -> assertThat(p.toString()).endsWith(".prom"));
    }

    @Test
    void theUnitRunsTheDaemonStopsItWithSigtermAndWaitsForACycle() throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String line : Files.readAllLines(UNIT)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                keys.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertThat(keys).containsEntry("Restart", "on-failure").containsEntry("KillSignal", "SIGTERM").containsKey("User");
        // the daemon waits up to an hour for its running cycle after SIGTERM (DaemonCommand)
        assertThat(Long.parseLong(keys.get("TimeoutStopSec"))).isGreaterThan(TimeUnit.HOURS.toSeconds(1));
        assertThat(keys).doesNotContainKey("PrivateTmp").doesNotContainKey("ProtectHome").doesNotContainKey("ReadOnlyPaths");
        assertThat(keys.get("ProtectSystem")).as("only /usr, /boot, /etc read-only: DAQ paths stay writable").isEqualTo("full");
        CommandLine.ParseResult r = parse(launcherArgs(Arrays.asList(keys.get("ExecStart").split("\\s+"))));
        assertThat(r.subcommand().commandSpec().name()).isEqualTo("daemon");
        assertThat(r.subcommand().matchedOptionValue("--role", "")).isEqualTo("all");
    }

    @Test
    void systemdAnalyzeVerifiesTheUnit() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed here: `systemd-analyze verify` of "
                + UNIT + " not run (every other check of the unit is)");
        // the unit names the installed launcher; verify it against this checkout's, which exists
        Path unit = tmp.resolve("migdal-dm.service");
        Files.writeString(unit, Files.readString(UNIT).replace("/opt/migdal-dm/bin/migdal-dm",
                Path.of("bin/migdal-dm").toAbsolutePath().toString()));
        Process p = new ProcessBuilder(analyze.toString(), "verify", unit.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("systemd-analyze verify:\n%s", out).isZero();
        assertThat(out).as("systemd-analyze verify").doesNotContain(unit.getFileName().toString());
    }
}
