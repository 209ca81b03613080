package org.migdal.dm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.testinfra.XrootdServer;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit against a real XRootD server (disk storage over {@code root://}, tape over WebDAV): the quickstart's first
 * drain goes to file:// folders, then the configuration is pointed at the server and the refill drains there. The audit
 * of that configuration confirms every copy at the server and reports exactly the copies the catalog places at the
 * configured endpoints that are not there (the first drain's), and an unknown file it lists over {@code xrdfs ls}.
 */
class AuditOverXrootdIT {
    @TempDir
    Path dir;

    record Out(int code, String out) {
    }

    static Out run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Out(rc, out.toString());
    }

    @Test
    void copiesAtTheServerAreConfirmedAndOnlyWhatIsNotThereIsReported() throws Exception {
        Path base = dir.resolve("qs");
        assertThat(run("quickstart", "--dir", base.toString(), "--file-mib", "1").code()).isZero();
        Path config = base.resolve("migdal-dm.yaml");
        try (XrootdServer server = XrootdServer.startPlain()) {
            String yaml = Files.readString(config);
            Files.writeString(config, yaml
                    .replace("disk: " + base.resolve("storage").toUri(), "disk: " + server.rootBase() + "//dcache/migdal")
                    .replace("tape: " + base.resolve("tape").toUri(), "tape: " + server.httpBase() + "/antares/migdal"));
            assertThat(run("quickstart", "--dir", base.toString(), "--file-mib", "1").code()).isZero();
            Path stray = server.dataDir().resolve("dcache/migdal/2208/stray file.dat");
            Files.createDirectories(stray.getParent());
            Files.write(stray, new byte[]{1, 2, 3});

            Set<String> missingRaw = new TreeSet<>();
            Set<String> missingTape = new TreeSet<>();
            int atServer = 0;
            int total = 0;
            try (JdbcCatalog catalog = JdbcCatalog.open("sqlite:" + base.resolve("catalog.db"), null, null,
                    new ClaimPolicy("check:1:0", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 2)) {
                for (CatalogFile f : catalog.list(FileFilter.all(1000))) {
                    total++;
                    if (Files.exists(server.dataDir().resolve("dcache/migdal" + f.lfn()))) {
                        atServer++;
                    } else {
                        missingRaw.add(f.lfn());
                        missingRaw.add(f.compressedName());
                        missingTape.add(f.compressedName());
                    }
                }
            }
            assertThat(atServer).isEqualTo(12);
            assertThat(missingTape).as("the first drain's, at the file:// folders").hasSize(total - 12).isNotEmpty();

            Out r = run("-c", config.toString(), "audit", "--json", "--rate", "0");
            assertThat(r.code()).as(r.out()).isEqualTo(1);
            JsonNode report = new ObjectMapper().readTree(r.out());
            Set<String> storageMissing = new TreeSet<>();
            Set<String> tapeMissing = new TreeSet<>();
            Set<String> unknown = new TreeSet<>();
            Set<String> other = new TreeSet<>();
            for (JsonNode i : report.get("items")) {
                String kind = i.get("kind").asText();
                String subject = i.get("subject").asText();
                switch (kind) {
                    case "STORAGE_COPY_MISSING" -> storageMissing.add(subject);
                    case "TAPE_COPY_MISSING" -> tapeMissing.add(subject);
                    case "UNKNOWN_COPY" -> unknown.add(subject);
                    default -> other.add(kind + " " + subject);
                }
            }
            assertThat(other).isEmpty();
            assertThat(storageMissing).isEqualTo(missingRaw);
            assertThat(tapeMissing).isEqualTo(missingTape);
            assertThat(unknown).containsExactly("/2208/stray file.dat");
            assertThat(report.get("filesChecked").asLong()).isEqualTo(total);
            assertThat(report.get("complete").asBoolean()).isTrue();
            List<String> urls = report.get("items").findValuesAsText("url");
            assertThat(urls).anySatisfy(u -> assertThat(u).startsWith(server.rootBase()));
        }
    }
}
