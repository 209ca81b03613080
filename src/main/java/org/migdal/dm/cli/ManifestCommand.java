package org.migdal.dm.cli;

import org.migdal.dm.catalog.RunSummary;
import org.migdal.dm.catalog.Runs;
import org.migdal.dm.custody.ManifestWriter;
import org.migdal.dm.storage.Endpoints;
import org.migdal.dm.storage.StorageAuth;
import org.migdal.dm.storage.StorageEndpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code manifest RUN}: the run's custody record ({@link ManifestWriter}), streamed to stdout or written to {@code --out}
 * atomically (a temporary beside it, synced, then renamed over it: a half-written manifest never has the final name).
 * Exit 0 when every file is on tape, 1 when some are not (the manifest says which, at the top), 2 for a run the catalog
 * does not know.
 */
@Command(name = "manifest", mixinStandardHelpOptions = true,
        description = {"Write a run's custody record: every file with its size and adler32, its compressed copy's name, size and"
                + " adler32, its tape URL, and when and by what evidence the tape copy was confirmed. Files not on tape are listed"
                + " first; a SHA-256 digest of the file list ends it.",
                "Exit 0: the run is complete; 1: some files are not on tape (the manifest is still written); 2: unknown run or usage."})
final class ManifestCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(paramLabel = "RUN", description = "run folder, e.g. MIG_Fe55_data_220803T145447 (see `migdal-dm runs`)")
    String run;

    @ArgGroup(exclusive = true)
    FormatChoice format = new FormatChoice();

    static final class FormatChoice {
        @Option(names = "--json", description = "JSON")
        boolean json;

        @Option(names = "--text", description = "aligned text, one file per line (the default)")
        boolean text;
    }

    @Option(names = "--out", paramLabel = "FILE", description = "write to FILE (atomically: it appears only once complete) instead of stdout")
    Path outFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = main.spec.commandLine().getErr();
        try (Context ctx = new Context(main.loadConfig()); StorageEndpoint tape = Endpoints.open(ctx.config.storage().tape(), StorageAuth.none())) {
            Runs runs = new Runs(ctx.catalog());
            ManifestWriter.About about = new ManifestWriter.About(Instant.now(ctx.clock).truncatedTo(java.time.temporal.ChronoUnit.MILLIS), Main.VERSION, ctx.catalog().toString(),
                    tape.base().toString());
            ManifestWriter.Format f = format.json ? ManifestWriter.Format.JSON : ManifestWriter.Format.TEXT;
            Optional<RunSummary> written;
            if (outFile == null) {
                written = ManifestWriter.write(runs, run, f, about, tape::urlOf, main.spec.commandLine().getOut());
            } else {
                written = writeAtomically(outFile, out -> ManifestWriter.write(runs, run, f, about, tape::urlOf, out));
            }
            if (written.isEmpty()) {
                err.println("no file of run " + run + " in the catalog " + ctx.catalog() + " (see `migdal-dm runs`)");
                return Main.USAGE;
            }
            RunSummary s = written.get();
            if (outFile != null) {
                main.spec.commandLine().getOut().println("manifest of run " + run + " written to " + outFile + ": " + RunsCommand.line(s));
            }
            if (!s.complete()) {
                err.println("run " + run + " is not complete: " + s.notOnTape() + " of " + s.files() + " files are not on tape ("
                        + s.notOnTapeStates() + ")");
                return Main.FAILURE;
            }
            return Main.OK;
        }
    }

    @FunctionalInterface
    interface Writing {
        Optional<RunSummary> write(Writer out) throws IOException;
    }

    /**
     * Writes to a hidden temporary beside {@code target}, syncs it, and renames it over {@code target} only when the writing
     * succeeded and found the run; otherwise the temporary is removed and {@code target} is left as it was.
     */
    static Optional<RunSummary> writeAtomically(Path target, Writing writing) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".part");
        boolean done = false;
        try {
            Optional<RunSummary> s;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 Writer out = new OutputStreamWriter(java.nio.channels.Channels.newOutputStream(ch), StandardCharsets.UTF_8)) {
                s = writing.write(out);
                out.flush();
                ch.force(true);
            }
            if (s.isPresent()) {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                done = true;
            }
            return s;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
