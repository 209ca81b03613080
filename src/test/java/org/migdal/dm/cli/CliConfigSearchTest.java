package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which configuration file a command reads: {@code --config}, then {@code $MIGDAL_DM_CONFIG}, then
 * {@code ./migdal-dm.yaml}, then the system-wide file (here a file of the test's own); a named file that does not exist
 * is exit 2 naming it, and none found lists every place looked at. {@code doctor} says which file it used.
 */
class CliConfigSearchTest {
    @TempDir
    Path tmp;

    record Places(Path work, Path system, Map<String, String> env) {
    }

    static CliFixture.Run cli(Places p, String... args) {
        Main root = new Main();
        root.env = p.env();
        root.workDir = p.work();
        root.systemConfig = p.system();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine(root, new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        return new CliFixture.Run(code, out.toString(), err.toString());
    }

    /** A valid configuration at {@code file} whose catalog is {@code name}.db beside it (so that which one was read shows). */
    static Path config(Path file, String name) throws Exception {
        Path dir = Files.createDirectories(file.getParent());
        Path store = org.migdal.dm.testinfra.Markers.initialised(dir.resolve(name + "-storage"));
        Files.writeString(file, """
                catalog: {url: "sqlite:%1$s/%2$s.db"}
                storage: {disk: "%3$s", tape: "%3$s"}
                lockDir: "%1$s"
                """.formatted(dir, name, store.toUri()));
        return file;
    }

    private String doctorConfig(Places p, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("doctor", "--json"));
        CliFixture.Run r = cli(p, all.toArray(String[]::new));
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out()).get("config").asText();
    }

    @Test
    void theFirstPlaceThatHasOneWins() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path system = config(tmp.resolve("etc/migdal-dm.yaml"), "system");
        Places onlySystem = new Places(work, system, Map.of());
        assertThat(doctorConfig(onlySystem)).isEqualTo(system.toString());

        Path local = config(work.resolve("migdal-dm.yaml"), "local");
        Places localToo = new Places(work, system, Map.of());
        assertThat(doctorConfig(localToo)).isEqualTo(local.toString());

        Path fromEnv = config(tmp.resolve("env/mine.yaml"), "env");
        Places withEnv = new Places(work, system, Map.of("MIGDAL_DM_CONFIG", fromEnv.toString()));
        assertThat(doctorConfig(withEnv)).isEqualTo(fromEnv.toString());

        Path explicit = config(tmp.resolve("explicit/given.yaml"), "explicit");
        assertThat(doctorConfig(withEnv, "--config", explicit.toString())).isEqualTo(explicit.toString());

        // the text form names the file and how it was found
        CliFixture.Run doctor = cli(withEnv, "doctor");
        assertThat(doctor.out()).containsPattern("config +" + java.util.regex.Pattern.quote(fromEnv + " (found by $MIGDAL_DM_CONFIG) is valid"));
        // and the command really read that file: its catalog is the one created
        assertThat(cli(withEnv, "status").code()).isZero();
        assertThat(tmp.resolve("env/env.db")).exists();
    }

    @Test
    void aNamedFileThatDoesNotExistIsExit2NamingItNeverAFallThrough() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        config(work.resolve("migdal-dm.yaml"), "local"); // would be found if the search fell through
        Path missing = tmp.resolve("nope/missing.yaml");

        CliFixture.Run explicit = cli(new Places(work, tmp.resolve("none.yaml"), Map.of()), "-c", missing.toString(), "status");
        assertThat(explicit.code()).as("%s", explicit).isEqualTo(2);
        assertThat(explicit.err()).contains(missing.toString()).contains("--config").contains("does not exist");

        CliFixture.Run env = cli(new Places(work, tmp.resolve("none.yaml"), Map.of("MIGDAL_DM_CONFIG", missing.toString())), "status");
        assertThat(env.code()).as("%s", env).isEqualTo(2);
        assertThat(env.err()).contains(missing.toString()).contains("$MIGDAL_DM_CONFIG").contains("does not exist");
        assertThat(work.resolve("local.db")).doesNotExist();
    }

    @Test
    void noneFoundListsThePlacesLookedAt() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("empty"));
        Path system = tmp.resolve("etc/migdal-dm/migdal-dm.yaml");

        CliFixture.Run r = cli(new Places(work, system, Map.of()), "ls");

        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("no configuration file found").contains("--config").contains("$MIGDAL_DM_CONFIG")
                .contains(work.resolve("migdal-dm.yaml").toString()).contains(system.toString());
    }
}
