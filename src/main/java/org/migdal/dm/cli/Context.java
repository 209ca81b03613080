package org.migdal.dm.cli;

import org.migdal.dm.archive.BuiltinMover;
import org.migdal.dm.archive.Compression;
import org.migdal.dm.archive.FtsMover;
import org.migdal.dm.archive.FtsRecaller;
import org.migdal.dm.archive.RecallMover;
import org.migdal.dm.archive.RawCleaner;
import org.migdal.dm.archive.Recaller;
import org.migdal.dm.archive.TapeMover;
import org.migdal.dm.archive.CompressionResults;
import org.migdal.dm.archive.CompressionStage;
import org.migdal.dm.archive.GridCollector;
import org.migdal.dm.archive.GridCompression;
import org.migdal.dm.archive.GridDecisions;
import org.migdal.dm.archive.GridSubmitter;
import org.migdal.dm.batch.BatchExecutor;
import org.migdal.dm.batch.Condor;
import org.migdal.dm.batch.CondorCommands;
import org.migdal.dm.batch.SubmitDescription;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.health.Failures;
import org.migdal.dm.batch.LocalExecutor;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.LeaseKeeper;
import org.migdal.dm.catalog.RecallStore;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.Engine;
import org.migdal.dm.compress.Toolbox;
import org.migdal.dm.compress.Compressor;
import org.migdal.dm.config.ConfigException;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DiskCleaner;
import org.migdal.dm.daq.LocalCopies;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.security.CredentialException;
import org.migdal.dm.security.BearerToken;
import org.migdal.dm.security.CredentialStore;
import org.migdal.dm.security.CredentialWatcher;
import org.migdal.dm.security.TlsContexts;
import org.migdal.dm.security.X509Credential;
import org.migdal.dm.health.EndpointHealth;
import org.migdal.dm.storage.GuardedEndpoint;
import org.migdal.dm.storage.StorageAuth;
import org.migdal.dm.storage.Endpoints;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.transfer.Shipper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The wiring of one command: configuration, catalog and endpoints, opened lazily and closed together. */
final class Context implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Context.class);

    final MigdalConfig config;
    final Clock clock = Clock.systemUTC();
    private JdbcCatalog catalog;
    private LeaseKeeper leaseKeeper;
    private StorageEndpoint disk;
    private StorageEndpoint tape;
    private BatchExecutor executor;
    private CredentialStore credentials;
    private org.migdal.dm.health.Overviews overviews;
    private CredentialWatcher credentialFiles;
    private FtsClient fts;
    private final java.util.Map<String, StorageEndpoint> others = new java.util.HashMap<>();

    Context(MigdalConfig config) {
        this.config = config;
    }

    JdbcCatalog catalog() {
        if (catalog == null) {
            MigdalConfig.Catalog c = config.catalog();
            String password = null;
            if (c.passwordFile() != null) {
                try {
                    password = Files.readString(Path.of(c.passwordFile())).strip();
                } catch (IOException e) {
                    throw new ConfigException("catalog.passwordFile: cannot read " + c.passwordFile() + ": " + e.getMessage());
                }
            }
            ClaimPolicy policy = new ClaimPolicy(ClaimPolicy.thisProcessOwner(),
                    Duration.ofSeconds(config.claims().leaseSeconds()), config.transfer().maxAttempts(),
                    Duration.ofSeconds(config.transfer().retryBackoffSeconds()), config.claims().maxCrashes());
            catalog = JdbcCatalog.open(c.url(), c.user(), password, policy, clock,
                    Math.max(config.transfer().threads(), config.executor().threads()) + 2);
            // keeps this process's claims alive while it works; only a dead process's claims run out
            leaseKeeper = new LeaseKeeper(catalog, policy.lease());
        }
        return catalog;
    }

    /** The disk storage, believed only while it shows its marker ({@link GuardedEndpoint}). */
    StorageEndpoint disk() {
        if (disk == null) {
            disk = GuardedEndpoint.of(unguarded(config.storage().disk()), clock);
        }
        return disk;
    }

    /** The tape endpoint, believed only while it shows its marker. */
    StorageEndpoint tape() {
        if (tape == null) {
            tape = GuardedEndpoint.of(unguarded(config.storage().tape()), clock);
        }
        return tape;
    }

    /** A configured endpoint without the marker guard: only for {@code storage init}, which writes the marker. */
    StorageEndpoint unguarded(String url) {
        String mode = url.equals(config.storage().disk()) ? config.storage().diskAuth()
                : url.equals(config.storage().tape()) ? config.storage().tapeAuth() : "auto";
        if (url.equals(config.storage().tape())) {
            return Endpoints.open(url, auth(url, mode), Optional.ofNullable(config.storage().tapeRestApi()).map(java.net.URI::create));
        }
        return Endpoints.open(url, auth(url, mode));
    }

    EndpointHealth health() {
        return new EndpointHealth(catalog(), clock);
    }

    /**
     * Why work on these endpoints must not start now, or empty when it may: a credential missing, expiring or refused, or
     * an endpoint DOWN (marker missing, unreachable, full, read-only). Each reason marks the endpoint DOWN in the catalog,
     * so status and doctor say which, why and since when; no file is touched or charged.
     */
    Optional<String> endpointRefusal(boolean needDisk, boolean needTape) {
        java.util.List<String> reasons = new java.util.ArrayList<>();
        if (needDisk) {
            refusal(config.storage().disk(), config.storage().diskAuth(), this::disk).ifPresent(reasons::add);
        }
        if (needTape) {
            refusal(config.storage().tape(), config.storage().tapeAuth(), this::tape).ifPresent(reasons::add);
        }
        return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
    }

    private Optional<String> refusal(String url, String mode, java.util.function.Supplier<StorageEndpoint> endpoint) {
        StorageEndpoint e;
        try {
            credentials().require(url, CredentialStore.mode(mode));
            e = endpoint.get();
        } catch (CredentialException | RuntimeException ex) {
            return Optional.of(EndpointHealth.describe(health().credentialRefused(Endpoints.parse(url).toString(), ex.getMessage())));
        }
        return health().unavailable(e);
    }

    /** The credentials an endpoint authenticates with, checked by the policy; refused credentials stop here. */
    private StorageAuth auth(String url, String mode) {
        try {
            CredentialStore.Resolved r = credentials().require(url, CredentialStore.mode(mode));
            if (r.proxy().isEmpty() && r.token().isEmpty()) {
                return StorageAuth.none();
            }
            java.nio.file.Path certDir = credentials().certDir();
            Optional<javax.net.ssl.SSLContext> ssl = url.startsWith("https:") || url.startsWith("davs:")
                    ? Optional.of(TlsContexts.create(r.proxy(), certDir, credentials().systemTrust()))
                    : Optional.empty();
            return new StorageAuth(ssl, r.proxy().map(X509Credential::source), Optional.of(certDir), r.token().map(BearerToken::value));
        } catch (CredentialException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    BatchExecutor executor() {
        if (executor == null) {
            executor = new LocalExecutor(config.executor().threads());
        }
        return executor;
    }

    /** What the dashboard, /metrics and the notifications show, built from the catalog, the disks and the credential. */
    org.migdal.dm.health.Overviews overviews() {
        if (overviews == null) {
            overviews = new org.migdal.dm.health.Overviews(catalog(), config, credentials(), clock);
        }
        return overviews;
    }

    /** What /metrics serves: the same text as {@code migdal-dm metrics}. */
    org.migdal.dm.web.MetricsSource metrics() {
        org.migdal.dm.metrics.MetricsPage page = new org.migdal.dm.metrics.MetricsPage(overviews(), catalog());
        return new org.migdal.dm.web.MetricsSource() {
            @Override
            public String contentType() {
                return page.contentType();
            }

            @Override
            public void write(java.io.OutputStream out) throws java.io.IOException {
                page.write(out);
            }
        };
    }

    CredentialStore credentials() {
        if (credentials == null) {
            credentials = new CredentialStore(config.credentials(), System.getenv(), clock);
            credentialFiles = new CredentialWatcher(credentials); // before anything is built from them
        }
        return credentials;
    }

    /**
     * Called before each cycle of a long-running command: when a credential file (proxy, token, CA directory or CRL)
     * changed since the storage endpoints and the FTS client were built, they are closed and dropped, so that they are
     * built again from the new files when next used (TLS context, proxy, token, FTS client and so its delegation).
     * Nothing is rebuilt when nothing changed. Returns whether something changed.
     */
    boolean reloadCredentialsIfChanged() {
        credentials();
        List<Path> changed = credentialFiles.changed();
        if (changed.isEmpty()) {
            return false;
        }
        log.info("credential files changed ({}): the storage endpoints and the FTS client are built again from them", changed);
        closeEndpoints();
        fts = null;
        return true;
    }

    /**
     * Why transfers to these endpoints must not start now (credential missing, expiring, or lacking the FQAN),
     * or empty when they may. {@code file://} endpoints need no credential.
     */
    Optional<String> credentialRefusal(boolean disk, boolean tape) {
        try {
            if (disk) {
                credentials().require(config.storage().disk(), CredentialStore.mode(config.storage().diskAuth()));
            }
            if (tape) {
                credentials().require(config.storage().tape(), CredentialStore.mode(config.storage().tapeAuth()));
            }
            return Optional.empty();
        } catch (CredentialException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** The endpoint of a recall destination: the configured disk storage, or another URL (opened once, closed with this). */
    StorageEndpoint endpoint(String url) {
        if (url.equals(config.storage().disk())) {
            return disk();
        }
        if (url.equals(config.storage().tape())) {
            return tape();
        }
        return others.computeIfAbsent(url, u -> Endpoints.open(u, auth(u, "auto")));
    }

    /** The recall mover of {@code archive.mover}: built-in copies, or FTS3 jobs with bring_online. */
    RecallMover recaller() {
        if ("fts".equals(config.archive().mover())) {
            MigdalConfig.Fts f = config.fts();
            return new FtsRecaller(catalog(), recalls(), tape(), this::endpoint, fts(), new FtsRecaller.Settings(f.filesPerJob(),
                    Duration.ofHours(f.bringOnlineHours()), f.retry(), Duration.ofSeconds(f.pollSeconds()),
                    Duration.ofHours(f.inFlightMarginHours())), clock);
        }
        return new Recaller(catalog(), recalls(), tape(), this::endpoint);
    }

    /**
     * The FTS3 client of {@code fts:}: the X509 proxy as TLS identity (the grid CA directory as trust store), or a bearer
     * token, as {@code fts.auth} and the credential policy decide. Created once per command.
     */
    FtsClient fts() {
        if (fts == null) {
            MigdalConfig.Fts f = config.fts();
            try {
                CredentialStore.Resolved r = credentials().require(f.url(), CredentialStore.mode(f.auth()));
                FtsClient.Auth auth;
                if (r.proxy().isPresent()) {
                    auth = new FtsClient.X509Auth(r.proxy().get());
                } else {
                    BearerToken first = r.token().orElseThrow(() -> new IllegalStateException("fts.auth: no credential for " + f.url()));
                    auth = new FtsClient.TokenAuth(() -> {
                        try {
                            return credentials().token().orElse(first); // a refreshed token file is picked up
                        } catch (CredentialException e) {
                            return first;
                        }
                    });
                }
                FtsClient.Settings settings = FtsClient.Settings.of(java.net.URI.create(f.url()))
                        .withDelegation(Duration.ofHours(f.delegationHours()), Duration.ofHours(2));
                fts = FtsClient.create(settings, auth, credentials().certDir(), credentials().systemTrust());
            } catch (CredentialException e) {
                throw new IllegalStateException("FTS3 " + f.url() + ": " + e.getMessage(), e);
            }
        }
        return fts;
    }

    RecallStore recalls() {
        return new RecallStore(catalog(), clock, Duration.ofSeconds(config.claims().leaseSeconds()), config.transfer().maxAttempts());
    }

    Scanner scanner() {
        return new Scanner(config.daq(), catalog(), clock);
    }

    Shipper shipper() {
        return new Shipper(config.daq(), config.transfer().threads(), catalog(), disk());
    }

    DiskCleaner diskCleaner() {
        return new DiskCleaner(config.daq(), catalog(), new LocalCopies(config.daq(), catalog(), disk()), clock);
    }

    /** How compressed copies are made here ({@code archive.engine}: the system's programs or in-process). */
    Toolbox toolbox() {
        return Toolbox.system(Engine.named(config.archive().engine()));
    }

    /** The compression stage of {@code executor.type}: a thread pool here, or HTCondor (submit and collect, never wait). */
    CompressionStage compression() {
        MigdalConfig.Archive a = config.archive();
        CompressionJob.Settings settings = new CompressionJob.Settings(config.storage().disk(), config.storage().diskAuth(),
                config.credentials().certDir(), config.credentials().systemTrust(), config.credentials().requiredFqan(),
                Codec.named(a.compression()), a.level());
        if (!"htcondor".equals(config.executor().type())) {
            return new Compression(catalog(), disk(), settings, toolbox(), executor(), Path.of(a.workDir()), a.jobsPerCycle());
        }
        MigdalConfig.Htcondor h = config.executor().htcondor();
        Condor condor = condor();
        CompressionResults results = new CompressionResults(catalog(), disk(), new Failures(health()));
        GridDecisions decisions = new GridDecisions(catalog(), condor, results, h.maxReleases());
        GridCollector collector = new GridCollector(catalog(), condor, decisions, clock, Duration.ofMinutes(h.silentMinutes()),
                Duration.ofMinutes(h.reconcileMinutes()), Duration.ofSeconds(2L * h.commandTimeoutSeconds()));
        GridSubmitter submitter = new GridSubmitter(catalog(), condor, settings, (dir, batch) -> submitDescription(dir, batch),
                Path.of(h.spoolDir()), h.batchName(), clock);
        return new GridCompression(catalog(), collector, submitter, h.jobsPerCycle());
    }

    /** The HTCondor commands of {@code executor.htcondor} (found in {@code commandDir}, else on PATH). */
    Condor condor() {
        MigdalConfig.Htcondor h = config.executor().htcondor();
        return new CondorCommands(h.commandDir() == null ? null : Path.of(h.commandDir()), h.commandEnvironment(),
                Duration.ofSeconds(h.commandTimeoutSeconds()));
    }

    /**
     * A cycle's submit description: the job finds Java as configured ({@code javaHome}, default this JVM's) through the
     * launcher's JAVA, as it inherits nothing of this environment; the proxy is {@code x509userproxy}, default the
     * configured proxy when the storage needs one.
     */
    private SubmitDescription submitDescription(Path dir, String batchName) {
        MigdalConfig.Htcondor h = config.executor().htcondor();
        String launcher = h.executable() != null ? h.executable() : System.getenv("MIGDAL_DM_LAUNCHER");
        if (launcher == null) {
            throw new ConfigException("executor.htcondor.executable: not set, and this process was not started by the migdal-dm"
                    + " launcher; give the absolute path of bin/migdal-dm as the worker nodes see it");
        }
        String javaHome = h.javaHome() != null ? h.javaHome() : System.getProperty("java.home");
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("JAVA", Path.of(javaHome, "bin", "java").toString());
        env.put("JAVA_HOME", javaHome);
        env.put("LC_ALL", "C.UTF-8");
        if (h.javaOpts() != null) {
            env.put("MIGDAL_JAVA_OPTS", h.javaOpts());
        }
        Path proxy = h.x509userproxy() != null ? Path.of(h.x509userproxy())
                : config.storage().disk().startsWith("file:") ? null : credentials().proxyPath();
        return new SubmitDescription(dir, Path.of(launcher).toAbsolutePath(), false, String.valueOf(h.requestCpus()), h.requestMemory(),
                h.requestDisk(), h.requirements(), env, batchName, h.accountingGroup(), proxy, h.extraSubmitLines());
    }

    /** The tape mover of {@code archive.mover}. */
    TapeMover mover() {
        if ("fts".equals(config.archive().mover())) {
            MigdalConfig.Fts f = config.fts();
            return new FtsMover(catalog(), disk(), tape(), fts(), new FtsMover.Settings(config.archive().jobsPerCycle(),
                    10_000, f.filesPerJob(), Duration.ofHours(f.archiveTimeoutHours()), f.retry(),
                    Duration.ofSeconds(f.pollSeconds()), Duration.ofHours(f.inFlightMarginHours()),
                    catalog().owner() + "@" + clock.instant()), clock, config.archive().requireTapeResidency()
                    ? org.migdal.dm.storage.CopyCheck.Residency.REQUIRED : org.migdal.dm.storage.CopyCheck.Residency.RECORDED);
        }
        return new BuiltinMover(catalog(), disk(), tape(), config.archive().jobsPerCycle(), config.archive().requireTapeResidency(),
                Duration.ofHours(config.archive().tapeTimeoutHours()), clock);
    }

    RawCleaner rawCleaner() {
        return new RawCleaner(catalog(), disk(), tape());
    }

    private void closeEndpoints() {
        others.values().forEach(StorageEndpoint::close);
        others.clear();
        if (disk != null) {
            disk.close();
            disk = null;
        }
        if (tape != null) {
            tape.close();
            tape = null;
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.close();
        }
        closeEndpoints();
        if (leaseKeeper != null) {
            leaseKeeper.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }
}
