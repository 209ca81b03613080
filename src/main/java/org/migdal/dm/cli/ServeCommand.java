package org.migdal.dm.cli;

import org.migdal.dm.web.Dashboard;
import org.migdal.dm.web.Listen;
import org.migdal.dm.web.WebServer;
import org.migdal.dm.web.WebServerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;

/** {@code serve}: the read-only dashboard, JSON API and /metrics until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve the read-only web dashboard, its JSON API (/api/) and /metrics until stopped (SIGTERM, Ctrl-C).")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

    @ParentCommand
    Main main;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "address to listen on (default: web.listen of the config, else 127.0.0.1:8080); the dashboard has no"
                    + " authentication, so another address than the loopback one is logged as a warning")
    String listen;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        try (Context ctx = new Context(main.loadConfig())) {
            WebServer server = start(ctx, listen, null);
            if (server == null) {
                return Main.USAGE;
            }
            try (server) {
                StopSignals.install(stop);
                main.spec.commandLine().getOut().println("dashboard at " + server.url());
                main.spec.commandLine().getOut().flush();
                stop.await();
            }
            return Main.OK;
        } catch (WebServerException e) {
            main.spec.commandLine().getErr().println("error: " + e.getMessage());
            return Main.FAILURE;
        }
    }

    /**
     * Starts the dashboard of {@code ctx} on {@code option} (null: the config's {@code web.listen}); {@code cycles}: the
     * daemon's cycle count, or null. Returns null (after saying why) when the address is not HOST:PORT; throws
     * {@link WebServerException} when it cannot listen there.
     */
    static WebServer start(Context ctx, String option, LongSupplier cycles) {
        Listen where;
        try {
            where = Listen.parse(option != null && !option.isEmpty() ? option : ctx.config.web().listen());
            if (!where.loopback()) {
                log.warn("the dashboard listens on {}, which is not a loopback address, and has no authentication: anyone who can"
                        + " reach it can read the whole catalog", where);
            }
        } catch (IllegalArgumentException e) {
            log.error("--listen / web.listen: {}", e.getMessage());
            return null;
        }
        Dashboard dashboard = new Dashboard(ctx.catalog(), ctx.overviews(), ctx.clock, cycles);
        WebServer server = WebServer.start(where, dashboard, ctx.metrics());
        log.info("dashboard listening on {}", server.url());
        return server;
    }
}
