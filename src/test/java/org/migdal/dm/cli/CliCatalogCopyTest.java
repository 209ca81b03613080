package org.migdal.dm.cli;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.ScanProblem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code migdal-dm catalog copy} and {@code catalog compare} through picocli: exit codes and what they print. */
class CliCatalogCopyTest {
    static final List<String> TABLES = List.of("disks", "endpoints", "file_events", "files", "recalls", "scan_problems");

    @TempDir
    Path tmp;

    private static JdbcCatalog open(String url, String user, String password) {
        return JdbcCatalog.open(url, user, password, new ClaimPolicy("cli-test", Duration.ofMinutes(10), 3, Duration.ofSeconds(1)),
                Clock.systemUTC(), 2);
    }

    private static void fill(JdbcCatalog c, int files) {
        List<NewFile> l = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            l.add(new NewFile("/2208/220803/MIG_r/MIG_r.CAL." + i + "é.dat", "data1", "MIG_r/f" + i, "MIG_r", i,
                    Instant.parse("2022-08-03T14:54:47Z")));
        }
        c.register(l);
        c.putDisk(new DiskRecord("data1", "/daq/data1", DiskRecord.DiskState.DRAINING, Instant.now(), "ünï\ncode"));
        c.endpointDown("root://store.example//data", "connection refused");
        c.recordScanProblems("data1", List.of(new ScanProblem.Finding("data1", "x", ScanProblem.Kind.SYMLINK, "link")), true);
    }

    @Test
    void copyPrintsEveryTableAndRefusesASecondCopyAndCompareNamesTheTableThatDiffers() {
        try (JdbcCatalog a = open("sqlite:" + tmp.resolve("a.db"), null, null)) {
            fill(a, 30);
        }
        String from = "sqlite:" + tmp.resolve("a.db");
        String to = "jdbc:sqlite:" + tmp.resolve("b.db");

        CliFixture.Run copy = CliFixture.raw("catalog", "copy", "--from", from, "--to", to);
        assertThat(copy.code()).as("%s", copy).isZero();
        for (String t : TABLES) {
            assertThat(copy.out()).as("%s", copy).containsPattern("(?m)^" + t + " +\\d+  [0-9a-f]{64}  equal$");
        }
        assertThat(copy.out()).containsPattern("(?m)^files +30  ").containsPattern("(?m)^file_events +30  ")
                .contains("every table of sqlite:" + tmp.resolve("b.db") + " equals " + from);

        CliFixture.Run again = CliFixture.raw("catalog", "copy", "--from", from, "--to", to);
        assertThat(again.code()).as("%s", again).isEqualTo(1);
        assertThat(again.err()).contains("not empty").contains(tmp.resolve("b.db").toString()).contains("files: 30 rows");

        CliFixture.Run same = CliFixture.raw("catalog", "compare", "--from", from, "--to", to);
        assertThat(same.code()).as("%s", same).isZero();

        try (JdbcCatalog b = open(to, null, null)) {
            b.endpointUp("https://other.example/x");
        }
        CliFixture.Run differs = CliFixture.raw("catalog", "compare", "--from", from, "--to", to);
        assertThat(differs.code()).as("%s", differs).isEqualTo(1);
        assertThat(differs.out()).containsPattern("(?m)^endpoints +1  [0-9a-f]{64}  DIFFERS: 2 rows");
        assertThat(differs.err()).contains("verification failed: table(s) endpoints differ");
    }

    @Test
    void usageErrorsAndNoPasswordOnTheCommandLine() {
        CliFixture.Run bare = CliFixture.raw("catalog");
        assertThat(bare.code()).isEqualTo(2);
        assertThat(bare.out()).contains("copy").contains("compare");

        CliFixture.Run noTo = CliFixture.raw("catalog", "copy", "--from", "sqlite:" + tmp.resolve("a.db"));
        assertThat(noTo.code()).isEqualTo(2);
        assertThat(noTo.err()).contains("--to");

        CliFixture.Run inUrl = CliFixture.raw("catalog", "copy", "--from", "sqlite:" + tmp.resolve("a.db"), "--to",
                "jdbc:postgresql://127.0.0.1:1/x?user=u&password=hunter2");
        assertThat(inUrl.code()).isEqualTo(2);
        assertThat(inUrl.err()).contains("do not put a password in the URL").contains("--to-password-file")
                .doesNotContain("hunter2");

        CliFixture.Run odd = CliFixture.raw("catalog", "copy", "--from", "mysql://x/y", "--to", "sqlite:" + tmp.resolve("b.db"));
        assertThat(odd.code()).isEqualTo(2);
        assertThat(odd.err()).contains("--from").contains("neither sqlite:PATH nor jdbc:postgresql://HOST/DB");

        CliFixture.Run missing = CliFixture.raw("catalog", "copy", "--from", "sqlite:" + tmp.resolve("none.db"), "--to",
                "sqlite:" + tmp.resolve("b.db"));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("does not exist");
        assertThat(tmp.resolve("b.db")).doesNotExist();
    }

    @Test
    void sqliteToPostgresqlWithAPasswordFile() throws Exception {
        String base = System.getenv("MIGDAL_TEST_PG_URL");
        if (base == null || base.isBlank()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("MIGDAL_TEST_PG_URL is not set (CI=true): eval \"$(scripts/pg-throwaway start)\"");
            }
            Assumptions.abort("MIGDAL_TEST_PG_URL is not set; start a throwaway server with eval \"$(scripts/pg-throwaway start)\"");
        }
        String user = System.getenv("MIGDAL_TEST_PG_USER");
        String password = System.getenv("MIGDAL_TEST_PG_PASSWORD");
        String name = "migdal_clicopy_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String url = base.replaceFirst("/[^/?]*(\\?|$)", "/" + name + "$1");
        try (Connection c = DriverManager.getConnection(base, user, password); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0");
        }
        try {
            try (JdbcCatalog a = open("sqlite:" + tmp.resolve("a.db"), null, null)) {
                fill(a, 12_000);
            }
            Path pw = tmp.resolve("pg.password");
            Files.writeString(pw, password + "\n");
            long start = System.nanoTime();
            CliFixture.Run copy = CliFixture.raw("catalog", "copy", "--from", "sqlite:" + tmp.resolve("a.db"), "--to", url,
                    "--to-user", user, "--to-password-file", pw.toString());
            System.out.printf("catalog copy of 12,000 files + 12,000 events to PostgreSQL: %.1f s%n%s",
                    (System.nanoTime() - start) / 1e9, copy.out());
            assertThat(copy.code()).as("%s", copy).isZero();
            assertThat(copy.out()).containsPattern("(?m)^file_events +12000  [0-9a-f]{64}  equal$");
            assertThat(copy.out() + copy.err()).doesNotContain(password);

            CliFixture.Run back = CliFixture.raw("catalog", "copy", "--from", url, "--from-user", user, "--from-password-file",
                    pw.toString(), "--to", "sqlite:" + tmp.resolve("c.db"));
            assertThat(back.code()).as("%s", back).isZero();
            CliFixture.Run compare = CliFixture.raw("catalog", "compare", "--from", "sqlite:" + tmp.resolve("a.db"), "--to",
                    "sqlite:" + tmp.resolve("c.db"));
            assertThat(compare.code()).as("%s", compare).isZero();

            CliFixture.Run wrong = CliFixture.raw("catalog", "copy", "--from", "sqlite:" + tmp.resolve("a.db"), "--to", url,
                    "--to-user", user, "--to-password-file", tmp.resolve("nope").toString());
            assertThat(wrong.code()).isEqualTo(2);
            assertThat(wrong.err()).contains("--to-password-file: cannot read");
        } finally {
            try (Connection c = DriverManager.getConnection(base, user, password); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        }
    }
}
