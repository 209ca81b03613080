package org.migdal.dm.cli;

import org.migdal.dm.bench.CatalogGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The workload that the launcher runs once per jar, in the background, under {@code -XX:ArchiveClassesAtExit}: the read-only
 * commands on a small generated catalog, so that the class-data sharing archive holds the classes they load (picocli,
 * Jackson, logback, SQLite, Hikari, the catalog). Later commands map those classes instead of loading and verifying them.
 * Not for people: hidden from the help.
 */
@Command(name = "class-cache-training", hidden = true, mixinStandardHelpOptions = true, description = "load the classes of the read-only commands (for the launcher)")
final class ClassCacheTraining implements Callable<Integer> {
    /** The commands run, on a catalog of {@link #FILES} files; LFN stands for one of them. */
    static final List<List<String>> COMMANDS = List.of(List.of("status"), List.of("status", "--json"), List.of("ls", "--limit", "5"),
            List.of("ls", "--json", "--after", "2"), List.of("show", "LFN"), List.of("show", "--json", "LFN"), List.of("runs"),
            List.of("runs", "--json", "--incomplete", "--missing", "3"), List.of("--help"),
            List.of("ls", "--help"), List.of("doctor", "--help"));
    static final int FILES = 200;

    @Parameters(arity = "0..1", paramLabel = "DIR", description = "scratch folder (default: a new temporary one, removed)")
    Path dir;

    @picocli.CommandLine.Option(names = "--native", paramLabel = "DIR",
            description = "also copy SQLite's native library for this platform there (then no start extracts it again)")
    Path nativeDir;

    /** sqlite-jdbc's library for this OS and architecture, as it would extract it; the launcher names it in org.sqlite.lib.*. */
    static Path copySqliteLibrary(Path folder) throws java.io.IOException {
        String name = org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        try (java.io.InputStream in = ClassCacheTraining.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new java.io.IOException("no " + resource + " in the jar");
            }
            Path lib = Files.createDirectories(folder).resolve(name);
            Files.copy(in, lib, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return lib;
        }
    }

    @Override
    public Integer call() throws Exception {
        Path base = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("migdal-class-cache");
        try {
            CatalogGenerator.Generated g = CatalogGenerator.sqlite(base.resolve("catalog.db"), FILES);
            Path config = base.resolve("migdal-dm.yaml");
            Files.writeString(config, """
                    catalog: {url: "sqlite:%1$s/catalog.db"}
                    daq: {disks: [{name: data1, path: "%1$s/data1"}]}
                    storage: {disk: "%2$s", tape: "%2$s"}
                    archive: {workDir: "%1$s/work"}
                    lockDir: "%1$s"
                    """.formatted(base, base.resolve("storage").toUri()));
            PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
            int failed = 0;
            for (List<String> command : COMMANDS) {
                Stream<String> args = Stream.concat(Stream.of("-c", config.toString()),
                        command.stream().map(a -> a.equals("LFN") ? g.lastLfn() : a));
                String[] a = args.toArray(String[]::new);
                failed += Main.commandLine(sink, sink, a).execute(a) == Main.OK ? 0 : 1;
            }
            if (nativeDir != null) {
                copySqliteLibrary(nativeDir);
            }
            return failed == 0 ? Main.OK : Main.FAILURE;
        } finally {
            if (dir == null) {
                try (Stream<Path> walk = Files.walk(base)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }
}
