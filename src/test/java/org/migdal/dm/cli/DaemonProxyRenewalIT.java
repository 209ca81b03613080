package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.testinfra.XrootdServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 defect 5: a proxy renewed under a running {@code daemon} is used by its next cycle, without a restart.
 *
 * <p>A real child JVM runs {@code daemon --role daq} against a real XRootD HTTPS storage that requires a client
 * certificate. It starts with a proxy that ends within two minutes: the first run is shipped with it. Once it has expired,
 * the cycles refuse to ship (nothing touched, a second run stays REGISTERED with no attempt charged). The proxy file is
 * then replaced by a fresh one, as {@code voms-proxy-init} does, and the next cycles ship the second run with it. Before
 * the fix the daemon kept the TLS context of the first proxy, and every file of the second run failed at the storage.
 */
class DaemonProxyRenewalIT {
    @TempDir
    Path dir;

    @Test
    void aProxyRenewedUnderARunningDaemonIsUsedByTheNextCycleWithoutARestart() throws Exception {
        TestPki pki = TestPki.create();
        TestPki.Layout files = pki.writeAll(dir.resolve("pki"));
        Path proxy = dir.resolve("x509up_daemon");
        Path disk = Files.createDirectories(dir.resolve("data1"));
        Path logs = dir.resolve("logs");
        try (XrootdServer storage = XrootdServer.startSecure(new XrootdServer.Tls(files.hostCert(), files.hostKey(),
                files.caDir(), List.of(files.user().openSslSubject())))) {
            Path config = dir.resolve("migdal-dm.yaml");
            Files.writeString(config, String.join("\n",
                    "catalog: {url: 'sqlite:" + dir.resolve("catalog.db") + "'}",
                    "daq:",
                    "  disks:",
                    "    - {name: data1, path: '" + disk + "'}",
                    "storage: {disk: '" + storage.httpBase() + "/migdal', tape: '" + org.migdal.dm.testinfra.Markers.initialised(dir.resolve("tape")).toUri()
                            + "', diskAuth: x509}",
                    "transfer: {threads: 2, retryBackoffSeconds: 0}",
                    "credentials: {proxy: '" + proxy + "', certDir: '" + files.caDir() + "', requiredFqan: '', refuseMinutes: 0}",
                    "lockDir: '" + dir + "'", ""));
            SyntheticRuns runs = new SyntheticRuns(5);
            List<Path> first = runs.writeRun(disk, "Fe55", LocalDateTime.of(2026, 11, 28, 9, 0, 0), 2, 100_000);
            Files.writeString(disk.resolve("ReadyToTransfer"), "");

            // a proxy that ends in two minutes (refuseMinutes: 0, so the policy lets it be used until it has expired); two
            // minutes leave room for one failed probe of the storage (15 s timeout, then 30 s until the next probe) on a
            // loaded machine before the first run must have been shipped
            Instant firstEnds = Instant.now().plusSeconds(120);
            pki.writeProxyFile(proxy, pki.proxy(files.user(), Instant.now().minus(Duration.ofMinutes(5)), firstEnds), files.user(),
                    TestPki.KeyFormat.PKCS1);
            assertThat(Main.commandLine(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true))
                    .execute("-c", config.toString(), "storage", "init")).as("storage init").isZero();
            Process daemon = DaqProcesses.cli(logs, "daemon", config, "daemon", "--role", "daq", "--interval", "1");
            try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + dir.resolve("catalog.db"), null, null,
                    new ClaimPolicy("observer:1:0", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 2)) {
                // 1. the first run is shipped with the first proxy
                await(daemon, logs, storage, "the first run shipped with the first proxy", Duration.between(Instant.now(), firstEnds),
                        () -> first.stream().noneMatch(Files::exists) && Files.exists(disk.resolve("ReadyForData")));

                // 2. once it has expired, cycles refuse to ship; a second run is registered and left alone
                await(daemon, logs, storage, "the first proxy expired and the cycles refuse to ship",
                        Duration.between(Instant.now(), firstEnds).plusSeconds(60),
                        () -> Instant.now().isAfter(firstEnds.plusSeconds(2)) && log(logs).contains("ship and clean not started"));
                Files.delete(disk.resolve("ReadyForData"));
                List<Path> second = runs.writeRun(disk, "Fe55", LocalDateTime.of(2026, 11, 28, 10, 0, 0), 2, 100_000);
                Files.writeString(disk.resolve("ReadyToTransfer"), "");
                await(daemon, logs, storage, "the second run registered while refused", Duration.ofSeconds(60),
                        () -> count(catalog, null) == 4);
                int refusedSoFar = refusals(logs);
                await(daemon, logs, storage, "a whole cycle refused after the second run was registered", Duration.ofSeconds(60),
                        () -> refusals(logs) >= refusedSoFar + 2);
                for (CatalogFile f : catalog.list(new FileFilter(FileState.REGISTERED, null, null, null, 0, 10))) {
                    assertThat(f.attempts()).as("%s: no attempt charged while the credential is refused", f.lfn()).isZero();
                }
                assertThat(count(catalog, FileState.REGISTERED)).isEqualTo(2);
                assertThat(second).allMatch(Files::exists);

                // 3. the proxy file is renewed under the running daemon: the next cycles ship with the new proxy
                pki.writeProxyFile(proxy, pki.proxy(files.user()), files.user(), TestPki.KeyFormat.PKCS1);
                await(daemon, logs, storage, "the second run shipped with the renewed proxy", Duration.ofSeconds(90),
                        () -> count(catalog, FileState.ON_DISK_STORAGE) == 4 && second.stream().noneMatch(Files::exists));
                assertThat(count(catalog, FileState.QUARANTINED)).isZero();
                for (CatalogFile f : catalog.list(FileFilter.all(10))) {
                    assertThat(f.attempts()).as("%s: shipped at the first attempt", f.lfn()).isLessThanOrEqualTo(1);
                    assertThat(storage.dataDir().resolve("migdal" + f.lfn())).as(f.lfn()).hasSize(f.size());
                }
                assertThat(log(logs)).contains("credential files changed");
            } finally {
                daemon.destroy(); // SIGTERM: the running cycle finishes
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            String all = log(logs);
            assertThat(all).doesNotContain("BEGIN RSA PRIVATE KEY").doesNotContain("BEGIN CERTIFICATE");
        }
    }

    private static long count(JdbcCatalog catalog, FileState state) {
        return catalog.count(new FileFilter(state, null, null, null, 0, 100));
    }

    /** How many times the cycles have refused to ship so far. */
    private static int refusals(Path logs) {
        return log(logs).split("ship and clean not started", -1).length - 1;
    }

    private static String log(Path logs) {
        try {
            return DaqProcesses.err(logs, "daemon") + DaqProcesses.out(logs, "daemon");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String tail(String text, int chars) {
        return text.length() <= chars ? text : "…" + text.substring(text.length() - chars);
    }

    /** Polls {@code condition} until it holds, failing with the daemon's log after {@code within}. */
    private static void await(Process daemon, Path logs, XrootdServer storage, String what, Duration within, BooleanSupplier condition)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(within);
        while (!condition.getAsBoolean()) {
            assertThat(daemon.isAlive()).as("the daemon died while waiting for: %s; its log:%n%s", what, log(logs)).isTrue();
            assertThat(Instant.now()).as("waited %s for: %s; the daemon's log:%n%s%nthe storage's log (end):%n%s", within, what,
                    log(logs), tail(storage.log(), 6000)).isBefore(deadline);
            daemon.waitFor(200, TimeUnit.MILLISECONDS);
        }
    }
}
