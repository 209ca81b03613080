package org.migdal.dm.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** archive.requireTapeResidency (older name waitForTapeFlag) and storage.tapeRestApi. */
class TapeResidencyConfigTest {

    private static MigdalConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test.yaml");
    }

    @Test
    void residencyIsRequiredByDefaultAndNoApiIsConfigured() {
        MigdalConfig c = parse("storage: {disk: 'file:///s', tape: 'https://antares.example.org:8443/eos/antares/prod/migdal'}\n");
        assertThat(c.archive().requireTapeResidency()).isTrue();
        assertThat(c.storage().tapeRestApi()).isNull();
    }

    @Test
    void eitherNameTurnsItOffButTheyMustAgree() {
        String storage = "storage: {disk: 'file:///s', tape: 'root://antares.example.org//eos/antares'}\n";
        assertThat(parse(storage + "archive: {requireTapeResidency: false}\n").archive().requireTapeResidency()).isFalse();
        assertThat(parse(storage + "archive: {waitForTapeFlag: false}\n").archive().requireTapeResidency()).isFalse();
        assertThat(parse(storage + "archive: {waitForTapeFlag: true, requireTapeResidency: true}\n").archive().requireTapeResidency()).isTrue();
        assertThatThrownBy(() -> parse(storage + "archive: {waitForTapeFlag: true, requireTapeResidency: false}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("archive.requireTapeResidency")
                .hasMessageContaining("waitForTapeFlag");
    }

    @Test
    void theTapeRestApiIsAnHttpsUrlForAnHttpsTape() {
        MigdalConfig c = parse("storage: {disk: 'file:///s', tape: 'davs://dcache.example.org:2880/pnfs/example.org/tape',"
                + " tapeRestApi: 'https://dcache.example.org:3880/api/v1/tape'}\n");
        assertThat(c.storage().tapeRestApi()).isEqualTo("https://dcache.example.org:3880/api/v1/tape");
        assertThatThrownBy(() -> parse("storage: {disk: 'file:///s', tape: 'root://antares.example.org//eos',"
                + " tapeRestApi: 'https://antares.example.org:8443/api/v1/'}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.tapeRestApi").hasMessageContaining("root://");
        assertThatThrownBy(() -> parse("storage: {disk: 'file:///s', tape: 'https://a.example.org/t', tapeRestApi: 'ftp://a/x'}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.tapeRestApi");
        assertThatThrownBy(() -> parse("storage: {disk: 'file:///s', tape: 'https://a.example.org/t', tapeRestApi: 'not a url'}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("storage.tapeRestApi");
    }
}
