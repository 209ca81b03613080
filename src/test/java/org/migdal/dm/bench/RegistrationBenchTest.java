package org.migdal.dm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RegistrationBenchTest {

    @TempDir
    Path dir;

    /** A launcher like bin/migdal-dm, running this build's classes with the launcher's default heap. */
    private Path launcher() throws Exception {
        Path script = dir.resolve("migdal-dm");
        Files.writeString(script, "#!/bin/sh\nexec \"" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "\" -XX:+UseSerialGC -Xmx256m -cp \"" + System.getProperty("java.class.path") + "\" org.migdal.dm.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    @Test
    void quickRunRegistersEverythingAndGivesSaneFigures() throws Exception {
        StringWriter log = new StringWriter();
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        List<Figure> figures = new RegistrationBench().run(new Bench.Context(scratch, 1, true, new PrintWriter(log), launcher()));

        assertThat(figures).hasSize(5);
        // every path ran to the end: a failed registration or import would be a NaN figure naming the cause
        assertThat(figures).allSatisfy(f -> assertThat(f.ours()).as(f.path() + ": " + f.detail()).isFinite().isPositive());
        assertThat(figures.stream().filter(f -> f.unit().equals("MiB")))
                .hasSize(2).allSatisfy(f -> assertThat(f.ours()).as("a JVM's resident memory, MiB").isBetween(16.0, 4096.0));
        assertThat(log.toString()).contains("generated 5000 small files", "generated a 20000-file disk", "generated a 20000-row legacy catalog");
    }

    @Test
    void withoutALauncherTheWholeProcessFiguresAreUnmetNeverACrash() throws Exception {
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        RegistrationBench bench = new RegistrationBench();
        Bench.Context ctx = new Bench.Context(scratch, 1, true, new PrintWriter(new StringWriter()), null);

        assertThat(bench.scanWithLauncher(ctx, 10)).singleElement()
                .satisfies(f -> assertThat(f.ours()).isNaN())
                .satisfies(f -> assertThat(f.met()).isFalse())
                .satisfies(f -> assertThat(f.detail()).contains("launcher"));
        assertThat(bench.importWithLauncher(ctx, 10)).singleElement().satisfies(f -> assertThat(f.met()).isFalse());
    }
}
