package org.migdal.dm.cli;

import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.ScanProblem;
import org.migdal.dm.daq.DiskPaths;
import org.migdal.dm.config.ConfigException;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.security.BearerToken;
import org.migdal.dm.security.CredentialCheck;
import org.migdal.dm.security.CredentialException;
import org.migdal.dm.security.CredentialStore;
import org.migdal.dm.security.X509Credential;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.zip.Adler32;

/** {@code doctor}: checks config, catalog, disks, credentials and endpoints; one line per check; exit 1 if any FAIL. */
@Command(name = "doctor", mixinStandardHelpOptions = true, description = "Check configuration, catalog, disks, credentials and endpoints (OK/WARN/FAIL per line).")
final class DoctorCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    /** One check's outcome. */
    record Check(String check, CredentialCheck.Level status, String detail) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = main.spec.commandLine().getOut();
        List<Check> checks = new ArrayList<>();
        MigdalConfig config = null;
        try {
            config = main.loadConfig();
            checks.add(ok("config", main.configUsed.file() + " (found by " + main.configUsed.how() + ") is valid"));
        } catch (ConfigException e) {
            checks.add(fail("config", e.getMessage()));
        }
        if (config != null) {
            try (Context ctx = new Context(config)) {
                run(ctx, checks);
            }
        }
        if (json) {
            Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("config", main.configUsed == null ? null : main.configUsed.file().toString());
            doc.put("ok", checks.stream().noneMatch(c -> c.status() == CredentialCheck.Level.FAIL));
            doc.put("checks", checks);
            JsonOutput.print(out, doc);
        } else {
            for (Check c : checks) {
                out.printf(Locale.ROOT, "%-4s %-22s %s%n", c.status(), c.check(), c.detail());
            }
        }
        return checks.stream().anyMatch(c -> c.status() == CredentialCheck.Level.FAIL) ? Main.FAILURE : Main.OK;
    }

    private void run(Context ctx, List<Check> checks) {
        MigdalConfig config = ctx.config;
        try {
            long files = ctx.catalog().count(FileFilter.all(1));
            checks.add(ok("catalog", ctx.catalog() + " opened and up to date; " + files + " files"));
        } catch (RuntimeException e) {
            checks.add(fail("catalog", e.getMessage()));
        }
        for (MigdalConfig.Disk d : config.daq().disks()) {
            diskWithProblems(ctx, config, d, checks);
        }
        missing(ctx, checks);
        checks.add(folder("lockDir", Path.of(config.lockDir())));
        checks.add(folder("archive.workDir", Path.of(config.archive().workDir())));
        checks.add(compressor(ctx));

        CredentialStore store = new CredentialStore(config.credentials(), System.getenv(), ctx.clock);
        boolean needsCredentials = needs(config.storage().disk(), config.storage().diskAuth())
                || needs(config.storage().tape(), config.storage().tapeAuth());
        checks.add(proxy(store, needsCredentials));
        checks.add(token(store));
        if (needsCredentials) {
            checks.add(caDir(store));
        }
        checks.add(endpoint("storage.disk", config.storage().disk(), ctx::disk));
        checks.add(endpoint("storage.tape", config.storage().tape(), ctx::tape));
        checks.addAll(FtsDoctor.checks(ctx));
        checks.addAll(HtcondorView.checks(ctx));
        try {
            for (org.migdal.dm.catalog.EndpointStatus e : ctx.catalog().endpoints()) {
                if (e.down() && !e.url().equals(org.migdal.dm.archive.GridCompression.EXECUTOR)) { // the schedd: "htcondor schedd"
                    checks.add(new Check("endpoint health", CredentialCheck.Level.WARN, "the catalog records "
                            + org.migdal.dm.health.EndpointHealth.describe(e) + "; work there waits for the next successful probe"));
                }
            }
        } catch (RuntimeException e) {
            checks.add(fail("endpoint health", e.getMessage()));
        }
    }

    /** Does an endpoint authenticate at all? Local files, plain HTTP and auth "none" do not. */
    private static boolean needs(String url, String mode) {
        return !(mode.equals("none") || url.startsWith("file:") || url.startsWith("http:") || url.startsWith("dav:"));
    }

    /** Most scan problems listed per disk; the rest are counted, with the command that lists them all. */
    private static final int PROBLEMS_SHOWN = 20;

    /** The disk's own check, and a WARN per open scan problem of it, each with what the operator can do. */
    private static void diskWithProblems(Context ctx, MigdalConfig config, MigdalConfig.Disk d, List<Check> checks) {
        java.util.OptionalLong inode;
        long expected;
        List<ScanProblem> open;
        try {
            inode = ctx.catalog().diskRootInode(d.name());
            expected = inode.isPresent() ? 0 : ctx.catalog().countLocalCopies(d.name());
            open = ctx.catalog().openScanProblems(d.name());
        } catch (RuntimeException e) {
            checks.add(disk(config, d, java.util.OptionalLong.empty(), 0)); // the catalog check above already says what is wrong
            return;
        }
        Check c = disk(config, d, inode, expected);
        if (c.status() == CredentialCheck.Level.OK && !open.isEmpty()) {
            c = new Check(c.check(), CredentialCheck.Level.WARN, c.detail() + "; " + open.size() + " open scan problem(s), below;"
                    + " the disk is not handed back until they are solved");
        }
        checks.add(c);
        for (ScanProblem p : open.subList(0, Math.min(PROBLEMS_SHOWN, open.size()))) {
            checks.add(new Check("scan " + d.name(), CredentialCheck.Level.WARN, ScanProblemsView.line(p)));
        }
        if (open.size() > PROBLEMS_SHOWN) {
            checks.add(new Check("scan " + d.name(), CredentialCheck.Level.WARN, (open.size() - PROBLEMS_SHOWN)
                    + " more: `migdal-dm ls --problems --disk " + d.name() + "`"));
        }
    }

    private static void missing(Context ctx, List<Check> checks) {
        try {
            long n = ctx.catalog().count(new FileFilter(FileState.MISSING, null, null, null, 0, 1));
            if (n > 0) {
                checks.add(new Check("MISSING files", CredentialCheck.Level.WARN, n + " file(s) vanished from their DAQ disk before"
                        + " shipping (`migdal-dm ls --state MISSING`); `migdal-dm retry LFN` if one comes back,"
                        + " `migdal-dm forget LFN` if it never will"));
            }
        } catch (RuntimeException e) {
            // the catalog check already says what is wrong with it
        }
    }

    private static Check disk(MigdalConfig config, MigdalConfig.Disk d, java.util.OptionalLong inode, long filesExpected) {
        String name = "disk " + d.name();
        Path root = Path.of(d.path());
        Optional<String> down = DiskPaths.rootUnavailable(root, inode, filesExpected);
        if (down.isPresent()) {
            return fail(name, down.get() + "; its files wait until it is back");
        }
        int runs = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(root, e -> e.getFileName().toString().startsWith(config.daq().runPrefix()))) {
            for (Path ignored : s) {
                runs++;
            }
        } catch (IOException e) {
            return fail(name, "cannot list " + root + ": " + e.getMessage());
        }
        String flag = Files.exists(root.resolve(config.daq().readyToTransferFlag())) ? config.daq().readyToTransferFlag()
                : Files.exists(root.resolve(config.daq().readyForDataFlag())) ? config.daq().readyForDataFlag() : "no flag (filling)";
        String free;
        try {
            free = String.format(Locale.ROOT, "%.1f GiB free", Files.getFileStore(root).getUsableSpace() / 1073741824.0);
        } catch (IOException e) {
            free = "free space unknown";
        }
        if (!Files.isWritable(root)) {
            return new Check(name, CredentialCheck.Level.WARN, root + ": " + flag + ", " + runs + " run entries, " + free
                    + "; not writable by this account, so flags cannot be removed or written");
        }
        return ok(name, root + ": " + flag + ", " + runs + " run entries, " + free);
    }

    /** Which programs (or in-process streams) make and verify the compressed copies, as {@code archive.engine} resolves here. */
    private static Check compressor(Context ctx) {
        MigdalConfig.Archive a = ctx.config.archive();
        try {
            String how = ctx.toolbox().compressor(org.migdal.dm.compress.Codec.named(a.compression()), a.level()).describe();
            return ok("archive.engine", a.engine() + ": " + how);
        } catch (RuntimeException e) {
            return fail("archive.engine", e.getMessage());
        }
    }

    private static Check folder(String key, Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".migdal-dm-doctor-", ".tmp");
            Files.delete(probe);
            return ok(key, dir.toAbsolutePath() + String.format(Locale.ROOT, " writable, %.1f GiB free",
                    Files.getFileStore(dir).getUsableSpace() / 1073741824.0));
        } catch (IOException e) {
            return fail(key, dir.toAbsolutePath() + " is not writable: " + e.getMessage());
        }
    }

    private static Check proxy(CredentialStore store, boolean needed) {
        Path path = store.proxyPath();
        if (!Files.exists(path)) {
            return needed ? fail("x509 proxy", "no proxy at " + path + "; create one with `voms-proxy-init --voms"
                    + " gridpp:/gridpp/migdal/Role=production --valid 168:0` or set X509_USER_PROXY")
                    : ok("x509 proxy", "none at " + path + " (not needed: no endpoint authenticates)");
        }
        try {
            X509Credential cred = store.loadProxy();
            CredentialCheck c = store.check(cred);
            return new Check("x509 proxy", c.level(), path + ": " + c.summary());
        } catch (CredentialException e) {
            return fail("x509 proxy", e.getMessage());
        }
    }

    private static Check token(CredentialStore store) {
        try {
            Optional<BearerToken> t = store.token();
            if (t.isEmpty()) {
                return ok("bearer token", "none (BEARER_TOKEN, BEARER_TOKEN_FILE, $XDG_RUNTIME_DIR/bt_u<uid>, /tmp/bt_u<uid>)");
            }
            CredentialCheck c = store.check(t.get());
            return new Check("bearer token", c.level(), c.summary());
        } catch (CredentialException e) {
            return fail("bearer token", e.getMessage());
        }
    }

    private static Check caDir(CredentialStore store) {
        Path dir = store.certDir();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.0")) {
            int n = 0;
            for (Path ignored : s) {
                n++;
            }
            return n == 0 ? fail("CA directory", dir + " holds no CA certificates (*.0)") : ok("CA directory", dir + ": " + n + " CA certificates");
        } catch (IOException e) {
            return fail("CA directory", dir + " cannot be read (" + e.getMessage() + "); set X509_CERT_DIR or credentials.certDir");
        }
    }

    private interface EndpointSupplier {
        StorageEndpoint get();
    }

    /**
     * The marker first (an unmounted or wrong storage gets no probe file), then reachability and write permission: a
     * small probe file is written, its checksum confirmed, then deleted.
     */
    private static Check endpoint(String key, String url, EndpointSupplier supplier) {
        StorageEndpoint e;
        try {
            e = supplier.get();
        } catch (RuntimeException ex) {
            return fail(key, ex.getMessage());
        }
        try {
            org.migdal.dm.storage.Marker.require(e);
        } catch (StorageException ex) {
            return fail(key, url + ": " + ex.getMessage());
        }
        String probe = "/.migdal-dm-doctor-" + UUID.randomUUID();
        byte[] bytes = ("migdal-dm doctor probe " + probe + "\n").getBytes(StandardCharsets.US_ASCII);
        Adler32 a = new Adler32();
        a.update(bytes);
        String expected = org.migdal.dm.storage.Adler32s.hex(a.getValue());
        try {
            e.put(new ByteArrayInputStream(bytes), bytes.length, probe, false);
            String got = e.checksum(probe).value();
            e.delete(probe);
            if (!got.equals(expected)) {
                return fail(key, url + " stored a probe but reports adler32 " + got + " instead of " + expected);
            }
            return ok(key, url + " reachable, writable, checksum confirmed on a probe file (removed)");
        } catch (StorageException ex) {
            return fail(key, url + ": " + ex.getMessage());
        }
    }

    private static Check ok(String check, String detail) {
        return new Check(check, CredentialCheck.Level.OK, detail);
    }

    private static Check fail(String check, String detail) {
        return new Check(check, CredentialCheck.Level.FAIL, detail);
    }

}
