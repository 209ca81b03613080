package org.migdal.dm.batch;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code cycle.sub} and {@code items.txt} exactly as migdal-dm writes them, and every value that must be refused. */
class SubmitDescriptionTest {
    private static final Path CYCLE = Path.of("/var/lib/migdal/condor/20240610T140512-a1b2c3");
    private static final Path EXE = Path.of("/opt/migdal-dm/bin/migdal-dm");
    private static final String BATCH = "migdal-grid-20240610T140512-a1b2c3";

    @Test
    void rendersTheFullSubmitFileOfTheSpec() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MIGDAL_JAVA_OPTS", "-Xmx1g -Dx=y");
        env.put("JAVA_HOME", "/usr/lib/jvm/x");
        SubmitDescription d = SubmitDescription.of(CYCLE, EXE, BATCH).withRequirements("(OpSys == \"LINUX\")").withEnvironment(env)
                .withAccountingGroup("group_migdal").withProxy(Path.of("/home/migdal/.globus/x509up_migdal"))
                .withExtraLines(List.of("max_retries             = 3", "+MigdalSite = \"RAL\""));
        assertThat(d.render()).isEqualTo("""
                # /var/lib/migdal/condor/20240610T140512-a1b2c3/cycle.sub (written by migdal-dm)
                universe                = vanilla
                executable              = /opt/migdal-dm/bin/migdal-dm
                transfer_executable     = False
                arguments               = "job run $(MigdalJob).json"
                output                  = /var/lib/migdal/condor/20240610T140512-a1b2c3/$(ClusterId).$(ProcId).out
                error                   = /var/lib/migdal/condor/20240610T140512-a1b2c3/$(ClusterId).$(ProcId).err
                log                     = /var/lib/migdal/condor/20240610T140512-a1b2c3/events.log
                should_transfer_files   = YES
                when_to_transfer_output = ON_EXIT
                transfer_input_files    = /var/lib/migdal/condor/20240610T140512-a1b2c3/jobs/$(MigdalJob).json
                request_cpus            = 1
                request_memory          = 2 GB
                request_disk            = 4 GB
                requirements            = (OpSys == "LINUX")
                environment             = "JAVA_HOME=/usr/lib/jvm/x MIGDAL_JAVA_OPTS='-Xmx1g -Dx=y'"
                batch_name              = migdal-grid-20240610T140512-a1b2c3
                accounting_group        = group_migdal
                x509userproxy           = /home/migdal/.globus/x509up_migdal
                MY.MigdalJob            = "$(MigdalJob)"
                max_retries             = 3
                +MigdalSite = "RAL"
                queue MigdalJob from /var/lib/migdal/condor/20240610T140512-a1b2c3/items.txt
                """);
    }

    @Test
    void rendersOnlyTheMandatoryLinesByDefault() {
        SubmitDescription d = SubmitDescription.of(CYCLE, EXE, BATCH).withRequests("2", "1.5 GB", "500 MB");
        assertThat(d.transferExecutable()).isFalse();
        assertThat(d.render()).isEqualTo("""
                # /var/lib/migdal/condor/20240610T140512-a1b2c3/cycle.sub (written by migdal-dm)
                universe                = vanilla
                executable              = /opt/migdal-dm/bin/migdal-dm
                transfer_executable     = False
                arguments               = "job run $(MigdalJob).json"
                output                  = /var/lib/migdal/condor/20240610T140512-a1b2c3/$(ClusterId).$(ProcId).out
                error                   = /var/lib/migdal/condor/20240610T140512-a1b2c3/$(ClusterId).$(ProcId).err
                log                     = /var/lib/migdal/condor/20240610T140512-a1b2c3/events.log
                should_transfer_files   = YES
                when_to_transfer_output = ON_EXIT
                transfer_input_files    = /var/lib/migdal/condor/20240610T140512-a1b2c3/jobs/$(MigdalJob).json
                request_cpus            = 2
                request_memory          = 1.5 GB
                request_disk            = 500 MB
                batch_name              = migdal-grid-20240610T140512-a1b2c3
                MY.MigdalJob            = "$(MigdalJob)"
                queue MigdalJob from /var/lib/migdal/condor/20240610T140512-a1b2c3/items.txt
                """);
        assertThat(d.submitFile()).isEqualTo(CYCLE.resolve("cycle.sub"));
        assertThat(d.itemsFile()).isEqualTo(CYCLE.resolve("items.txt"));
        assertThat(d.eventLog()).isEqualTo(CYCLE.resolve("events.log"));
        assertThat(d.jobFile("j42-3f9a1c0b2d4e")).isEqualTo(CYCLE.resolve("jobs/j42-3f9a1c0b2d4e.json"));
        assertThat(d.outputFile(JobId.parse("4711.3"))).isEqualTo(CYCLE.resolve("4711.3.out"));
        assertThat(d.errorFile(JobId.parse("4711.3"))).isEqualTo(CYCLE.resolve("4711.3.err"));
    }

    @Test
    void quotesEnvironmentValuesInTheNewSyntax() {
        assertThat(SubmitDescription.renderEnvironment(Map.of("A", "it's here"))).isEqualTo("\"A='it''s here'\"");
        assertThat(SubmitDescription.renderEnvironment(Map.of("EMPTY", ""))).isEqualTo("\"EMPTY=''\"");
        assertThat(SubmitDescription.renderEnvironment(Map.of("X", "a=b;c"))).isEqualTo("\"X=a=b;c\"");
    }

    @Test
    void writesItemsOnePerLineWithAFinalNewline() {
        assertThat(SubmitDescription.items(List.of("j42-3f9a1c0b2d4e", "j43-0c1d2e3f4a5b"))).isEqualTo("j42-3f9a1c0b2d4e\nj43-0c1d2e3f4a5b\n");
        assertThatThrownBy(() -> SubmitDescription.items(List.of("/2208/x.dat"))).hasMessageContaining("'/2208/x.dat'");
        assertThatThrownBy(() -> SubmitDescription.items(List.of("a b"))).hasMessageContaining("[A-Za-z0-9_-]+");
        assertThatThrownBy(() -> SubmitDescription.items(List.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SubmitDescription.items(List.of("a", "a"))).hasMessageContaining("twice");
        assertThatThrownBy(() -> SubmitDescription.items(List.of())).hasMessageContaining("at least one");
    }

    @Test
    void refusesSizesWithoutUnits() {
        SubmitDescription d = SubmitDescription.of(CYCLE, EXE, BATCH);
        assertThatThrownBy(() -> d.withRequests("1", "2048", "4 GB")).hasMessageContaining("request_memory").hasMessageContaining("'2048'");
        assertThatThrownBy(() -> d.withRequests("1", "2 GB", "4194304")).hasMessageContaining("request_disk");
        assertThatThrownBy(() -> d.withRequests("1", "2 GiB", "4 GB")).hasMessageContaining("request_memory");
        assertThatThrownBy(() -> d.withRequests("one", "2 GB", "4 GB")).hasMessageContaining("request_cpus");
        assertThatThrownBy(() -> d.withRequests("0", "2 GB", "4 GB")).hasMessageContaining("request_cpus");
        assertThat(d.withRequests("1", "512M", "1TB").requestDisk()).isEqualTo("1TB");
    }

    @Test
    void refusesPathsUnsafeInASubmitFile() {
        for (String bad : List.of("/spool/a\nqueue", "/spool/a\"b", "/spool/it's", "/spool/$(Owner)", "/spool/x ", "/spool/x\\")) {
            assertThatThrownBy(() -> SubmitDescription.of(Path.of(bad), EXE, BATCH)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cycleDir");
        }
        assertThatThrownBy(() -> SubmitDescription.of(Path.of("#spool"), EXE, BATCH)).hasMessageContaining("'#spool'");
        assertThatThrownBy(() -> SubmitDescription.of(Path.of(" spool"), EXE, BATCH)).hasMessageContaining("white space");
        assertThatThrownBy(() -> SubmitDescription.of(Path.of("/spool/a,b"), EXE, BATCH)).hasMessageContaining("','");
        assertThatThrownBy(() -> SubmitDescription.of(CYCLE, Path.of("/opt/$(X)/migdal-dm"), BATCH)).hasMessageContaining("executable");
        assertThatThrownBy(() -> SubmitDescription.of(CYCLE, Path.of("bin/migdal-dm"), BATCH)).hasMessageContaining("absolute");
        assertThatThrownBy(() -> SubmitDescription.of(CYCLE, EXE, BATCH).withProxy(Path.of("/tmp/x509up_'u"))).hasMessageContaining("x509userproxy");
        assertThat(SubmitDescription.of(Path.of("rel/cycle"), EXE, BATCH).cycleDir()).isAbsolute();
    }

    @Test
    void refusesUnsafeEnvironmentEntries() {
        SubmitDescription d = SubmitDescription.of(CYCLE, EXE, BATCH);
        assertThatThrownBy(() -> d.withEnvironment(Map.of("1X", "v"))).hasMessageContaining("'1X'");
        assertThatThrownBy(() -> d.withEnvironment(Map.of("A-B", "v"))).hasMessageContaining("'A-B'");
        assertThatThrownBy(() -> d.withEnvironment(Map.of("A", "say \"hi\""))).hasMessageContaining("environment variable A");
        assertThatThrownBy(() -> d.withEnvironment(Map.of("A", "x\ny"))).hasMessageContaining("newline");
    }

    @Test
    void refusesExtraLinesThatCouldChangeTheQueue() {
        SubmitDescription d = SubmitDescription.of(CYCLE, EXE, BATCH);
        assertThatThrownBy(() -> d.withExtraLines(List.of("queue 10"))).hasMessageContaining("queue command");
        assertThatThrownBy(() -> d.withExtraLines(List.of("  Queue"))).hasMessageContaining("queue command");
        assertThatThrownBy(() -> d.withExtraLines(List.of("a = 1\nqueue"))).hasMessageContaining("line break");
        assertThatThrownBy(() -> d.withExtraLines(List.of("a = 1 \\"))).hasMessageContaining("end with");
        assertThatThrownBy(() -> d.withRequirements("(OpSys == \"LINUX\") \\")).hasMessageContaining("requirements");
        assertThat(d.withRequirements("  ").requirements()).isNull();
    }

    @Test
    void refusesUnsafeNames() {
        assertThatThrownBy(() -> SubmitDescription.of(CYCLE, EXE, "grid cycle")).hasMessageContaining("batch_name");
        assertThatThrownBy(() -> SubmitDescription.of(CYCLE, EXE, BATCH).withAccountingGroup("group migdal"))
                .hasMessageContaining("accounting_group");
    }
}
