package org.migdal.dm.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.util.Random;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Adler32sTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "7a3b1|0007a3b1",
            "0007a3b1|0007a3b1",
            "0X0007A3B1|0007a3b1",
            "0x7a3b1|0007a3b1",
            "' 0007a3b1 '|0007a3b1",
            "FFFFFFFF|ffffffff",
            "1|00000001",
            "0|00000000"})
    void normalise(String in, String out) {
        assertThat(Adler32s.normalise(in)).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "0x", "xyz", "123456789", "-1", "7a 3b1", "7a3b1g", "adler32:7a3b1", "０７"})
    void normaliseRejectsJunk(String junk) {
        assertThatThrownBy(() -> Adler32s.normalise(junk)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void normaliseRejectsNull() {
        assertThatThrownBy(() -> Adler32s.normalise(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hexIsEightLowercaseDigits() {
        assertThat(Adler32s.hex(1)).isEqualTo("00000001");
        assertThat(Adler32s.hex(0xDEADBEEFL)).isEqualTo("deadbeef");
        assertThat(Adler32s.hex(0x1_0000_0001L)).isEqualTo("00000001");
    }

    @Test
    void ofMatchesTheJdkAdler32() throws Exception {
        byte[] data = new byte[200_003];
        new Random(11).nextBytes(data);
        Adler32 a = new Adler32();
        a.update(data);

        Adler32s.Sum sum = Adler32s.of(new ByteArrayInputStream(data));

        assertThat(sum.bytes()).isEqualTo(data.length);
        assertThat(sum.adler32()).isEqualTo(Checksum.adler32(String.format("%08x", a.getValue())));
        assertThat(Adler32s.of(new ByteArrayInputStream(new byte[0]))).isEqualTo(new Adler32s.Sum(0, org.migdal.dm.storage.Checksum.adler32("00000001")));
    }

    /** Two pieces summed apart and combined give the adler32 of the whole, wherever the cut (pieces longer than 65521 too). */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65520, 65521, 65522, 200_000, 299_999, 300_000})
    void combiningTheSumsOfTwoPiecesGivesTheSumOfTheWhole(int cut) {
        byte[] data = new byte[300_000];
        new Random(cut).nextBytes(data);
        Adler32 whole = new Adler32();
        whole.update(data);
        Adler32 first = new Adler32();
        first.update(data, 0, cut);
        Adler32 second = new Adler32();
        second.update(data, cut, data.length - cut);
        assertThat(Adler32s.combine(first.getValue(), second.getValue(), data.length - cut)).isEqualTo(whole.getValue());
    }
}
