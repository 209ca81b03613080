package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which substrings the trigram index serves on SQLite (the answers themselves are checked by {@link ListingContract}). */
class FileQueryTest {
    @Test
    void aRunOfThreeCharactersBetweenWildcardsUsesTheIndexAndTheRowIsCheckedToo() {
        for (String s : new String[]{"abc", "MIG_Fe55_data_220803T145447", "per%cent", "日本.", "ck\\sl"}) {
            assertThat(FileQuery.usesTrigramIndex(s)).as(s).isTrue();
            String sql = FileQuery.indexed(new FileFilter(null, null, null, s, 0, 10), JdbcCatalog.COLUMNS, 100).sql();
            assertThat(sql).as(s).contains("files_lfn_trigram t").contains("t.lfn LIKE ?").contains("t.rowid <= ?")
                    .contains("f.lfn LIKE ? ESCAPE").contains("ORDER BY t.rowid");
        }
        for (String s : new String[]{"ab", "a_b_c", "%_%", "日本"}) {
            assertThat(FileQuery.usesTrigramIndex(s)).as(s).isFalse();
        }
        assertThat(FileQuery.plain(new FileFilter(null, null, null, "abcdef", 0, 10), JdbcCatalog.COLUMNS, 100).sql())
                .as("the files the index does not cover yet").contains("id > ?").contains("lfn LIKE ? ESCAPE").doesNotContain("trigram");
        assertThat(FileQuery.plain(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 10, 5, true), JdbcCatalog.COLUMNS, 0).sql())
                .contains("id < ?").endsWith("ORDER BY id DESC LIMIT ? OFFSET ?");
    }
}
