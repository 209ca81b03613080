package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** What a command-line start builds and loads: only the subcommand named, and for --version or --help no heavy library. */
class StartupTest {
    @TempDir
    Path dir;

    @Test
    void theCommandWordSkipsTheTopOptionsAndTheConfigurationFile() {
        assertThat(Main.commandWord("-c", "status", "ls")).isEqualTo("ls");
        assertThat(Main.commandWord("--config", "x.yaml", "-q", "status", "--json")).isEqualTo("status");
        assertThat(Main.commandWord("--config=show", "-v", "show", "LFN")).isEqualTo("show");
        assertThat(Main.commandWord("-qc", "ls", "status")).isEqualTo("status");
        assertThat(Main.commandWord("--version")).isEmpty();
        assertThat(Main.commandWord()).isEmpty();
    }

    private static List<String> subcommands(String... args) {
        PrintWriter w = new PrintWriter(new StringWriter());
        return List.copyOf(Main.commandLine(w, w, args).getSubcommands().keySet());
    }

    @Test
    void onlyTheNamedSubcommandIsBuiltAndEveryOneForHelpOrAnUnknownWord() {
        assertThat(subcommands("-c", "x.yaml", "status", "--json")).containsExactly("status");
        assertThat(subcommands("bench", "all", "--only", "cli")).containsExactly("bench");
        List<String> all = subcommands("--help");
        assertThat(all).hasSize(Main.commands().size()).contains("status", "ls", "show", "help", "bench", "doctor");
        assertThat(subcommands("help", "ls")).isEqualTo(all);
        assertThat(subcommands("stauts")).isEqualTo(all);
        assertThat(subcommands()).isEqualTo(all);

        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "stauts").execute("stauts");
        assertThat(code).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("Did you mean: migdal-dm status");
    }

    private record Started(int code, String out, List<String> loaded) {
    }

    /** Runs the jar's entry point in a JVM of its own that logs every class it loads (to a file: no pipe to fill). */
    private static Started start(Path dir, String... args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path classes = dir.resolve("classes.txt");
        Path out = dir.resolve("out.txt");
        List<String> command = Stream.concat(Stream.of(java.toString(), "-Xshare:auto", "-Xlog:class+load=info:file=" + classes + ":none",
                "-cp", System.getProperty("java.class.path"), Entry.class.getName()), Stream.of(args)).toList();
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        List<String> loaded = Files.readAllLines(classes, StandardCharsets.UTF_8).stream().map(l -> l.split(" ")[0]).toList();
        return new Started(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), loaded);
    }

    @Test
    void versionPrintsTheVersionAndLoadsNeitherPicocliNorLoggingNorJacksonNorTheCatalog() throws Exception {
        Started s = start(dir, "--version");
        assertThat(s.code()).isZero();
        assertThat(s.out()).isEqualTo(Main.VERSION + "\n");
        assertThat(s.loaded()).contains(Entry.class.getName())
                .noneMatch(c -> c.startsWith("picocli.") || c.startsWith("ch.qos.logback") || c.startsWith("com.fasterxml.jackson")
                        || c.startsWith("org.flywaydb") || c.startsWith("org.migdal.dm.catalog") || c.equals(Main.class.getName()));
    }

    @Test
    void helpInitialisesNoCatalogNoFlywayNoJacksonAndNoLogbackXml() throws Exception {
        Started s = start(dir, "--help");
        assertThat(s.code()).isZero();
        assertThat(s.out()).contains("Usage: migdal-dm").contains("status").contains("bench");
        assertThat(s.loaded()).contains(Main.class.getName())
                .noneMatch(c -> c.startsWith("org.flywaydb") || c.startsWith("com.zaxxer.hikari") || c.startsWith("org.sqlite")
                        || c.startsWith("com.fasterxml.jackson.databind.ser") || c.startsWith("ch.qos.logback.classic.joran")
                        || c.startsWith("ch.qos.logback.core.joran.spi.JoranConfigurator") || c.equals("org.migdal.dm.catalog.Schema"));
    }
}
