package org.migdal.dm.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The Checksum value type: adler32 normalised to 8 lower-case hex digits, strictly parsed (storage-servers.md §0 rule 1). */
class ChecksumTest {

    @Test
    void leadingZerosAreRestoredAsEosStripsThem() {
        assertThat(Checksum.adler32("84b021f")).isEqualTo(Checksum.adler32("084b021f"));
        assertThat(Checksum.adler32("1").value()).isEqualTo("00000001");
        assertThat(Checksum.adler32("0").value()).isEqualTo("00000000");
    }

    @Test
    void upperAndMixedCaseAreTheSameChecksum() {
        assertThat(Checksum.adler32("5AE07809")).isEqualTo(Checksum.adler32("5ae07809"));
        assertThat(Checksum.adler32("Ab123").value()).isEqualTo("000ab123");
        assertThat(Checksum.parse("ADLER32", "5ae07809")).isEqualTo(Checksum.adler32("5ae07809"));
        assertThat(Checksum.parse("Adler32", "abc123").value()).isEqualTo("00abc123");
    }

    @Test
    void computedValuesUseTheLow32Bits() {
        assertThat(Checksum.adler32(1L)).isEqualTo(Checksum.adler32("00000001"));
        assertThat(Checksum.adler32(0x1_ffff_ffffL).value()).isEqualTo("ffffffff");
        java.util.zip.Adler32 a = new java.util.zip.Adler32();
        a.update("migdal".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(Checksum.adler32(a.getValue()).value()).isEqualTo(String.format("%08x", a.getValue()));
    }

    @Test
    void differentValuesAreNotEqualAndTheTextFormIsTheValue() {
        assertThat(Checksum.adler32("0000abcd")).isNotEqualTo(Checksum.adler32("0000abce"));
        assertThat(Checksum.adler32("ABCD").toString()).isEqualTo("0000abcd");
        assertThat(Checksum.adler32("ABCD").describe()).isEqualTo("adler32 0000abcd");
        assertThat(Checksum.adler32("ABCD").algorithm()).isEqualTo("adler32");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "123456789", "0x1234", "12 34", " 1234", "1234 ", "-1", "+1", "xyz", "g0000000",
            "１２３", "5ae07809\n", "rFb0uPrFc5zNtFd30xO+zw=="})
    void anythingButOneToEightHexDigitsIsRefused(String bad) {
        assertThatThrownBy(() -> Checksum.adler32(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adler32");
    }

    @Test
    void nullAndOtherAlgorithmsAreRefused() {
        assertThatThrownBy(() -> Checksum.adler32((String) null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Checksum.parse("md5", "d41d8cd98f00b204e9800998ecf8427e")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("md5");
        assertThatThrownBy(() -> Checksum.parse(null, "1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCanonicalConstructorAcceptsOnlyTheNormalForm() {
        assertThat(new Checksum("adler32", "0a0b0c0d")).isEqualTo(Checksum.adler32("A0B0C0D"));
        assertThatThrownBy(() -> new Checksum("adler32", "A0B0C0D")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Checksum("ADLER32", "0a0b0c0d")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Checksum("md5", "0a0b0c0d")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void catalogTextReadsBackOrStaysNull() {
        assertThat(Checksum.ofCatalog(null)).isNull();
        assertThat(Checksum.ofCatalog("0a0b0c0d")).isEqualTo(Checksum.adler32("a0b0c0d"));
    }
}
