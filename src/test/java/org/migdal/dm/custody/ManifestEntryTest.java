package org.migdal.dm.custody;

import org.junit.jupiter.api.Test;
import org.migdal.dm.catalog.FileState;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** One file is one line and one value one field: what the text manifest and the digest rely on. */
class ManifestEntryTest {
    @Test
    void escapingKeepsEveryValueOnOneLineWithoutTabsAndTellsAbsentFromADash() {
        assertThat(ManifestEntry.escape("/a/plain name ünïcode 日本.dat")).isEqualTo("/a/plain name ünïcode 日本.dat");
        assertThat(ManifestEntry.escape("two\nlines\ttab\rcr\\back")).isEqualTo("two\\nlines\\ttab\\rcr\\\\back");
        assertThat(ManifestEntry.escape("bell\u0007del\u007f")).isEqualTo("bell\\x07del\\x7f");
        assertThat(ManifestEntry.escape("nel\u0085ls\u2028ps\u2029")).isEqualTo("nel\\u0085ls\\u2028ps\\u2029");
        assertThat(ManifestEntry.escape(null)).isEqualTo("-");
        assertThat(ManifestEntry.escape("-")).isEqualTo("\\-");
        assertThat(ManifestEntry.escape("--")).isEqualTo("--");
        assertThat(ManifestEntry.escape("\\n")).isEqualTo("\\\\n"); // a backslash and an n are not a line feed
    }

    @Test
    void theCanonicalLineHasTwelveFieldsInTheDocumentedOrder() {
        ManifestEntry e = new ManifestEntry("/x/a\tb.dat", FileState.ON_TAPE, 12, "0000000c", "/x/a\tb.dat.bz2", 5L, "00000005",
                "file:///tape/x/a\tb.dat.bz2", Instant.parse("2024-03-01T12:00:00.123Z"), "size+adler32", Instant.parse("2024-03-01T11:00:00Z"),
                null);
        String line = e.canonicalLine();
        assertThat(line).doesNotContain("\n");
        assertThat(line.split("\t", -1)).containsExactly("/x/a\\tb.dat", "ON_TAPE", "12", "0000000c", "/x/a\\tb.dat.bz2", "5", "00000005",
                "file:///tape/x/a\\tb.dat.bz2", "2024-03-01T12:00:00.123Z", "size+adler32", "2024-03-01T11:00:00Z", "-");
    }
}
