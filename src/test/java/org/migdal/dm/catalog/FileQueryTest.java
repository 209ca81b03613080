package org.migdal.dm.catalog;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which substrings the trigram index serves on SQLite (the answers themselves are checked by {@link ListingContract}). */
class FileQueryTest {
    @Test
    void aRunOfThreeCharactersBetweenWildcardsUsesTheIndexAndTheRowIsCheckedToo() {
        for (String s : new String[]{"abc", "MIG_Fe55_data_220803T145447", "per%cent", "日本.", "ck\\sl"}) {
            String sql = FileQuery.page(new FileFilter(null, null, null, s, 0, 10), JdbcCatalog.Dialect.SQLITE, JdbcCatalog.COLUMNS).sql();
            assertThat(sql).as(s).contains("files_lfn_trigram t").contains("t.lfn LIKE ?").contains("f.lfn LIKE ? ESCAPE").contains("ORDER BY t.rowid");
        }
        for (String s : new String[]{"ab", "a_b_c", "%_%", "日本"}) {
            assertThat(FileQuery.page(new FileFilter(null, null, null, s, 0, 10), JdbcCatalog.Dialect.SQLITE, JdbcCatalog.COLUMNS).sql())
                    .as(s).doesNotContain("files_lfn_trigram").contains("lfn LIKE ? ESCAPE");
        }
        assertThat(FileQuery.page(new FileFilter(null, null, null, "abcdef", 0, 10), JdbcCatalog.Dialect.POSTGRESQL, JdbcCatalog.COLUMNS).sql())
                .as("PostgreSQL's planner picks its pg_trgm index by itself").doesNotContain("files_lfn_trigram");
        assertThat(FileQuery.page(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 10, 5, true), JdbcCatalog.Dialect.SQLITE,
                JdbcCatalog.COLUMNS).sql()).contains("id < ?").endsWith("ORDER BY id DESC LIMIT ? OFFSET ?");
    }
}
