package org.migdal.dm.cli;

import ch.qos.logback.classic.Level;
import org.migdal.dm.catalog.CatalogException;
import org.migdal.dm.config.ConfigException;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.ConfigSearch;
import org.migdal.dm.config.MigdalConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** The {@code migdal-dm} command line (its subcommands: {@link #commands()}). Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 another run holds the lock. */
@Command(name = "migdal-dm", mixinStandardHelpOptions = true, version = Main.VERSION,
        description = "Moves MIGDAL DAQ data to grid disk storage and tape, with a catalog that proves every copy.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:ok", "1:failure (details above and in the catalog)", "2:usage or configuration error",
                "3:another run holds the lock (not an error for cron)"})
public final class Main implements Callable<Integer> {
    static final String VERSION = "migdal-dm 0.1.0";

    /** Every subcommand, in the order the usage lists them (a method: loading them all is for the usage, not every start). */
    static List<Class<?>> commands() {
        return List.of(QuickstartCommand.class, RunCommand.class, DaemonCommand.class,
                StageCommands.Scan.class, StageCommands.Ship.class, StageCommands.Archive.class, StageCommands.Poll.class,
                StageCommands.Clean.class, InfoCommands.Status.class, InfoCommands.Ls.class, InfoCommands.Show.class,
                InfoCommands.Retry.class, ForgetCommand.class, ImportLegacyCommand.class, DoctorCommand.class, RecallCommand.class,
                RunsCommand.class, ManifestCommand.class,
                StorageCommand.class, BenchCommand.class, JanitorCommand.class, JobCommand.class, JobsCommand.class,
                CatalogCommand.class, AuditCommand.class, MetricsCommand.class, NotifyCommand.class, ServeCommand.class,
                ClassCacheTraining.class, CommandLine.HelpCommand.class);
    }

    static final int OK = 0; // also used by Entry
    static final int FAILURE = 1;
    static final int USAGE = 2;
    static final int BUSY = 3;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = CommandLine.ScopeType.INHERIT,
            description = "configuration file (default: $MIGDAL_DM_CONFIG, else ./migdal-dm.yaml, else /etc/migdal-dm/migdal-dm.yaml)")
    Path config;

    @Option(names = "--log-format", paramLabel = "text|json", scope = CommandLine.ScopeType.INHERIT,
            description = "log lines as text (default) or one JSON object per line (wins over log.format)")
    String logFormat;

    @Option(names = "--log-file", paramLabel = "PATH", scope = CommandLine.ScopeType.INHERIT,
            description = "also append the log to this file (wins over log.file)")
    Path logFile;

    /** Where the configuration is looked for when --config is not given (the environment, the system-wide file; tests set their own). */
    java.util.Map<String, String> env = System.getenv();
    Path systemConfig = ConfigSearch.SYSTEM_FILE;
    Path workDir = Path.of("").toAbsolutePath();

    /** The configuration file the command read, once {@link #loadConfig()} found it. */
    ConfigSearch.Found configUsed;

    @Option(names = {"-q", "--quiet"}, description = "log warnings and errors only", scope = CommandLine.ScopeType.INHERIT)
    void quiet(boolean q) {
        if (q) {
            setLogLevel(Level.WARN);
        }
    }

    @Option(names = {"-v", "--verbose"}, description = "log debugging detail", scope = CommandLine.ScopeType.INHERIT)
    void verbose(boolean v) {
        if (v) {
            setLogLevel(Level.DEBUG);
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return USAGE;
    }

    /** The configuration, from the file {@link ConfigSearch} finds; its {@code log:} section applies from here on. */
    MigdalConfig loadConfig() {
        configUsed = new ConfigSearch(config, env, workDir, systemConfig).find();
        MigdalConfig c = ConfigLoader.load(configUsed.file());
        applyLogging(c.log());
        return c;
    }

    /** The log's shape and file: the command line's, else the configuration's ({@code fromConfig} may be null). */
    void applyLogging(MigdalConfig.Log fromConfig) {
        String format = logFormat != null ? logFormat.toLowerCase(java.util.Locale.ROOT) : fromConfig == null ? "text" : fromConfig.format();
        if (!format.equals("text") && !format.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--log-format must be text or json, not '" + logFormat + "'");
        }
        Path file = logFile != null ? logFile : fromConfig == null || fromConfig.file() == null ? null : Path.of(fromConfig.file());
        LogConfigurator.apply(format, file);
    }

    private static void setLogLevel(Level level) {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext lc) {
            lc.getLogger("org.migdal").setLevel(level);
        }
    }

    public static int execute(String... args) {
        return commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args).execute(args);
    }

    /** The whole command line, every subcommand built. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        return configure(new CommandLine(new Main()), commands(), out, err);
    }

    /**
     * The command line that {@code args} need: only the subcommand they name (picocli builds each subcommand's model by
     * reflection, which costs a command-line start more than the rest of a {@code status}); every one when they name
     * none, or one that is not known, or {@code help}.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String... args) {
        return commandLine(new Main(), out, err, args);
    }

    /** {@link #commandLine(PrintWriter, PrintWriter, String...)} on a given top command (a test's own search places). */
    static CommandLine commandLine(Main root, PrintWriter out, PrintWriter err, String... args) {
        LogConfigurator.resetLevel(); // -q or -v of an earlier command in this JVM (a test, the daemon's own calls) must not stick
        String word = commandWord(args);
        List<Class<?>> needed = commands().stream().filter(c -> c.getAnnotation(Command.class).name().equals(word)).toList();
        return configure(new CommandLine(root), needed.isEmpty() || word.equals("help") ? commands() : needed, out, err);
    }

    /** The first word of {@code args} that is neither an option of the top command nor its value ("" when none). */
    static String commandWord(String... args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-c") || a.equals("--config") || a.matches("-[a-zA-Z]*c") || a.equals("--log-format") || a.equals("--log-file")) {
                i++; // the option's value
            } else if (!a.startsWith("-")) {
                return a;
            }
        }
        return "";
    }

    private static CommandLine configure(CommandLine cl, List<Class<?>> commands, PrintWriter out, PrintWriter err) {
        for (Class<?> c : commands) {
            cl.addSubcommand(c);
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new Failures());
        cl.setExecutionStrategy(new LoggingFirst());
        return cl;
    }

    /**
     * Applies {@code --log-format} and {@code --log-file} before the command runs (also for commands that read no
     * configuration), then runs it as picocli does. A class for the same reason as {@link Failures}.
     */
    private static final class LoggingFirst implements CommandLine.IExecutionStrategy {
        @Override
        public int execute(CommandLine.ParseResult parsed) {
            if (parsed.commandSpec().userObject() instanceof Main main) {
                try {
                    main.applyLogging(null);
                } catch (CommandLine.ParameterException e) {
                    parsed.commandSpec().commandLine().getErr().println(e.getMessage());
                    return USAGE;
                } catch (ConfigException e) {
                    parsed.commandSpec().commandLine().getErr().println("configuration error: " + e.getMessage());
                    return USAGE;
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        }
    }

    /**
     * The exit code and message of a command that threw. A class, not a lambda: picocli's classes are of an old class-file
     * version, and a lambda implementing one of its interfaces keeps them out of the launcher's class-data archive.
     */
    private static final class Failures implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
            if (e instanceof ConfigException) {
                cmd.getErr().println("configuration error: " + e.getMessage());
                return USAGE;
            }
            if (e instanceof CatalogException || e instanceof IllegalArgumentException || e instanceof UnsupportedOperationException) {
                cmd.getErr().println("error: " + e.getMessage());
                return FAILURE;
            }
            cmd.getErr().println("error: " + e);
            LoggerFactory.getLogger(Main.class).error("unexpected failure", e);
            return FAILURE;
        }
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }
}
