package org.migdal.dm.audit;

import org.junit.jupiter.api.Test;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Which copies the catalog vouches for, by state: what {@link CopyAudit} asks the endpoints about. */
class CopyAuditRulesTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static CatalogFile row(FileState state, FileState quarantinedFrom, boolean shipped, boolean compressed, boolean onTape,
                                   boolean rawDeleted) {
        return new CatalogFile(1, "/2208/220803/R/f.dat", "data1", "R/f.dat", "R", 10, T, shipped ? "0000000a" : null, state,
                compressed ? "/2208/220803/R/f.dat.bz2" : null, compressed ? 5L : null, compressed ? "0000000b" : null, null, T,
                shipped ? T : null, null, compressed ? T : null, null, onTape ? T : null, rawDeleted ? T : null, 0, null, null,
                quarantinedFrom, null, null, T, null, 0, onTape ? "size+adler32 only" : null);
    }

    @Test
    void eachStateVouchesForItsCopies() {
        assertThat(CopyAudit.rawExpected(row(FileState.REGISTERED, null, false, false, false, false))).isFalse();
        assertThat(CopyAudit.rawExpected(row(FileState.ON_DISK_STORAGE, null, true, false, false, false))).isTrue();
        assertThat(CopyAudit.compressedExpected(row(FileState.ON_DISK_STORAGE, null, true, false, false, false))).isFalse();
        CatalogFile compressed = row(FileState.COMPRESSED, null, true, true, false, false);
        assertThat(CopyAudit.compressedExpected(compressed)).isTrue();
        assertThat(CopyAudit.tapeExpected(compressed)).isFalse();
        CatalogFile onTape = row(FileState.ON_TAPE, null, true, true, true, false);
        assertThat(CopyAudit.rawExpected(onTape)).isTrue();
        assertThat(CopyAudit.tapeExpected(onTape)).isTrue();
        assertThat(CopyAudit.rawExpected(row(FileState.ON_TAPE, null, true, true, true, true))).as("raw copy deleted").isFalse();
        assertThat(CopyAudit.rawExpected(row(FileState.MISSING, null, false, false, false, false))).isFalse();
    }

    @Test
    void aQuarantinedFileIsHeldToTheCopiesOfTheStateItWasStoppedIn() {
        CatalogFile fromTape = row(FileState.QUARANTINED, FileState.ON_TAPE, true, true, true, false);
        assertThat(CopyAudit.vouched(fromTape)).isEqualTo(FileState.ON_TAPE);
        assertThat(CopyAudit.tapeExpected(fromTape)).isTrue();
        CatalogFile fromCompressing = row(FileState.QUARANTINED, FileState.COMPRESSING, true, false, false, false);
        assertThat(CopyAudit.vouched(fromCompressing)).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(CopyAudit.rawExpected(fromCompressing)).isTrue();
        assertThat(CopyAudit.compressedExpected(fromCompressing)).isFalse();
        CatalogFile fromShipping = row(FileState.QUARANTINED, FileState.SHIPPING, false, false, false, false);
        assertThat(CopyAudit.rawExpected(fromShipping)).isFalse();
    }
}
