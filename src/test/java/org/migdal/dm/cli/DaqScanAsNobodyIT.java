package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.JdbcCatalog;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.migdal.dm.cli.DaqProcesses.assertExit;
import static org.migdal.dm.cli.DaqProcesses.err;

/**
 * Unreadable files, honestly: root reads everything, so {@code scan} runs in a child JVM as {@code nobody}
 * (setpriv) against a disk holding a folder nobody can traverse and a file nobody can read.
 */
class DaqScanAsNobodyIT {
    @TempDir
    Path tmp;

    private static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    /** The class path copied where {@code nobody} can read it (the Maven repository is under /root, mode 0700). */
    private static String readableClassPath(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path src = Path.of(entry);
            if (!Files.exists(src)) {
                continue;
            }
            Path dst = dir.resolve((i++) + "-" + src.getFileName());
            if (Files.isDirectory(src)) {
                try (Stream<Path> s = Files.walk(src)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        Path t = dst.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(t);
                            chmod(t, "rwxr-xr-x");
                        } else {
                            Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                            chmod(t, "rw-r--r--");
                        }
                    }
                }
            } else {
                Files.copy(src, dst);
                chmod(dst, "rw-r--r--");
            }
            out.add(dst.toString());
        }
        return String.join(File.pathSeparator, out);
    }

    @Test
    void unreadableFilesAndFoldersAreReportedAndKept() throws Exception {
        assertThat(System.getProperty("user.name")).as("this test needs root to switch to nobody").isEqualTo("root");
        chmod(tmp, "rwxr-xr-x");
        String cp = readableClassPath(tmp.resolve("cp"));
        Path state = Files.createDirectories(tmp.resolve("state"));
        chmod(state, "rwxrwxrwx");
        Path daq = Files.createDirectories(tmp.resolve("daq"));
        chmod(daq, "rwxr-xr-x");
        Path disk = Files.createDirectories(daq.resolve("data1"));
        chmod(disk, "rwxrwxrwx"); // the DAQ account may remove the flag
        Path storage = org.migdal.dm.testinfra.Markers.initialised(tmp.resolve("storage"));
        Path tape = org.migdal.dm.testinfra.Markers.initialised(tmp.resolve("tape"));

        String open = "MIG_open_data_220803T145447";
        Path openDir = Files.createDirectories(disk.resolve(open));
        chmod(openDir, "rwxr-xr-x");
        Path readable = openDir.resolve(open + ".CAL.0000.dat");
        Files.write(readable, new byte[]{1, 2, 3});
        chmod(readable, "rw-r--r--");
        Path unreadable = openDir.resolve(open + ".CAL.0001.dat");
        Files.write(unreadable, new byte[]{4, 5, 6, 7});
        chmod(unreadable, "---------");
        String secret = "MIG_secret_data_220803T150000";
        Path secretDir = Files.createDirectories(disk.resolve(secret));
        Path hidden = secretDir.resolve(secret + ".CAL.0000.dat");
        Files.write(hidden, new byte[]{8, 9});
        chmod(secretDir, "---------");
        Files.writeString(disk.resolve("ReadyToTransfer"), "");

        Path db = state.resolve("catalog.db");
        Path config = tmp.resolve("migdal-dm.yaml");
        Files.writeString(config, DaqProcesses.config(db, List.of(disk), storage, tape, state, 1));
        chmod(config, "rw-r--r--");
        Path logs = tmp.resolve("logs");

        Process scan = DaqProcesses.start(logs, "scan-as-nobody",
                List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"), cp, Main.class.getName(),
                "-c", config.toString(), "scan");
        assertExit(logs, "scan-as-nobody", scan, 1, 180);

        String err = err(logs, "scan-as-nobody");
        assertThat(err).contains("problem: data1:" + secret + ": cannot be read");
        assertThat(err).contains("problem: data1:" + open + "/" + open + ".CAL.0001.dat: is not readable by this account");
        // it really ran as nobody: the catalog it created belongs to nobody
        assertThat(Files.getOwner(db, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo("nobody");

        chmod(secretDir, "rwx------");
        assertThat(hidden).hasBinaryContent(new byte[]{8, 9});
        assertThat(unreadable).hasBinaryContent(new byte[]{4, 5, 6, 7});
        assertThat(readable).exists();
        assertThat(disk.resolve("ReadyToTransfer")).doesNotExist(); // the listing (of what could be read) is committed
        try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + db, null, null,
                new ClaimPolicy("test-observer:0:0", Duration.ofMinutes(30), 5, Duration.ZERO), Clock.systemUTC(), 2)) {
            assertThat(catalog.list(FileFilter.all(10))).extracting(CatalogFile::localPath)
                    .containsExactly(open + "/" + open + ".CAL.0000.dat");
        }
    }
}
