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
@Command(name = "daemon", description = "Run cycles of a role every --interval seconds until stopped (SIGTERM finishes the cycle first).")
final class DaemonCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);

    @ParentCommand
    Main main;

    @Option(names = "--role", required = true, description = "daq, grid or all")
    String role;

    @Option(names = "--interval", defaultValue = "300", description = "seconds between cycles (default ${DEFAULT-VALUE})")
    long interval;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "daemon-stop"));
        try (Context ctx = new Context(main.loadConfig())) {
            while (true) {
                try {
                    int rc = RunCommand.runLocked(ctx, role, main.spec.commandLine().getOut(), main.spec.commandLine().getErr());
                    log.info("cycle ended with exit code {}", rc);
                } catch (RuntimeException e) {
                    log.error("cycle failed: {}", e.getMessage(), e);
                }
                if (stop.await(interval, TimeUnit.SECONDS)) {
                    return Main.OK;
                }
            }
        }
    }
}
