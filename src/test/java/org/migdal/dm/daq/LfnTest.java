package org.migdal.dm.daq;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LfnTest {

    @Test
    void stampFromTheRunTimestampInTheFileName() {
        assertThat(Lfn.of("MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat"))
                .contains("/2208/220803/MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat");
    }

    @Test
    void leadingSlashOfTheRelativePathIsNotDoubled() {
        assertThat(Lfn.of("/MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat"))
                .contains("/2208/220803/MIG_Fe55_data_220803T145447/MIG_Fe55_data_220803T145447.CAL.0000.dat");
    }

    @Test
    void anExistingStampIsKept() {
        assertThat(Lfn.of("2208/220803/x/MIG_Fe55_data_220803T145447.dat"))
                .contains("/2208/220803/x/MIG_Fe55_data_220803T145447.dat");
        assertThat(Lfn.of("/2208/220803/x/MIG_Fe55_data_220803T145447.dat"))
                .contains("/2208/220803/x/MIG_Fe55_data_220803T145447.dat");
    }

    @Test
    void aPrefixThatIsNotAConsistentValidStampIsNotTakenForOne() {
        // 2209 does not match 220803, and 221399 is no date: both get a fresh stamp from the file's timestamp
        assertThat(Lfn.of("2209/220803/MIG_a_220803T145447.dat")).contains("/2208/220803/2209/220803/MIG_a_220803T145447.dat");
        assertThat(Lfn.of("2213/221399/MIG_a_220803T145447.dat")).contains("/2208/220803/2213/221399/MIG_a_220803T145447.dat");
    }

    @Test
    void noTimestampGivesNoLfn() {
        assertThat(Lfn.of("MIG_Fe55_data/frame.dat")).isEmpty();
        assertThat(Lfn.of("MIG_Fe55_data/readme")).isEmpty();
    }

    @Test
    void anInvalidDateOrTimeIsNotTaken() {
        assertThat(Lfn.of("MIG_x/MIG_x_221301T145447.dat")).isEmpty(); // month 13
        assertThat(Lfn.of("MIG_x/MIG_x_220230T145447.dat")).isEmpty(); // 30 February
        assertThat(Lfn.of("MIG_x/MIG_x_220803T245447.dat")).isEmpty(); // hour 24
        assertThat(Lfn.of("MIG_x/MIG_x_220803T146047.dat")).isEmpty(); // minute 60
    }

    @Test
    void anInvalidStampInTheNameFallsBackToAValidOneInTheFolder() {
        assertThat(Lfn.of("MIG_x_220803T145447/MIG_x_221301T145447.dat"))
                .contains("/2208/220803/MIG_x_220803T145447/MIG_x_221301T145447.dat");
    }

    @Test
    void aStampInsideALongerNumberIsNotATimestamp() {
        assertThat(Lfn.of("MIG_x/run_1220803T145447.dat")).isEmpty();
        assertThat(Lfn.of("MIG_x/run_220803T1454471.dat")).isEmpty();
    }

    @Test
    void timestampOnlyInTheFolder() {
        assertThat(Lfn.of("MIG_Fe55_data_220803T145447/frame_0001.dat"))
                .contains("/2208/220803/MIG_Fe55_data_220803T145447/frame_0001.dat");
        assertThat(Lfn.of("MIG_Fe55_data_220803T145447/sub/deeper/frame_0001.dat"))
                .contains("/2208/220803/MIG_Fe55_data_220803T145447/sub/deeper/frame_0001.dat");
    }

    @Test
    void theFileNameWinsOverTheFolder() {
        // a run that passes midnight: the file's own timestamp dates it
        assertThat(Lfn.of("MIG_x_220803T235959/MIG_x_220804T000102.dat"))
                .contains("/2208/220804/MIG_x_220803T235959/MIG_x_220804T000102.dat");
    }

    @Test
    void spacesAndUnicodeArePreservedExactly() {
        String rel = "MIG_Ünïcødé run_220803T145447/Ünïcødé frame 0001 µs.dat";
        assertThat(Lfn.of(rel)).contains("/2208/220803/" + rel);
        assertThat(Lfn.problemWithName(rel)).isEmpty();
        assertThat(Lfn.problemWithName("MIG_a b_220803T145447/a  b.dat")).isEmpty();
    }

    @Test
    void controlCharactersAreRejected() {
        assertThat(Lfn.problemWithName("MIG_x_220803T145447/bad\nname.dat")).get().asString()
                .contains("control character").contains("code 10");
        assertThat(Lfn.problemWithName("MIG_x_220803T145447/tab\tname.dat")).get().asString().contains("code 9");
        assertThat(Lfn.problemWithName("MIG_x_220803T145447/del\u007fname.dat")).get().asString().contains("code 127");
        assertThat(Lfn.problemWithName("MIG_x_220803T145447/cr\rname.dat")).isPresent();
        assertThat(Lfn.problemWithName("MIG_x_220803T145447/bad\ufffdname.dat")).get().asString().contains("UTF-8");
        assertThat(Lfn.problemWithName("MIG_x_220803T145447/fine.dat")).isEmpty();
    }
}
