package org.migdal.dm.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code archive.mover: fts} and the {@code fts:} section: defaults and validation. */
class FtsConfigTest {
    static final String GRID = "storage: {disk: 'root://mover.pp.rl.ac.uk:1094//pnfs/migdal', tape: 'root://antares.stfc.ac.uk//eos/migdal'}\n";

    static MigdalConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test");
    }

    @Test
    void defaults() {
        MigdalConfig c = parse(GRID + "archive: {mover: fts}\n");
        assertThat(c.archive().mover()).isEqualTo("fts");
        MigdalConfig.Fts f = c.fts();
        assertThat(f.url()).isEqualTo("https://lcgfts3.gridpp.rl.ac.uk:8446");
        assertThat(f.filesPerJob()).isEqualTo(200);
        assertThat(f.archiveTimeoutHours()).isEqualTo(24);
        assertThat(f.retry()).isEqualTo(5);
        assertThat(f.delegationHours()).isEqualTo(72);
        assertThat(f.pollSeconds()).isEqualTo(300);
        assertThat(f.auth()).isEqualTo("auto");
        assertThat(f.inFlightMarginHours()).isEqualTo(24);
        assertThat(f.bringOnlineHours()).isEqualTo(24);
    }

    @Test
    void theFtsMoverNeedsStorageUrlsFtsCanReach() {
        assertThatThrownBy(() -> parse("storage: {disk: 'file:///s', tape: 'root://t//x'}\narchive: {mover: fts}\n"))
                .hasMessageContaining("storage.disk").hasMessageContaining("file://").hasMessageContaining("archive.mover");
        assertThatThrownBy(() -> parse("storage: {disk: 'root://d//x', tape: 'file:///t'}\narchive: {mover: fts}\n"))
                .hasMessageContaining("storage.tape");
        assertThat(parse("storage: {disk: 'file:///s', tape: 'file:///t'}\narchive: {mover: builtin}\n").archive().mover())
                .isEqualTo("builtin");
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> parse(GRID + "archive: {mover: rucio}\n")).hasMessageContaining("archive.mover");
        assertThatThrownBy(() -> parse(GRID + "fts: {url: 'http://fts:8446'}\n")).hasMessageContaining("fts.url");
        assertThatThrownBy(() -> parse(GRID + "fts: {url: 'https://fts:8446/jobs'}\n")).hasMessageContaining("fts.url");
        assertThatThrownBy(() -> parse(GRID + "fts: {filesPerJob: 0}\n")).hasMessageContaining("fts.filesPerJob");
        assertThatThrownBy(() -> parse(GRID + "fts: {filesPerJob: 1001}\n")).hasMessageContaining("fts.filesPerJob");
        assertThatThrownBy(() -> parse(GRID + "fts: {archiveTimeoutHours: 0}\n")).hasMessageContaining("fts.archiveTimeoutHours");
        assertThatThrownBy(() -> parse(GRID + "fts: {delegationHours: 2}\n")).hasMessageContaining("fts.delegationHours");
        assertThatThrownBy(() -> parse(GRID + "fts: {pollSeconds: 1}\n")).hasMessageContaining("fts.pollSeconds");
        assertThatThrownBy(() -> parse(GRID + "fts: {auth: none}\n")).hasMessageContaining("fts.auth");
        assertThatThrownBy(() -> parse(GRID + "fts: {retries: 3}\n")).hasMessageContaining("fts.retries");
    }
}
