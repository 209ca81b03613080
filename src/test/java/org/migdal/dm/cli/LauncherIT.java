package org.migdal.dm.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * bin/migdal-dm with its start-up cache, on a copy of the packaged jar in a folder of its own: the first command works
 * and leaves the cache to a background run; later commands map it; a rebuilt jar gets a new one; a cache that cannot be
 * used, or cannot be made, never fails a command.
 */
class LauncherIT {
    @TempDir
    Path home;

    private Path launcher;
    private Path jar;
    private Path config;

    record Run(int code, String out, String err) {
    }

    @BeforeEach
    void install() throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        launcher = Files.copy(Path.of("bin", "migdal-dm"), bin.resolve("migdal-dm"));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        jar = Files.copy(Path.of(System.getProperty("migdal.jar", "target/migdal-dm.jar")),
                Files.createDirectories(home.resolve("target")).resolve("migdal-dm.jar"));
        config = home.resolve("migdal-dm.yaml");
        Files.writeString(config, """
                catalog: {url: "sqlite:%1$s/catalog.db"}
                daq: {disks: [{name: data1, path: "%1$s/data1"}]}
                storage: {disk: "%2$s", tape: "%2$s"}
                archive: {workDir: "%1$s/work"}
                lockDir: "%1$s"
                """.formatted(home, home.resolve("storage").toUri()));
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()), Stream.of(args)).toList());
        pb.environment().remove("MIGDAL_JAVA_OPTS");
        pb.environment().remove("MIGDAL_CDS");
        pb.environment().putAll(env);
        Path out = home.resolve("out.txt");
        Path err = home.resolve("err.txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("migdal-dm %s finished", List.of(args)).isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private Optional<Path> cache() throws IOException {
        try (Stream<Path> s = Files.list(home.resolve("target"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("migdal-dm-cache") && Files.isDirectory(p)
                    && !p.getFileName().toString().endsWith(".lock")).filter(p -> !p.getFileName().toString().matches(".*\\.\\d+$"))
                    .findFirst();
        }
    }

    private boolean cacheReady() throws IOException {
        Optional<Path> c = cache();
        try (Stream<Path> s = Files.list(home.resolve("target"))) {
            boolean locked = s.anyMatch(p -> p.getFileName().toString().endsWith(".lock"));
            return !locked && c.isPresent() && Files.isRegularFile(c.get().resolve("classes.jsa"))
                    && Files.getLastModifiedTime(c.get().resolve("classes.jsa")).compareTo(Files.getLastModifiedTime(jar)) > 0;
        }
    }

    @Test
    void theFirstCommandWorksAndLaterOnesMapTheCacheThatARebuiltJarReplaces() throws Exception {
        Run version = run(Map.of(), "--version");
        assertThat(version).isEqualTo(new Run(0, "migdal-dm 0.1.0\n", ""));

        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(this::cacheReady);
        Path jsa = cache().orElseThrow().resolve("classes.jsa");
        assertThat(cache().orElseThrow().resolve("native")).isDirectoryContaining("glob:**sqlitejdbc*");
        // -Xshare:on: the JVM fails to start unless it maps the archive
        Run status = run(Map.of("MIGDAL_JAVA_OPTS", "-XX:+UseSerialGC -Xshare:on"), "-c", config.toString(), "status");
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).contains("(the catalog is empty)");

        FileTime before = Files.getLastModifiedTime(jsa);
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(2))); // a rebuilt jar
        Run stale = run(Map.of(), "-c", config.toString(), "ls");
        assertThat(stale.code()).as("%s", stale).isZero();
        assertThat(stale.out()).contains("-- 0–0 of 0");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(this::cacheReady);
        assertThat(Files.getLastModifiedTime(cache().orElseThrow().resolve("classes.jsa"))).isGreaterThan(before);
    }

    @Test
    void aCacheThatCannotBeUsedOrMadeNeverFailsACommand() throws Exception {
        Path broken = Files.createDirectories(home.resolve("target").resolve("migdal-dm-cache_broken"));
        // a launcher configured with JAVA=<this path> looks for its cache under that name
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path cacheDir = home.resolve("target").resolve("migdal-dm-cache" + java.replaceAll("[^A-Za-z0-9]", "_"));
        Files.move(broken, cacheDir);
        Files.writeString(Files.createDirectories(cacheDir.resolve("native")).resolve("libsqlitejdbc.so"), "not a library");
        Files.writeString(cacheDir.resolve("classes.jsa"), "not an archive");
        Files.setLastModifiedTime(cacheDir.resolve("classes.jsa"), FileTime.from(Instant.now().plusSeconds(5)));

        Run status = run(Map.of("JAVA", java), "-c", config.toString(), "status");
        assertThat(status.code()).as("%s", status).isZero();
        assertThat(status.out()).contains("(the catalog is empty)");
        assertThat(run(Map.of("JAVA", java), "--version").out()).isEqualTo("migdal-dm 0.1.0\n");

        // another training run holds the lock: this command neither waits nor trains
        Files.delete(cacheDir.resolve("classes.jsa"));
        Files.createDirectories(Path.of(cacheDir + ".lock"));
        Run locked = run(Map.of("JAVA", java), "-c", config.toString(), "show", "/2022/20220803/none.dat");
        assertThat(locked.code()).as("%s", locked).isEqualTo(1);
        assertThat(locked.err()).contains("no file /2022/20220803/none.dat in the catalog");
        assertThat(cacheDir.resolve("classes.jsa")).doesNotExist();

        // MIGDAL_CDS=off: neither made nor used
        Files.delete(Path.of(cacheDir + ".lock"));
        Run off = run(Map.of("JAVA", java, "MIGDAL_CDS", "off"), "-c", config.toString(), "status");
        assertThat(off.code()).as("%s", off).isZero();
        assertThat(Path.of(cacheDir + ".lock")).doesNotExist();
        assertThat(cacheDir.resolve("classes.jsa")).doesNotExist();
    }
}
