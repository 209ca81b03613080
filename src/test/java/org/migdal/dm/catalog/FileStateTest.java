package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migdal.dm.catalog.FileState.COMPRESSED;
import static org.migdal.dm.catalog.FileState.COMPRESSING;
import static org.migdal.dm.catalog.FileState.FORGOTTEN;
import static org.migdal.dm.catalog.FileState.MISSING;
import static org.migdal.dm.catalog.FileState.ON_DISK_STORAGE;
import static org.migdal.dm.catalog.FileState.ON_TAPE;
import static org.migdal.dm.catalog.FileState.QUARANTINED;
import static org.migdal.dm.catalog.FileState.REGISTERED;
import static org.migdal.dm.catalog.FileState.SHIPPING;
import static org.migdal.dm.catalog.FileState.TAPE_SUBMITTED;

class FileStateTest {

    /** The state machine as the design draws it, written out independently of the enum. */
    private static final Map<FileState, Set<FileState>> EXPECTED = new EnumMap<>(Map.of(
            REGISTERED, EnumSet.of(SHIPPING, QUARANTINED, MISSING),
            SHIPPING, EnumSet.of(ON_DISK_STORAGE, REGISTERED, QUARANTINED, MISSING),
            ON_DISK_STORAGE, EnumSet.of(COMPRESSING, QUARANTINED),
            COMPRESSING, EnumSet.of(COMPRESSED, ON_DISK_STORAGE, QUARANTINED),
            COMPRESSED, EnumSet.of(TAPE_SUBMITTED, QUARANTINED),
            TAPE_SUBMITTED, EnumSet.of(ON_TAPE, COMPRESSED, QUARANTINED),
            ON_TAPE, EnumSet.of(QUARANTINED),
            QUARANTINED, EnumSet.of(REGISTERED, ON_DISK_STORAGE, COMPRESSED, TAPE_SUBMITTED, ON_TAPE),
            MISSING, EnumSet.of(REGISTERED, FORGOTTEN),
            FORGOTTEN, EnumSet.of(REGISTERED)));

    @ParameterizedTest
    @EnumSource(FileState.class)
    void everyLegalTransitionIsAllowedAndEveryOtherRejected(FileState from) {
        assertThat(EXPECTED).containsKey(from);
        for (FileState to : FileState.values()) {
            boolean legal = EXPECTED.get(from).contains(to);
            assertThat(from.canMoveTo(to)).as("%s → %s", from, to).isEqualTo(legal);
            if (legal) {
                assertThatCode(() -> from.checkMoveTo(to, "/lfn")).as("%s → %s", from, to).doesNotThrowAnyException();
            } else {
                assertThatThrownBy(() -> from.checkMoveTo(to, "/2208/220803/x.dat"))
                        .as("%s → %s", from, to)
                        .isInstanceOf(IllegalTransitionException.class)
                        .isInstanceOf(CatalogException.class)
                        .hasMessageContaining(from.name())
                        .hasMessageContaining(to.name())
                        .hasMessageContaining("/2208/220803/x.dat");
            }
        }
    }

    @Test
    void namedIllegalTransitionsAreRejected() {
        assertThatThrownBy(() -> REGISTERED.checkMoveTo(ON_TAPE, "a")).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> ON_TAPE.checkMoveTo(REGISTERED, "a")).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> REGISTERED.checkMoveTo(ON_DISK_STORAGE, "a")).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> ON_DISK_STORAGE.checkMoveTo(COMPRESSED, "a")).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> COMPRESSED.checkMoveTo(ON_TAPE, "a")).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> QUARANTINED.checkMoveTo(SHIPPING, "a")).isInstanceOf(IllegalTransitionException.class);
        assertThatThrownBy(() -> QUARANTINED.checkMoveTo(QUARANTINED, "a")).isInstanceOf(IllegalTransitionException.class);
    }

    @ParameterizedTest
    @EnumSource(FileState.class)
    void noStateMovesToItself(FileState s) {
        assertThat(s.canMoveTo(s)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = FileState.class, names = {"QUARANTINED", "MISSING", "FORGOTTEN"}, mode = EnumSource.Mode.EXCLUDE)
    void everyStateCanBeQuarantinedAndRetriedToItsRestingState(FileState s) {
        assertThat(s.canMoveTo(QUARANTINED)).isTrue();
        assertThat(QUARANTINED.canMoveTo(s.restingState())).as("retry of a file quarantined from %s", s).isTrue();
    }

    @Test
    void restingStateMapping() {
        Map<FileState, FileState> expected = new EnumMap<>(Map.of(
                REGISTERED, REGISTERED,
                SHIPPING, REGISTERED,
                ON_DISK_STORAGE, ON_DISK_STORAGE,
                COMPRESSING, ON_DISK_STORAGE,
                COMPRESSED, COMPRESSED,
                TAPE_SUBMITTED, COMPRESSED,
                ON_TAPE, ON_TAPE,
                QUARANTINED, QUARANTINED,
                MISSING, MISSING,
                FORGOTTEN, FORGOTTEN));
        for (FileState s : FileState.values()) {
            assertThat(s.restingState()).as("resting state of %s", s).isEqualTo(expected.get(s));
            assertThat(s.restingState().isWorking()).as("resting state of %s is not a working state", s).isFalse();
            if (s.isWorking()) {
                assertThat(s.canMoveTo(s.restingState())).as("a failed %s goes back to rest", s).isTrue();
            }
        }
    }

    @Test
    void onlyMissingAndForgottenFilesAreGoneFromTheDaqDiskAndNeitherIsQuarantinedOrWorked() {
        for (FileState s : FileState.values()) {
            assertThat(s.isGoneFromDaq()).as("%s", s).isEqualTo(s == MISSING || s == FORGOTTEN);
        }
        assertThat(MISSING.canMoveTo(QUARANTINED)).isFalse();
        assertThat(FORGOTTEN.canMoveTo(MISSING)).isFalse();
        assertThat(ON_DISK_STORAGE.canMoveTo(MISSING)).as("a shipped file's DAQ copy going away is expected").isFalse();
        assertThat(MISSING.isWorking()).isFalse();
        assertThat(FORGOTTEN.isWorking()).isFalse();
    }

    @Test
    void workingStatesAreExactlyTheClaimedOnes() {
        EnumSet<FileState> working = EnumSet.noneOf(FileState.class);
        for (FileState s : FileState.values()) {
            if (s.isWorking()) {
                working.add(s);
            }
        }
        assertThat(working).containsExactlyInAnyOrder(SHIPPING, COMPRESSING, TAPE_SUBMITTED);
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void everyStageClaimsAlongALegalEdgeAndFallsBackToWhereItStarted(Stage stage) {
        assertThat(stage.from().isWorking()).isFalse();
        assertThat(stage.working().isWorking()).isTrue();
        assertThat(stage.from().canMoveTo(stage.working())).isTrue();
        assertThat(stage.working().restingState()).isEqualTo(stage.from());
        assertThat(stage.working().canMoveTo(stage.from())).isTrue();
        assertThat(stage.claimable()).containsExactlyInAnyOrder(stage.from(), stage.working());
    }

    @Test
    void parseAcceptsOperatorSpellingsAndNamesTheKnownStates() {
        assertThat(FileState.parse("on-disk-storage")).isEqualTo(ON_DISK_STORAGE);
        assertThat(FileState.parse(" Quarantined ")).isEqualTo(QUARANTINED);
        assertThat(FileState.parse("tape_submitted")).isEqualTo(TAPE_SUBMITTED);
        assertThatThrownBy(() -> FileState.parse("lost"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'lost'")
                .hasMessageContaining("REGISTERED");
    }
}
