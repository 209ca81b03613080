package org.migdal.dm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts the real CLI (or a test helper) in a child JVM with this JVM's class path. */
final class DaqProcesses {
    private DaqProcesses() {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A child JVM running {@code mainClass}; stdout and stderr go to {@code <logs>/<name>.out|.err}. */
    static Process start(Path logs, String name, List<String> prefix, String classPath, String mainClass, String... args)
            throws IOException {
        return start(logs, name, Map.of(), prefix, classPath, mainClass, args);
    }

    /** As {@link #start(Path, String, List, String, String, String...)} with {@code env} added to the child's environment. */
    static Process start(Path logs, String name, Map<String, String> env, List<String> prefix, String classPath, String mainClass,
                         String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(java());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        Files.createDirectories(logs);
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(logs.resolve(name + ".out").toFile())
                .redirectError(logs.resolve(name + ".err").toFile());
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().putAll(env);
        return pb.start();
    }

    /** {@code migdal-dm -c CONFIG args…} in a child JVM. */
    static Process cli(Path logs, String name, Path config, String... args) throws IOException {
        return cli(logs, name, Map.of(), config, args);
    }

    /** {@code migdal-dm -c CONFIG args…} in a child JVM whose environment has {@code env} added (e.g. a stand-in pool's). */
    static Process cli(Path logs, String name, Map<String, String> env, Path config, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("-c", config.toString()));
        all.addAll(List.of(args));
        return start(logs, name, env, List.of(), System.getProperty("java.class.path"), Main.class.getName(), all.toArray(String[]::new));
    }

    /** Waits (bounded) for a child to exit and returns its exit code. */
    static int exitCode(Process p, int seconds) throws InterruptedException {
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("process " + p.pid() + " did not finish within " + seconds + " s");
        }
        return p.exitValue();
    }

    static String err(Path logs, String name) throws IOException {
        return Files.readString(logs.resolve(name + ".err"));
    }

    static String out(Path logs, String name) throws IOException {
        return Files.readString(logs.resolve(name + ".out"));
    }

    static void assertExit(Path logs, String name, Process p, int expected, int seconds) throws Exception {
        int code = exitCode(p, seconds);
        assertThat(code).as("exit code of %s; stdout:%n%s%nstderr:%n%s", name, out(logs, name), err(logs, name)).isEqualTo(expected);
    }

    /** A configuration for one DAQ machine; {@code lockDir} may differ between processes sharing a catalog. */
    static String config(Path catalogDb, List<Path> disks, Path storage, Path tape, Path lockDir, int threads) {
        StringBuilder d = new StringBuilder();
        for (int i = 0; i < disks.size(); i++) {
            d.append("    - {name: data").append(i + 1).append(", path: '").append(disks.get(i)).append("'}\n");
        }
        return """
                catalog:
                  url: 'sqlite:%s'
                daq:
                  disks:
                %s
                storage:
                  disk: '%s'
                  tape: '%s'
                transfer:
                  threads: %d
                  retryBackoffSeconds: 0
                lockDir: '%s'
                """.formatted(catalogDb, d.toString().stripTrailing(), storage.toUri(), tape.toUri(), threads, lockDir);
    }
}
