package org.migdal.dm.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The whole configuration, parsed once from YAML by {@link ConfigLoader} into these immutable, validated
 * records. Every key, its default and its meaning is documented in {@code config/migdal-dm.example.yaml}.
 */
public record MigdalConfig(
        Catalog catalog,
        Daq daq,
        Storage storage,
        Transfer transfer,
        Archive archive,
        Executor executor,
        Claims claims,
        Credentials credentials,
        Fts fts,
        Janitor janitor,
        String lockDir,
        Log log,
        @com.fasterxml.jackson.annotation.JsonProperty("notify") NotifyConfig notifications,
        Web web) {

    public MigdalConfig {
        catalog = catalog == null ? new Catalog(null, null, null) : catalog;
        daq = daq == null ? new Daq(null, null, null, null, null, null) : daq;
        if (storage == null) {
            throw new ConfigException("storage: missing; it must name the disk and tape URLs");
        }
        transfer = transfer == null ? new Transfer(null, null, null) : transfer;
        archive = archive == null ? new Archive(null, null, null, null, null, null, null, null, null, null) : archive;
        executor = executor == null ? new Executor(null, null, null) : executor;
        claims = claims == null ? new Claims(null, null) : claims;
        credentials = credentials == null ? new Credentials(null, null, null, null, null, null) : credentials;
        fts = fts == null ? new Fts(null, null, null, null, null, null, null, null, null) : fts;
        janitor = janitor == null ? new Janitor(null) : janitor;
        lockDir = lockDir == null ? "." : lockDir;
        log = log == null ? new Log(null, null) : log;
        notifications = notifications == null ? new NotifyConfig(null, null, null) : notifications;
        web = web == null ? new Web(null, null) : web;
        if ("fts".equals(archive.mover())) {
            for (String[] u : new String[][] {{"storage.disk", storage.disk()}, {"storage.tape", storage.tape()}}) {
                if (u[1].startsWith("file:")) {
                    throw new ConfigException("archive.mover: fts needs storage URLs FTS3 can reach; " + u[0] + " is '" + u[1]
                            + "', and FTS3 refuses file:// (\"Can not transfer local files\"). Use root://, https:// or"
                            + " davs://, or archive.mover: builtin");
                }
            }
        }
    }

    /** Where the catalog lives: {@code sqlite:PATH} (default) or {@code jdbc:postgresql://HOST/DB}. */
    public record Catalog(String url, String user, String passwordFile) {
        public Catalog {
            url = url == null ? "sqlite:migdal-dm.db" : url;
            if (!url.startsWith("sqlite:") && !url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
                throw new ConfigException("catalog.url: '" + url + "' must be sqlite:PATH or jdbc:postgresql://HOST/DB");
            }
            if (url.contains("password=")) {
                throw new ConfigException("catalog.url: do not put a password in the URL; use catalog.passwordFile");
            }
        }
    }

    /** The DAQ machine's disks and the flag files that hand a disk over and back. */
    public record Daq(List<Disk> disks, String runPrefix, String readyToTransferFlag, String readyForDataFlag,
                      String readyForDataOwner, String readyForDataGroup) {
        public Daq {
            disks = disks == null ? List.of() : List.copyOf(disks);
            runPrefix = nonBlank(runPrefix, "MIG_", "daq.runPrefix");
            readyToTransferFlag = fileName(readyToTransferFlag, "ReadyToTransfer", "daq.readyToTransferFlag");
            readyForDataFlag = fileName(readyForDataFlag, "ReadyForData", "daq.readyForDataFlag");
            Set<String> names = new HashSet<>();
            Set<String> paths = new HashSet<>();
            for (Disk d : disks) {
                if (!names.add(d.name())) {
                    throw new ConfigException("daq.disks: disk name '" + d.name() + "' appears twice");
                }
                if (!paths.add(d.path())) {
                    throw new ConfigException("daq.disks: disk path '" + d.path() + "' appears twice");
                }
            }
        }

        public Disk disk(String name) {
            return disks.stream().filter(d -> d.name().equals(name)).findFirst()
                    .orElseThrow(() -> new ConfigException("daq.disks: no disk named '" + name + "' is configured"));
        }
    }

    /** One DAQ disk: a short name ({@code data1}) and its mount point ({@code /data1}). */
    public record Disk(String name, String path) {
        public Disk {
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) {
                throw new ConfigException("daq.disks[].name: '" + name + "' must be letters, digits, '_', '.' or '-'");
            }
            if (path == null || path.isBlank()) {
                throw new ConfigException("daq.disks[" + name + "].path: missing");
            }
            if (!Path.of(path).isAbsolute()) {
                throw new ConfigException("daq.disks[" + name + "].path: '" + path + "' must be an absolute path");
            }
            if (Path.of(path).normalize().getNameCount() == 0) {
                throw new ConfigException("daq.disks[" + name + "].path: the file system root cannot be a DAQ disk");
            }
        }
    }

    /**
     * Disk storage (dCache) and tape (Antares) base URLs, which credential each uses, and the WLCG Tape REST API of an
     * https/davs tape ({@code tapeRestApi}; discovered through {@code /.well-known/wlcg-tape-rest-api} when not set).
     */
    public record Storage(String disk, String tape, String diskAuth, String tapeAuth, String tapeRestApi) {
        public Storage {
            disk = url(disk, "storage.disk");
            tape = url(tape, "storage.tape");
            if (tapeRestApi != null) {
                java.net.URI u;
                try {
                    u = new java.net.URI(tapeRestApi);
                } catch (java.net.URISyntaxException e) {
                    throw new ConfigException("storage.tapeRestApi: '" + tapeRestApi + "' is not a URL: " + e.getMessage());
                }
                if (u.getScheme() == null || !List.of("https", "http").contains(u.getScheme()) || u.getHost() == null
                        || u.getRawQuery() != null || u.getRawUserInfo() != null) {
                    throw new ConfigException("storage.tapeRestApi: '" + tapeRestApi + "' must be the https URL of the WLCG Tape"
                            + " REST API, e.g. https://dcache-frontend.example.org:3880/api/v1/tape");
                }
                if (!List.of("https", "davs", "http", "dav").contains(java.net.URI.create(tape).getScheme())) {
                    throw new ConfigException("storage.tapeRestApi: only an https:// or davs:// tape asks the Tape REST API;"
                            + " storage.tape is '" + tape + "'");
                }
            }
            diskAuth = oneOf(diskAuth, "auto", "storage.diskAuth", "auto", "x509", "token", "none");
            tapeAuth = oneOf(tapeAuth, "auto", "storage.tapeAuth", "auto", "x509", "token", "none");
        }
    }

    /**
     * Grid credentials: the X509 proxy (default {@code X509_USER_PROXY}, then {@code /tmp/x509up_u<uid>}), the CA
     * directory (default {@code X509_CERT_DIR}, then {@code /etc/grid-security/certificates}), and the policy:
     * warn below {@code warnHours} left, refuse transfers below {@code refuseMinutes} or without {@code requiredFqan}.
     */
    public record Credentials(String proxy, String certDir, Boolean systemTrust, String requiredFqan, Integer warnHours,
                              Integer refuseMinutes) {
        public Credentials {
            systemTrust = systemTrust != null && systemTrust;
            requiredFqan = requiredFqan == null ? "/gridpp/migdal/Role=production" : requiredFqan;
            if (!requiredFqan.isEmpty() && !requiredFqan.startsWith("/")) {
                throw new ConfigException("credentials.requiredFqan: '" + requiredFqan + "' must start with / (or be empty for none)");
            }
            warnHours = range(warnHours, 48, 0, 24 * 365, "credentials.warnHours");
            refuseMinutes = range(refuseMinutes, 15, 0, 24 * 60, "credentials.refuseMinutes");
        }
    }

    /** DAQ → disk storage copying. */
    public record Transfer(Integer threads, Integer maxAttempts, Integer retryBackoffSeconds) {
        public Transfer {
            threads = range(threads, 5, 1, 64, "transfer.threads");
            maxAttempts = range(maxAttempts, 5, 1, 100, "transfer.maxAttempts");
            retryBackoffSeconds = range(retryBackoffSeconds, 60, 0, 86_400, "transfer.retryBackoffSeconds");
        }
    }

    /** Compression and tape archival. */
    public record Archive(String compression, Integer level, Integer jobsPerCycle, String mover, Boolean cleanupRaw,
                          String workDir, Boolean waitForTapeFlag, Integer tapeTimeoutHours, Boolean requireTapeResidency,
                          String engine) {
        public Archive {
            // waitForTapeFlag is the older name of requireTapeResidency: either may be given, not both differently
            if (requireTapeResidency != null && waitForTapeFlag != null && !requireTapeResidency.equals(waitForTapeFlag)) {
                throw new ConfigException("archive.requireTapeResidency (" + requireTapeResidency + ") and its older name"
                        + " archive.waitForTapeFlag (" + waitForTapeFlag + ") disagree; keep requireTapeResidency only");
            }
            requireTapeResidency = requireTapeResidency != null ? requireTapeResidency : waitForTapeFlag == null || waitForTapeFlag;
            waitForTapeFlag = requireTapeResidency;
            tapeTimeoutHours = range(tapeTimeoutHours, 72, 1, 24 * 60, "archive.tapeTimeoutHours");
            compression = oneOf(compression, "bzip2", "archive.compression", "bzip2", "gzip", "zstd");
            // each codec's own default and range: bzip2 9 (1–9), gzip 6 (1–9), zstd 3 (1–19)
            level = "zstd".equals(compression) ? range(level, 3, 1, 19, "archive.level")
                    : range(level, "gzip".equals(compression) ? 6 : 9, 1, 9, "archive.level");
            engine = oneOf(engine, "auto", "archive.engine", "auto", "native", "java");
            jobsPerCycle = range(jobsPerCycle, 150, 1, 100_000, "archive.jobsPerCycle");
            mover = oneOf(mover, "builtin", "archive.mover", "builtin", "fts");
            cleanupRaw = cleanupRaw != null && cleanupRaw;
            workDir = workDir == null ? System.getProperty("java.io.tmpdir") + "/migdal-dm-work" : workDir;
        }

        public String suffix() {
            return switch (compression) {
                case "gzip" -> ".gz";
                case "zstd" -> ".zst";
                default -> ".bz2";
            };
        }
    }

    /**
     * The FTS3 service used when {@code archive.mover} is {@code fts}: its URL, files per job, the archive timeout (so
     * FINISHED means on tape), FTS retries, the delegation lifetime, the shortest poll interval, the authentication
     * (tape jobs need x509; token is refused for tape), the margin after which a job still in flight is cancelled, and
     * the bring-online time of recalls.
     */
    public record Fts(String url, Integer filesPerJob, Integer archiveTimeoutHours, Integer retry, Integer delegationHours,
                      Integer pollSeconds, String auth, Integer inFlightMarginHours, Integer bringOnlineHours) {
        public Fts {
            url = url == null ? "https://lcgfts3.gridpp.rl.ac.uk:8446" : url;
            java.net.URI u;
            try {
                u = new java.net.URI(url);
            } catch (java.net.URISyntaxException e) {
                throw new ConfigException("fts.url: '" + url + "' is not a URL: " + e.getMessage());
            }
            if (!"https".equals(u.getScheme()) || u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null
                    || (u.getPath() != null && !u.getPath().isEmpty() && !u.getPath().equals("/"))) {
                throw new ConfigException("fts.url: '" + url + "' must be https://HOST:PORT with nothing after it,"
                        + " e.g. https://lcgfts3.gridpp.rl.ac.uk:8446");
            }
            filesPerJob = range(filesPerJob, 200, 1, 1000, "fts.filesPerJob");
            archiveTimeoutHours = range(archiveTimeoutHours, 24, 1, 24 * 30, "fts.archiveTimeoutHours");
            retry = range(retry, 5, -1, 100, "fts.retry");
            delegationHours = range(delegationHours, 72, 3, 24 * 30, "fts.delegationHours");
            pollSeconds = range(pollSeconds, 300, 10, 86_400, "fts.pollSeconds");
            auth = oneOf(auth, "auto", "fts.auth", "auto", "x509", "token");
            inFlightMarginHours = range(inFlightMarginHours, 24, 1, 24 * 30, "fts.inFlightMarginHours");
            bringOnlineHours = range(bringOnlineHours, 24, 1, 24 * 30, "fts.bringOnlineHours");
        }
    }

    /**
     * Where compression jobs run: {@code local} (a thread pool of {@code threads} on this host) or {@code htcondor} (one
     * cluster per grid cycle on the HTCondor pool, settings under {@code htcondor}).
     */
    public record Executor(String type, Integer threads, Htcondor htcondor) {
        public Executor {
            type = oneOf(type, "local", "executor.type", "local", "htcondor");
            threads = range(threads, Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 256, "executor.threads");
            htcondor = htcondor == null ? new Htcondor(null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null) : htcondor;
        }
    }

    /**
     * The HTCondor executor. Per cycle at most {@code jobsPerCycle} jobs go in ONE {@code condor_submit} into a cycle folder
     * under {@code spoolDir}; jobs are tracked by their event log. {@code executable} is the launcher the worker nodes run
     * ({@code migdal-dm job run}; default: this installation's launcher, which must be visible on the worker nodes);
     * {@code javaHome}/{@code javaOpts} reach the job as JAVA_HOME and MIGDAL_JAVA_OPTS (a job does not inherit the
     * submitter's environment); {@code x509userproxy} defaults to the configured proxy; {@code commandDir} is where the
     * {@code condor_*} commands are (default: PATH), {@code commandEnvironment} what they get on top of this process's
     * environment (e.g. CONDOR_CONFIG).
     */
    public record Htcondor(String requirements, Integer requestCpus, String requestMemory, String requestDisk, String x509userproxy,
                           String batchName, String accountingGroup, String executable, List<String> extraSubmitLines,
                           Integer jobsPerCycle, String spoolDir, String commandDir, String javaHome, String javaOpts,
                           Integer maxReleases, Integer silentMinutes, Integer reconcileMinutes, Integer commandTimeoutSeconds,
                           java.util.Map<String, String> commandEnvironment) {
        public Htcondor {
            commandEnvironment = commandEnvironment == null ? java.util.Map.of() : java.util.Map.copyOf(commandEnvironment);
            requestCpus = range(requestCpus, 1, 1, 64, "executor.htcondor.requestCpus");
            requestMemory = units(requestMemory, "2 GB", "executor.htcondor.requestMemory");
            requestDisk = units(requestDisk, "4 GB", "executor.htcondor.requestDisk");
            batchName = batchName == null ? "migdal-grid" : batchName;
            if (!batchName.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw new ConfigException("executor.htcondor.batchName: '" + batchName + "' may hold only letters, digits, _ . -");
            }
            extraSubmitLines = extraSubmitLines == null ? List.of() : List.copyOf(extraSubmitLines);
            jobsPerCycle = range(jobsPerCycle, 150, 1, 20_000, "executor.htcondor.jobsPerCycle");
            spoolDir = spoolDir == null ? "condor-spool" : spoolDir;
            maxReleases = range(maxReleases, 3, 0, 100, "executor.htcondor.maxReleases");
            silentMinutes = range(silentMinutes, 30, 1, 7 * 24 * 60, "executor.htcondor.silentMinutes");
            reconcileMinutes = range(reconcileMinutes, 5, 1, 24 * 60, "executor.htcondor.reconcileMinutes");
            commandTimeoutSeconds = range(commandTimeoutSeconds, 120, 5, 3600, "executor.htcondor.commandTimeoutSeconds");
        }

        private static String units(String v, String def, String key) {
            String value = v == null ? def : v.strip();
            if (!value.matches("\\d+(\\.\\d+)?\\s*(K|KB|M|MB|G|GB|T|TB)")) {
                throw new ConfigException(key + ": '" + value + "' needs a unit (K, M, G or T, e.g. 2 GB): pools may refuse"
                        + " numbers without one, and their default unit differs between memory and disk");
            }
            return value;
        }
    }

    /**
     * The janitor that removes orphaned temporary files (uploads a killed process left at a storage endpoint, scratch
     * files in {@code archive.workDir}): only those not written for {@code tempMaxAgeHours}.
     */
    public record Janitor(Integer tempMaxAgeHours) {
        public Janitor {
            tempMaxAgeHours = range(tempMaxAgeHours, 24, 1, 24 * 365, "janitor.tempMaxAgeHours");
        }
    }

    /**
     * The log: {@code format} {@code text} (one line per event) or {@code json} (one JSON object per line), always on
     * standard error, and also appended to {@code file} when one is given. {@code --log-format} and {@code --log-file}
     * on the command line win over these.
     */
    public record Log(String format, String file) {
        public Log {
            format = oneOf(format, "text", "log.format", "text", "json");
            if (file != null && file.isBlank()) {
                throw new ConfigException("log.file: must not be empty (leave it out for no log file)");
            }
        }
    }

    /**
     * The dashboard ({@code serve}, and {@code daemon} when {@code enabled}): where it listens, {@code HOST:PORT}. It has
     * no authentication: an address other than the loopback one is used only when set here (or given with --listen).
     */
    public record Web(String listen, Boolean enabled) {
        public Web {
            listen = listen == null ? "127.0.0.1:8080" : listen;
            enabled = enabled != null && enabled;
            int colon = listen.lastIndexOf(':');
            if (colon <= 0 || !listen.substring(colon + 1).matches("[0-9]{1,5}") || Integer.parseInt(listen.substring(colon + 1)) > 65535) {
                throw new ConfigException("web.listen: '" + listen + "' is not HOST:PORT (e.g. 127.0.0.1:8080)");
            }
        }
    }

    /** How long a claim on a file lasts without renewal (renewed while work goes on). */
    public record Claims(Integer leaseSeconds, Integer maxCrashes) {
        public Claims {
            leaseSeconds = range(leaseSeconds, 1800, 10, 7 * 86_400, "claims.leaseSeconds");
            maxCrashes = range(maxCrashes, 5, 1, 1000, "claims.maxCrashes");
        }
    }

    private static String nonBlank(String v, String def, String key) {
        if (v == null) {
            return def;
        }
        if (v.isBlank()) {
            throw new ConfigException(key + ": must not be empty");
        }
        return v;
    }

    private static String fileName(String v, String def, String key) {
        String s = nonBlank(v, def, key);
        if (s.contains("/") || s.equals(".") || s.equals("..")) {
            throw new ConfigException(key + ": '" + s + "' must be a plain file name");
        }
        return s;
    }

    static Integer range(Integer v, int def, int min, int max, String key) {
        int x = v == null ? def : v;
        if (x < min || x > max) {
            throw new ConfigException(key + ": " + x + " is out of range " + min + "–" + max);
        }
        return x;
    }

    static String oneOf(String v, String def, String key, String... allowed) {
        String s = v == null ? def : v.toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(s)) {
            throw new ConfigException(key + ": '" + v + "' is not one of " + String.join(", ", allowed));
        }
        return s;
    }

    private static String url(String v, String key) {
        if (v == null || v.isBlank()) {
            throw new ConfigException(key + ": missing; give a file://, root://, https:// or davs:// URL");
        }
        java.net.URI u;
        try {
            u = new java.net.URI(v);
        } catch (java.net.URISyntaxException e) {
            throw new ConfigException(key + ": '" + v + "' is not a URL: " + e.getMessage());
        }
        if (u.getScheme() == null || !List.of("file", "root", "roots", "https", "davs", "http", "dav").contains(u.getScheme())) {
            throw new ConfigException(key + ": '" + v + "' must start with file://, root://, https:// or davs://");
        }
        if ("file".equals(u.getScheme()) && (u.getPath() == null || !u.getPath().startsWith("/"))) {
            throw new ConfigException(key + ": '" + v + "' must be an absolute file:///path");
        }
        return v;
    }
}
