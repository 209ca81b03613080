package org.migdal.dm.cli;

import org.migdal.dm.metrics.MetricsPage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/** {@code migdal-dm metrics}: the text of {@code /metrics} once, for cron and node_exporter's textfile collector. */
@Command(name = "metrics", mixinStandardHelpOptions = true, description = "Print the Prometheus metrics (the text /metrics serves)"
        + " once; read-only. --output writes them to a file atomically (node_exporter's textfile collector).")
final class MetricsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Option(names = "--output", paramLabel = "FILE", description = "write to FILE (through a temporary beside it, renamed into"
            + " place) instead of stdout")
    Path output;

    @Override
    public Integer call() throws Exception {
        try (Context ctx = new Context(main.loadConfig())) {
            MetricsPage page = new MetricsPage(ctx.overviews(), ctx.catalog());
            if (output == null) {
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                page.write(text);
                main.spec.commandLine().getOut().print(text.toString(StandardCharsets.UTF_8));
                main.spec.commandLine().getOut().flush();
                return Main.OK;
            }
            Path target = output.toAbsolutePath();
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    page.write(out);
                }
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return Main.OK;
        }
    }
}
