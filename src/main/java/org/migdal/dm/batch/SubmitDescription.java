package org.migdal.dm.batch;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The submit description of one grid cycle ({@code cycle.sub}): one cluster, one job per line of
 * {@code items.txt}, each job's name in {@code MigdalJob}. Every value is checked at construction, because HTCondor
 * expands macros and continues lines textually (reference §1): a value that could change the file's meaning is refused
 * with an error naming it, never escaped silently.
 *
 * @param cycleDir           the cycle directory (made absolute); holds cycle.sub, items.txt, jobs/, events.log, outputs
 * @param executable         the absolute path of migdal-dm on the execution points
 * @param transferExecutable false: the EPs have migdal-dm installed at {@code executable}
 * @param requestCpus        a whole number of cores, e.g. {@code 1}
 * @param requestMemory      with its unit, e.g. {@code 2 GB} (a number alone means MiB to HTCondor: refused)
 * @param requestDisk        with its unit, e.g. {@code 4 GB} (a number alone means KiB: refused)
 * @param requirements       a ClassAd expression, or null
 * @param environment        variables for the job (written sorted by name, in the new {@code "…"} syntax); may be empty
 * @param batchName          {@code JobBatchName}, unique per cycle, e.g. {@code migdal-grid-20240610T140512-a1b2c3}
 * @param accountingGroup    or null
 * @param x509userproxy      the proxy to delegate to the jobs (made absolute), or null
 * @param extraLines         the operator's extra submit lines, written just before {@code queue}
 */
public record SubmitDescription(Path cycleDir, Path executable, boolean transferExecutable, String requestCpus,
                                String requestMemory, String requestDisk, String requirements, Map<String, String> environment,
                                String batchName, String accountingGroup, Path x509userproxy, List<String> extraLines) {
    /** The name column: {@code when_to_transfer_output} (23) plus one space. */
    private static final String LINE = "%-24s= %s\n";
    private static final Pattern SIZE = Pattern.compile("^\\d+(\\.\\d+)?\\s*(K|KB|M|MB|G|GB|T|TB)$");
    private static final Pattern CPUS = Pattern.compile("^[1-9]\\d*$");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern BATCH_NAME = Pattern.compile("[A-Za-z0-9_.-]+");
    private static final Pattern ACCOUNTING_GROUP = Pattern.compile("[A-Za-z0-9_.@-]+");
    private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9_-]+");

    public SubmitDescription {
        cycleDir = safePath("cycleDir", cycleDir).toAbsolutePath().normalize();
        safePath("cycleDir", cycleDir);
        if (cycleDir.toString().contains(",")) {
            throw new IllegalArgumentException("cycleDir may not contain ',' (transfer_input_files is a comma-separated list): '" + cycleDir + "'");
        }
        safePath("executable", executable);
        if (!executable.isAbsolute()) {
            throw new IllegalArgumentException("executable must be an absolute path on the execution points: '" + executable + "'");
        }
        requestCpus = matching("request_cpus", requestCpus, CPUS, "a whole number of cores");
        requestMemory = matching("request_memory", requestMemory, SIZE, "a size with its unit, e.g. '2 GB'");
        requestDisk = matching("request_disk", requestDisk, SIZE, "a size with its unit, e.g. '4 GB'");
        if (requirements != null) {
            requirements = safeLine("requirements", requirements.strip());
            if (requirements.isEmpty()) {
                requirements = null;
            }
        }
        environment = environment(environment);
        batchName = matching("batch_name", batchName, BATCH_NAME, "letters, digits, '_', '.', '-'");
        if (accountingGroup != null) {
            accountingGroup = matching("accounting_group", accountingGroup, ACCOUNTING_GROUP, "letters, digits, '_', '.', '@', '-'");
        }
        if (x509userproxy != null) {
            x509userproxy = safePath("x509userproxy", safePath("x509userproxy", x509userproxy).toAbsolutePath().normalize());
        }
        extraLines = List.copyOf(extraLines == null ? List.of() : extraLines);
        for (String l : extraLines) {
            safeLine("extra submit line", l);
            if (l.strip().toLowerCase(Locale.ROOT).startsWith("queue")) {
                throw new IllegalArgumentException("an extra submit line may not be a queue command (migdal-dm writes the one queue): '" + l + "'");
            }
        }
    }

    /** The usual cycle: migdal-dm pre-installed at {@code executable}, 1 core, 2 GB memory, 4 GB disk, nothing optional. */
    public static SubmitDescription of(Path cycleDir, Path executable, String batchName) {
        return new SubmitDescription(cycleDir, executable, false, "1", "2 GB", "4 GB", null, Map.of(), batchName, null, null, List.of());
    }

    public SubmitDescription withRequests(String cpus, String memory, String disk) {
        return new SubmitDescription(cycleDir, executable, transferExecutable, cpus, memory, disk, requirements, environment,
                batchName, accountingGroup, x509userproxy, extraLines);
    }

    public SubmitDescription withRequirements(String expression) {
        return new SubmitDescription(cycleDir, executable, transferExecutable, requestCpus, requestMemory, requestDisk, expression,
                environment, batchName, accountingGroup, x509userproxy, extraLines);
    }

    public SubmitDescription withEnvironment(Map<String, String> env) {
        return new SubmitDescription(cycleDir, executable, transferExecutable, requestCpus, requestMemory, requestDisk, requirements,
                env, batchName, accountingGroup, x509userproxy, extraLines);
    }

    public SubmitDescription withAccountingGroup(String group) {
        return new SubmitDescription(cycleDir, executable, transferExecutable, requestCpus, requestMemory, requestDisk, requirements,
                environment, batchName, group, x509userproxy, extraLines);
    }

    public SubmitDescription withProxy(Path proxy) {
        return new SubmitDescription(cycleDir, executable, transferExecutable, requestCpus, requestMemory, requestDisk, requirements,
                environment, batchName, accountingGroup, proxy, extraLines);
    }

    public SubmitDescription withExtraLines(List<String> lines) {
        return new SubmitDescription(cycleDir, executable, transferExecutable, requestCpus, requestMemory, requestDisk, requirements,
                environment, batchName, accountingGroup, x509userproxy, lines);
    }

    /** {@code <cycleDir>/cycle.sub}. */
    public Path submitFile() {
        return cycleDir.resolve("cycle.sub");
    }

    /** {@code <cycleDir>/items.txt}. */
    public Path itemsFile() {
        return cycleDir.resolve("items.txt");
    }

    /** {@code <cycleDir>/events.log}, the job event log of the cycle's cluster. */
    public Path eventLog() {
        return cycleDir.resolve("events.log");
    }

    /** {@code <cycleDir>/jobs/<job>.json}. */
    public Path jobFile(String jobName) {
        return cycleDir.resolve("jobs").resolve(jobName(jobName) + ".json");
    }

    /** {@code <cycleDir>/C.P.out}: the job's stdout, its JSON result. */
    public Path outputFile(JobId id) {
        return cycleDir.resolve(id + ".out");
    }

    /** {@code <cycleDir>/C.P.err}: the job's stderr. */
    public Path errorFile(JobId id) {
        return cycleDir.resolve(id + ".err");
    }

    /** The text of {@code cycle.sub}, aligned {@code name = value} lines, then the one {@code queue MigdalJob from items.txt}. */
    public String render() {
        String dir = cycleDir.toString();
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(submitFile()).append(" (written by migdal-dm)\n");
        line(sb, "universe", "vanilla");
        line(sb, "executable", executable.toString());
        line(sb, "transfer_executable", transferExecutable ? "True" : "False");
        line(sb, "arguments", "\"job run $(MigdalJob).json\"");
        line(sb, "output", dir + "/$(ClusterId).$(ProcId).out");
        line(sb, "error", dir + "/$(ClusterId).$(ProcId).err");
        line(sb, "log", eventLog().toString());
        line(sb, "should_transfer_files", "YES");
        line(sb, "when_to_transfer_output", "ON_EXIT");
        line(sb, "transfer_input_files", dir + "/jobs/$(MigdalJob).json");
        line(sb, "request_cpus", requestCpus);
        line(sb, "request_memory", requestMemory);
        line(sb, "request_disk", requestDisk);
        if (requirements != null) {
            line(sb, "requirements", requirements);
        }
        if (!environment.isEmpty()) {
            line(sb, "environment", renderEnvironment(environment));
        }
        line(sb, "batch_name", batchName);
        if (accountingGroup != null) {
            line(sb, "accounting_group", accountingGroup);
        }
        if (x509userproxy != null) {
            line(sb, "x509userproxy", x509userproxy.toString());
        }
        line(sb, "MY.MigdalJob", "\"$(MigdalJob)\"");
        extraLines.forEach(l -> sb.append(l).append('\n'));
        sb.append("queue MigdalJob from ").append(itemsFile()).append('\n');
        return sb.toString();
    }

    /** The text of {@code items.txt}: one job name per line, no blank lines, a final newline. */
    public static String items(List<String> jobNames) {
        if (jobNames.isEmpty()) {
            throw new IllegalArgumentException("items.txt needs at least one job name");
        }
        Set<String> seen = new HashSet<>();
        StringBuilder sb = new StringBuilder();
        for (String name : jobNames) {
            if (!seen.add(jobName(name))) {
                throw new IllegalArgumentException("job name '" + name + "' appears twice in items.txt");
            }
            sb.append(name).append('\n');
        }
        return sb.toString();
    }

    /** The new-syntax environment value: {@code "A=1 B='x y' C='it''s'"}. */
    static String renderEnvironment(Map<String, String> env) {
        StringBuilder sb = new StringBuilder("\"");
        env.forEach((name, value) -> {
            if (sb.length() > 1) {
                sb.append(' ');
            }
            sb.append(name).append('=');
            boolean quote = value.isEmpty() || value.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\'');
            sb.append(quote ? "'" + value.replace("'", "''") + "'" : value);
        });
        return sb.append('"').toString();
    }

    private static Map<String, String> environment(Map<String, String> env) {
        TreeMap<String, String> sorted = new TreeMap<>();
        (env == null ? Map.<String, String>of() : env).forEach((name, value) -> {
            if (name == null || !ENV_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("environment variable name '" + name + "' is not [A-Za-z_][A-Za-z0-9_]*");
            }
            if (value == null || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('"') >= 0) {
                throw new IllegalArgumentException("environment variable " + name + " has a value HTCondor cannot carry "
                        + "(null, a newline or '\"'): '" + value + "'");
            }
            sorted.put(name, value);
        });
        return java.util.Collections.unmodifiableMap(sorted);
    }

    private static String jobName(String name) {
        if (name == null || !JOB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("job name '" + name + "' is not [A-Za-z0-9_-]+");
        }
        return name;
    }

    private static String matching(String what, String value, Pattern p, String expected) {
        if (value == null || !p.matcher(value.strip()).matches()) {
            throw new IllegalArgumentException(what + " must be " + expected + ": '" + value + "'");
        }
        return value.strip();
    }

    /** A value that ends its line: no line breaks, and no trailing {@code \} (it would continue into the next line). */
    private static String safeLine(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.endsWith("\\")) {
            throw new IllegalArgumentException(what + " may not contain a line break or end with '\\': '" + value.replace("\n", "\\n") + "'");
        }
        return value;
    }

    /** A path written into a submit file: nothing HTCondor would read as quoting, a macro, a comment or a continuation. */
    private static Path safePath(String what, Path path) {
        Objects.requireNonNull(path, what);
        String s = path.toString();
        String why = s.isEmpty() ? "is empty"
                : s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 ? "contains a line break"
                : s.indexOf('"') >= 0 ? "contains '\"'"
                : s.indexOf('\'') >= 0 ? "contains \"'\""
                : s.contains("$(") ? "contains '$(' (a submit macro)"
                : !s.equals(s.strip()) ? "starts or ends with white space"
                : s.startsWith("#") ? "starts with '#' (a comment)"
                : s.endsWith("\\") ? "ends with '\\' (a line continuation)"
                : null;
        if (why != null) {
            throw new IllegalArgumentException(what + " path " + why + ", unsafe in an HTCondor submit file: '" + s.replace("\n", "\\n") + "'");
        }
        return path;
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(String.format(Locale.ROOT, LINE, name, value));
    }
}
