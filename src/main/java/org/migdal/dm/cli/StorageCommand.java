package org.migdal.dm.cli;

import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code storage init}: writes the marker file at the base of the configured storage and tape endpoints. */
@Command(name = "storage", mixinStandardHelpOptions = true, description = "Storage endpoint set-up.",
        subcommands = {StorageCommand.Init.class, StorageCommand.Probe.class})
final class StorageCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Main.USAGE;
    }

    @Command(name = "probe", mixinStandardHelpOptions = true,
            description = "Probe storage.disk and storage.tape now (marker file, with their credentials) and record UP or DOWN,"
                    + " without waiting for the backoff: after an outage is fixed, work resumes at the next cycle.")
    static final class Probe implements Callable<Integer> {
        @ParentCommand
        StorageCommand parent;

        @Override
        public Integer call() throws Exception {
            Main main = parent.main;
            PrintWriter out = main.spec.commandLine().getOut();
            try (Context ctx = new Context(main.loadConfig())) {
                boolean ok = true;
                for (String url : new String[]{ctx.config.storage().disk(), ctx.config.storage().tape()}) {
                    StorageEndpoint e;
                    try {
                        e = url.equals(ctx.config.storage().disk()) ? ctx.disk() : ctx.tape();
                    } catch (RuntimeException ex) {
                        ok = false;
                        out.println("DOWN " + url + ": " + ex.getMessage());
                        continue;
                    }
                    java.util.Optional<String> down = ctx.health().probeNow(e);
                    ok &= down.isEmpty();
                    out.println(down.map(why -> "DOWN " + why).orElse("UP   " + e.base()));
                }
                return ok ? Main.OK : Main.FAILURE;
            }
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Write the marker file " + Marker.NAME + " at the base of storage.disk and storage.tape. An endpoint"
                    + " without it is DOWN: nothing is sent to it, nothing deleted on its word. Run it once, on the right storage.")
    static final class Init implements Callable<Integer> {
        @ParentCommand
        StorageCommand parent;

        @Option(names = "--create-base", description = "create a missing file:// base folder (never a mount point's parent)")
        boolean createBase;

        @Override
        public Integer call() throws Exception {
            Main main = parent.main;
            PrintWriter out = main.spec.commandLine().getOut();
            PrintWriter err = main.spec.commandLine().getErr();
            try (Context ctx = new Context(main.loadConfig())) {
                boolean ok = init("storage.disk", ctx.config.storage().disk(), ctx, out, err);
                ok &= init("storage.tape", ctx.config.storage().tape(), ctx, out, err);
                return ok ? Main.OK : Main.FAILURE;
            }
        }

        private boolean init(String key, String url, Context ctx, PrintWriter out, PrintWriter err) {
            try {
                StorageEndpoint e = ctx.unguarded(url);
                if (e.base().getScheme().equals("file")) {
                    Path base = Path.of(e.base());
                    if (!Files.isDirectory(base)) {
                        if (!createBase) {
                            err.println(key + ": " + base + " does not exist; is the storage mounted? (--create-base creates it)");
                            return false;
                        }
                        Files.createDirectories(base);
                    }
                }
                boolean written = Marker.ensure(e, ClaimPolicy.thisProcessOwner(), ctx.clock.instant());
                Marker.require(e);
                ctx.catalog().endpointUp(e.base().toString());
                out.println(key + ": " + (written ? "wrote " : "") + e.urlOf(Marker.NAME) + (written ? "" : " already present"));
                return true;
            } catch (StorageException | java.io.IOException | RuntimeException ex) {
                err.println(key + ": cannot write the marker at " + url + ": " + ex.getMessage());
                return false;
            }
        }
    }
}
