package org.migdal.dm.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    static final String STORAGE = """
            storage:
              disk: file:///srv/storage
              tape: file:///srv/tape
            """;

    static MigdalConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml");
    }

    static String error(String yaml) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> parse(yaml));
        assertThat(t).as("config should be refused:%n%s", yaml).isInstanceOf(ConfigException.class);
        assertThat(t.getMessage()).startsWith("test.yaml: ");
        return t.getMessage();
    }

    @Test
    void defaultsAreAppliedToAMinimalConfig() {
        MigdalConfig c = parse(STORAGE);

        assertThat(c.catalog().url()).isEqualTo("sqlite:migdal-dm.db");
        assertThat(c.catalog().user()).isNull();
        assertThat(c.catalog().passwordFile()).isNull();
        assertThat(c.daq().disks()).isEmpty();
        assertThat(c.daq().runPrefix()).isEqualTo("MIG_");
        assertThat(c.daq().readyToTransferFlag()).isEqualTo("ReadyToTransfer");
        assertThat(c.daq().readyForDataFlag()).isEqualTo("ReadyForData");
        assertThat(c.daq().readyForDataOwner()).isNull();
        assertThat(c.daq().readyForDataGroup()).isNull();
        assertThat(c.storage().disk()).isEqualTo("file:///srv/storage");
        assertThat(c.storage().tape()).isEqualTo("file:///srv/tape");
        assertThat(c.transfer().threads()).isEqualTo(5);
        assertThat(c.transfer().maxAttempts()).isEqualTo(5);
        assertThat(c.transfer().retryBackoffSeconds()).isEqualTo(60);
        assertThat(c.archive().compression()).isEqualTo("bzip2");
        assertThat(c.archive().suffix()).isEqualTo(".bz2");
        assertThat(c.archive().level()).isEqualTo(9);
        assertThat(c.archive().jobsPerCycle()).isEqualTo(150);
        assertThat(c.archive().mover()).isEqualTo("builtin");
        assertThat(c.archive().cleanupRaw()).isFalse();
        assertThat(c.archive().workDir()).isEqualTo(System.getProperty("java.io.tmpdir") + "/migdal-dm-work");
        assertThat(c.executor().type()).isEqualTo("local");
        assertThat(c.executor().threads()).isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors()));
        assertThat(c.claims().leaseSeconds()).isEqualTo(1800);
        assertThat(c.janitor().tempMaxAgeHours()).isEqualTo(24);
        assertThat(c.lockDir()).isEqualTo(".");
    }

    @Test
    void everyKeyIsRead() {
        MigdalConfig c = parse("""
                catalog: {url: "jdbc:postgresql://db.example/migdal", user: migdal, passwordFile: /etc/migdal/pw}
                daq:
                  disks:
                    - {name: data1, path: /data1}
                    - {name: data2, path: /data2}
                  runPrefix: RUN_
                  readyToTransferFlag: Full
                  readyForDataFlag: Empty
                  readyForDataOwner: migdaq
                  readyForDataGroup: migdal
                storage: {disk: "root://mover.example:1094/pnfs/migdal/", tape: "davs://tape.example/eos/migdal"}
                transfer: {threads: 8, maxAttempts: 2, retryBackoffSeconds: 0}
                archive: {compression: GZIP, level: 1, jobsPerCycle: 10, mover: builtin, cleanupRaw: true, workDir: /scratch}
                executor: {type: local, threads: 3}
                claims: {leaseSeconds: 60}
                lockDir: /var/lock/migdal
                """);

        assertThat(c.catalog()).isEqualTo(new MigdalConfig.Catalog("jdbc:postgresql://db.example/migdal", "migdal", "/etc/migdal/pw"));
        assertThat(c.daq().disks()).containsExactly(new MigdalConfig.Disk("data1", "/data1"), new MigdalConfig.Disk("data2", "/data2"));
        assertThat(c.daq().disk("data2").path()).isEqualTo("/data2");
        assertThat(c.daq().runPrefix()).isEqualTo("RUN_");
        assertThat(c.daq().readyToTransferFlag()).isEqualTo("Full");
        assertThat(c.daq().readyForDataFlag()).isEqualTo("Empty");
        assertThat(c.daq().readyForDataOwner()).isEqualTo("migdaq");
        assertThat(c.daq().readyForDataGroup()).isEqualTo("migdal");
        assertThat(c.transfer()).isEqualTo(new MigdalConfig.Transfer(8, 2, 0));
        assertThat(c.archive().compression()).isEqualTo("gzip");
        assertThat(c.archive().suffix()).isEqualTo(".gz");
        assertThat(c.archive().level()).isEqualTo(1);
        assertThat(c.archive().jobsPerCycle()).isEqualTo(10);
        assertThat(c.archive().cleanupRaw()).isTrue();
        assertThat(c.archive().workDir()).isEqualTo("/scratch");
        assertThat(c.executor().threads()).isEqualTo(3);
        assertThat(c.claims().leaseSeconds()).isEqualTo(60);
        assertThat(c.lockDir()).isEqualTo("/var/lock/migdal");
        assertThatThrownBy(() -> c.daq().disk("data9")).isInstanceOf(ConfigException.class).hasMessageContaining("data9");
    }

    @Test
    void listsAreImmutable() {
        MigdalConfig c = parse(STORAGE + "daq: {disks: [{name: data1, path: /data1}]}\n");
        assertThatThrownBy(() -> c.daq().disks().add(new MigdalConfig.Disk("x", "/x")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void unknownTopLevelKeyIsNamed() {
        assertThat(error(STORAGE + "catalgo: {url: sqlite:x.db}\n")).contains("unknown key 'catalgo'").contains("line 4")
                .contains("catalog");
    }

    @Test
    void aMisspeltRequiredKeyIsReportedAsUnknownNotAsMissing() {
        assertThat(error("storgae:\n  disk: file:///srv/storage\n  tape: file:///srv/tape\n"))
                .contains("unknown key 'storgae'").contains("line 1");
        assertThat(error(STORAGE + "daq:\n  disks:\n    - {nmae: data1, path: /data1}\n"))
                .contains("unknown key 'daq.disks[0].nmae'").contains("line 6").contains("name, path");
    }

    @Test
    void unknownKeyLineIsTheKeysOwnLine() {
        assertThat(error(STORAGE + "transfer:\n  threads: 3\n  thread: 4\n  maxAttempts: 3\n"))
                .contains("unknown key 'transfer.thread' (line 6)");
    }

    @Test
    void unknownNestedKeyIsNamedWithItsPath() {
        assertThat(error(STORAGE + "daq:\n  disk:\n    - {name: data1, path: /data1}\n")).contains("unknown key 'daq.disk'")
                .contains("disks");
        assertThat(error(STORAGE + "archive: {compresion: gzip}\n")).contains("'archive.compresion'");
        assertThat(error(STORAGE + "daq:\n  disks:\n    - {name: data1, path: /data1}\n    - {nmae: data2, path: /data2}\n"))
                .contains("'daq.disks[1].nmae'");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "transfer: {threads: 0}|transfer.threads",
            "transfer: {threads: 65}|transfer.threads",
            "transfer: {maxAttempts: 0}|transfer.maxAttempts",
            "transfer: {retryBackoffSeconds: -1}|transfer.retryBackoffSeconds",
            "transfer: {threads: five}|transfer.threads",
            "transfer: {threads: 2.5}|transfer.threads",
            "archive: {compression: lz4}|archive.compression",
            "archive: {level: 0}|archive.level",
            "archive: {level: 10}|archive.level",
            "archive: {jobsPerCycle: 0}|archive.jobsPerCycle",
            "archive: {mover: fts}|archive.mover",
            "archive: {cleanupRaw: maybe}|archive.cleanupRaw",
            "executor: {type: condor}|executor.type",
            "executor: {threads: 0}|executor.threads",
            "claims: {leaseSeconds: 5}|claims.leaseSeconds",
            "janitor: {tempMaxAgeHours: 0}|janitor.tempMaxAgeHours",
            "janitor: {tempMaxAgeHours: 9000}|janitor.tempMaxAgeHours",
            "janitor: {tempMaxAge: 5}|janitor.tempMaxAge",
            "catalog: {url: 'mysql://db/migdal'}|catalog.url",
            "catalog: {url: 'jdbc:postgresql://db/migdal?password=secret'}|catalog.url",
            "daq: {runPrefix: ''}|daq.runPrefix",
            "daq: {readyToTransferFlag: 'sub/Ready'}|daq.readyToTransferFlag",
            "daq: {readyForDataFlag: '..'}|daq.readyForDataFlag",
            "daq: {disks: [{name: data1, path: data1}]}|daq.disks[data1].path",
            "daq: {disks: [{name: data1, path: /}]}|daq.disks[data1].path",
            "daq: {disks: [{name: data1}]}|daq.disks[data1].path",
            "daq: {disks: [{name: 'data 1', path: /data1}]}|daq.disks[].name",
            "daq: {disks: [{name: data1, path: /data1}, {name: data1, path: /data2}]}|daq.disks",
            "daq: {disks: [{name: data1, path: /data1}, {name: data2, path: /data1}]}|daq.disks",
            "daq: {disks: {name: data1, path: /data1}}|daq.disks",
    })
    void badValuesNameTheKey(String yamlLine, String key) {
        String msg = error(STORAGE + yamlLine + "\n");
        assertThat(msg).contains(key);
    }

    @Test
    void duplicateDiskNamesAreNamed() {
        assertThat(error(STORAGE + "daq: {disks: [{name: data1, path: /data1}, {name: data1, path: /data2}]}\n"))
                .contains("daq.disks").contains("'data1' appears twice");
    }

    @Test
    void storageIsRequired() {
        assertThat(error("transfer: {threads: 2}\n")).contains("storage").contains("missing");
        assertThat(error("storage: {disk: file:///srv/storage}\n")).contains("storage.tape").contains("missing");
        assertThat(error("storage: {tape: file:///srv/tape}\n")).contains("storage.disk").contains("missing");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'not a url'|storage.disk",
            "'/srv/storage'|storage.disk",
            "'ftp://host/x'|storage.disk",
            "'file:relative/dir'|storage.disk",
            "'\"http://[::1\"'|storage.disk"})
    void storageMustBeAUrl(String url, String key) {
        assertThat(error("storage: {disk: " + url + ", tape: file:///srv/tape}\n")).contains(key);
        assertThat(error("storage: {disk: file:///srv/disk, tape: " + url + "}\n")).contains("storage.tape");
    }

    @Test
    void emptyAndBrokenYamlAreReported() {
        assertThatThrownBy(() -> parse("")).isInstanceOf(ConfigException.class).hasMessageContaining("test.yaml");
        assertThatThrownBy(() -> parse("# only a comment\n")).isInstanceOf(ConfigException.class).hasMessageContaining("test.yaml");
        assertThat(error(STORAGE + "transfer: {threads: [1, 2}\n")).contains("line");
        assertThat(error("- just\n- a list\n")).isNotBlank();
    }

    @Test
    void loadNamesAMissingFile(@TempDir Path tmp) {
        Path missing = tmp.resolve("nope.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    }

    @Test
    void loadReadsAFileAndNamesItInErrors(@TempDir Path tmp) throws Exception {
        Path f = Files.writeString(tmp.resolve("m.yaml"), STORAGE + "transfer: {threads: 3}\n");
        assertThat(ConfigLoader.load(f).transfer().threads()).isEqualTo(3);
        Files.writeString(f, STORAGE + "transfer: {threads: 0}\n");
        assertThatThrownBy(() -> ConfigLoader.load(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(f.toString()).hasMessageContaining("transfer.threads");
    }

    @Test
    void unknownKeyListsTheKnownOnes() {
        assertThat(error(STORAGE + "transfer: {thread: 3}\n")).contains("'transfer.thread'")
                .contains("maxAttempts").contains("retryBackoffSeconds").contains("threads");
    }

    @Test
    void valuesOfTheWrongShapeAreRefused() {
        assertThat(error(STORAGE + "lockDir: [a, b]\n")).contains("lockDir");
        assertThat(error(STORAGE + "transfer: 5\n")).contains("transfer");
        assertThat(error("storage: file:///srv\n")).contains("storage");
        assertThat(List.of(error(STORAGE + "transfer: {threads: '5'}\n"))).allMatch(m -> m.contains("transfer.threads"));
    }
}
