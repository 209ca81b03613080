package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.testinfra.XrootdServer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The quickstart pointed at a real local XRootD server by changing only the two storage URLs in its configuration:
 * raw files go to disk storage over {@code root://}, compressed copies to "tape" over {@code http://} (WebDAV).
 * Every file is checked with an independent client ({@code xrdfs query checksum}) and against the server's disk.
 */
class QuickstartOverXrootdIT {
    @TempDir
    Path dir;

    static int run(String... args) {
        StringWriter out = new StringWriter();
        int rc = Main.commandLine(new PrintWriter(out, true), new PrintWriter(out, true)).execute(args);
        System.out.println(out);
        return rc;
    }

    @Test
    void theQuickstartRunsOverXrootAndWebdavWithOnlyTheUrlsChanged() throws Exception {
        Path base = dir.resolve("qs");
        assertThat(run("quickstart", "--dir", base.toString(), "--file-mib", "1")).isZero();
        Path config = base.resolve("migdal-dm.yaml");
        try (XrootdServer server = XrootdServer.startPlain()) {
            String yaml = Files.readString(config);
            String changed = yaml
                    .replace("disk: " + base.resolve("storage").toUri(), "disk: " + server.rootBase() + "//dcache/migdal")
                    .replace("tape: " + base.resolve("tape").toUri(), "tape: " + server.httpBase() + "/antares/migdal");
            assertThat(changed).as("both URLs replaced").doesNotContain("file:");
            Files.writeString(config, changed);

            assertThat(run("quickstart", "--dir", base.toString(), "--file-mib", "1")).isZero();

            try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + base.resolve("catalog.db"), null, null,
                    new ClaimPolicy("check:1:0", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 2)) {
                List<CatalogFile> all = catalog.list(FileFilter.all(1000));
                assertThat(all).allSatisfy(f -> assertThat(f.state()).isEqualTo(FileState.ON_TAPE));
                List<CatalogFile> overXrootd = all.stream()
                        .filter(f -> Files.exists(server.dataDir().resolve("dcache/migdal" + f.lfn()))).toList();
                assertThat(overXrootd).as("the refill went through the XRootD server").hasSize(12);
                for (CatalogFile f : overXrootd) {
                    Path raw = server.dataDir().resolve("dcache/migdal" + f.lfn());
                    assertThat(adler32(raw)).isEqualTo(f.adler32());
                    assertThat(xrdfsChecksum(server, "/dcache/migdal" + f.lfn())).isEqualTo(f.adler32());
                    Path onTape = server.dataDir().resolve("antares/migdal" + f.compressedName());
                    assertThat(adler32(onTape)).isEqualTo(f.compressedAdler32());
                    assertThat(Files.size(onTape)).isEqualTo(f.compressedSize());
                    assertThat(f.localDeletedAt()).isNotNull();
                }
            }
        }
    }

    static String adler32(Path p) throws Exception {
        Adler32 a = new Adler32();
        a.update(Files.readAllBytes(p));
        return String.format("%08x", a.getValue());
    }

    static String xrdfsChecksum(XrootdServer server, String path) throws Exception {
        Process p = new ProcessBuilder("xrdfs", "localhost:" + server.xrootPort(), "query", "checksum", path)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.split("\\s+")[1];
    }
}
