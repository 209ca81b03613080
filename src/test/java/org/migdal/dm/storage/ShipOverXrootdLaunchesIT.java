package org.migdal.dm.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DaqTestSupport;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.testinfra.XrootdServer;
import org.migdal.dm.transfer.ShipReport;
import org.migdal.dm.transfer.Shipper;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shipping to a real XRootD server costs at most two tool launches per file, and the storage's adler32 is asked once per
 * file. Counted outside the code under test: {@code xrdcp} and {@code xrdfs} are wrapper scripts that log each launch
 * (and each command an xrdfs reads on its stdin) before running the real tool.
 */
class ShipOverXrootdLaunchesIT {
    static final String RUN = "MIG_Fe55_data_220803T145447";
    static final int FILES = 6;

    @TempDir
    Path tmp;
    XrootdServer server;
    JdbcCatalog catalog;

    @BeforeEach
    void start() throws IOException {
        server = XrootdServer.startPlain();
    }

    @AfterEach
    void stop() {
        if (catalog != null) {
            catalog.close();
        }
        server.close();
    }

    /** {@code dir/xrdcp} and {@code dir/xrdfs}: log "tool args" to launches.log, xrdfs's stdin lines to commands.log. */
    static Path wrappers(Path dir) throws IOException {
        Path tools = Files.createDirectories(dir.resolve("tools"));
        for (String tool : List.of("xrdcp", "xrdfs")) {
            Path real = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                    .map(d -> Path.of(d, tool)).filter(Files::isExecutable).findFirst().orElseThrow();
            String body = "#!/bin/sh\necho \"" + tool + " $*\" >> '" + dir.resolve("launches.log") + "'\n"
                    + (tool.equals("xrdfs")
                    ? "echo \"$HOME\" >> '" + dir.resolve("homes.log") + "'\n"
                    + "tee -a '" + dir.resolve("commands.log") + "' | '" + real + "' \"$@\"\n"
                    : "exec '" + real + "' \"$@\"\n");
            Path w = Files.writeString(tools.resolve(tool), body);
            Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return tools;
    }

    static List<String> lines(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void atMostTwoLaunchesPerFileAndOneChecksumQueryPerFile() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("daq"));
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i < FILES; i++) {
            byte[] b = DaqTestSupport.bytes(3 * 1024 * 1024 + i, i);
            contents.add(b);
            DaqTestSupport.write(disk.resolve(RUN + "/" + RUN + ".CAL.000" + i + ".dat"), b);
        }
        DaqTestSupport.flag(disk);
        Path tools = wrappers(tmp);
        catalog = DaqTestSupport.catalog(tmp.resolve("catalog.db"), "test:1:1", 3, Duration.ofHours(1), Clock.systemUTC());
        MigdalConfig.Daq daq = DaqTestSupport.daq(disk);
        assertThat(new Scanner(daq, catalog, Clock.systemUTC()).scan().registered()).isEqualTo(FILES);
        try (XrootdEndpoint xroot = new XrootdEndpoint(URI.create(server.rootBase() + "//migdal"), StorageAuth.none(),
                XrootdEndpoint.DEFAULT_CONNECT_WINDOW, XrootdEndpoint.DEFAULT_REQUEST_TIMEOUT, tools)) {
            Marker.write(xroot, "test", Instant.now());
            // truncated, not deleted: the xrdfs session started for the marker is kept and goes on appending
            Files.write(tmp.resolve("launches.log"), new byte[0]);
            Files.write(tmp.resolve("commands.log"), new byte[0]);
            long before = xroot.launches();
            GuardedEndpoint storage = GuardedEndpoint.of(xroot, Clock.systemUTC());

            ShipReport r = new Shipper(daq, 1, catalog, storage).ship(n -> { });

            assertThat(r.shipped()).isEqualTo(FILES);
            List<String> launches = lines(tmp.resolve("launches.log"));
            assertThat(launches).as("launches: %s", launches).hasSizeLessThanOrEqualTo(2 * FILES)
                    .filteredOn(l -> l.startsWith("xrdcp")).hasSize(FILES);
            assertThat(xroot.launches() - before).as("the endpoint's own count").isEqualTo(launches.size());
        }
        // the sessions had homes of their own (xrdfs writes its history there), removed when they ended
        List<String> homes = lines(tmp.resolve("homes.log"));
        assertThat(homes).isNotEmpty().doesNotContain(System.getenv("HOME"))
                .allSatisfy(h -> assertThat(Path.of(h)).doesNotExist());
        // the sessions have ended (close), so every command they read is in the log
        List<String> commands = lines(tmp.resolve("commands.log"));
        assertThat(commands).filteredOn(c -> c.startsWith("query checksum")).as("checksum queries in %s", commands).hasSize(FILES);
        assertThat(commands).filteredOn(c -> c.startsWith("mv ")).hasSize(FILES);
        for (CatalogFile f : catalog.list(FileFilter.all(100))) {
            assertThat(f.state()).isEqualTo(FileState.ON_DISK_STORAGE);
            assertThat(f.localDeletedAt()).as("DAQ copy deleted").isNotNull();
            int i = Integer.parseInt(f.lfn().substring(f.lfn().length() - 5, f.lfn().length() - 4));
            assertThat(server.dataDir().resolve("migdal" + f.lfn())).hasBinaryContent(contents.get(i));
            assertThat(f.adler32()).isEqualTo(DaqTestSupport.adler32(contents.get(i)));
        }
    }
}
