package org.migdal.dm.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code daemon}: the same cycle as {@code run}, repeated on a schedule until stopped. */
@Command(name = "daemon", mixinStandardHelpOptions = true, description = "Run cycles of a role every --interval seconds until stopped; SIGTERM lets the running cycle finish first.")
final class DaemonCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);

    @ParentCommand
    Main main;

    @Option(names = "--role", required = true, description = "daq, grid or all")
    String role;

    @Option(names = "--interval", defaultValue = "300", description = "seconds between cycles (default ${DEFAULT-VALUE})")
    long interval;

    @Option(names = "--serve", arity = "0..1", fallbackValue = "", paramLabel = "HOST:PORT",
            description = "also serve the dashboard for the daemon's whole life (on HOST:PORT, else web.listen); web.enabled: true does the same")
    String serve;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        StopSignals.install(stop); // SIGTERM, SIGINT: the loop below ends after the running cycle, and the daemon exits 0
        // any other shutdown (SIGHUP, …): no new cycle starts, and the JVM waits (up to an hour) for the running one to finish
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                if (!finished.await(1, TimeUnit.HOURS)) {
                    log.error("the running cycle did not finish within an hour of SIGTERM; stopping anyway (claims expire and are resumed)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "daemon-stop"));
        java.util.concurrent.atomic.AtomicLong cycles = new java.util.concurrent.atomic.AtomicLong();
        try (Context ctx = new Context(main.loadConfig());
             org.migdal.dm.web.WebServer dashboard = serve != null || ctx.config.web().enabled()
                     ? ServeCommand.start(ctx, serve, cycles::get) : null) {
            if ((serve != null || ctx.config.web().enabled()) && dashboard == null) {
                return Main.USAGE;
            }
            while (stop.getCount() > 0) {
                try {
                    ctx.reloadCredentialsIfChanged(); // a renewed proxy, token, CA or CRL is used from this cycle on
                    int rc = RunCommand.runLocked(ctx, role, false, main.spec.commandLine().getOut(), main.spec.commandLine().getErr());
                    log.info("cycle ended with exit code {}", rc);
                    int indexed = new org.migdal.dm.catalog.LfnIndex(ctx.catalog()).catchUp(500_000); // LFN search, off the scan's path
                    if (indexed > 0) {
                        log.info("LFN search index: {} new file(s) indexed", indexed);
                    }
                } catch (RuntimeException e) {
                    log.error("cycle failed: {}", e.getMessage(), e);
                }
                cycles.incrementAndGet(); // shown by the dashboard (/api/status: daemon.cycles)
                if (stop.await(interval, TimeUnit.SECONDS)) {
                    break;
                }
            }
            log.info("daemon stopping: the last cycle has finished");
            return Main.OK;
        } catch (org.migdal.dm.web.WebServerException e) {
            main.spec.commandLine().getErr().println("error: " + e.getMessage());
            return Main.FAILURE;
        } finally {
            finished.countDown();
        }
    }
}
