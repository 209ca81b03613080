package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@code ls} and {@code status} rely on at a million rows, on each dialect: keyset pages that return every row exactly
 * once, and per-state counts from the index that equal the rows themselves after many transitions.
 */
abstract class ListingContract {
    protected final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:00Z"));
    private final List<JdbcCatalog> opened = new ArrayList<>();

    protected abstract JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock);

    /** The per-state rows and bytes counted from the table rows, with no index to answer from. */
    protected abstract String plainCountsSql();

    protected JdbcCatalog handle(String owner) {
        JdbcCatalog c = openCatalog(new ClaimPolicy(owner, Duration.ofMinutes(10), 3, Duration.ofSeconds(30)), clock);
        opened.add(c);
        return c;
    }

    @AfterEach
    void closeHandles() {
        opened.forEach(JdbcCatalog::close);
    }

    /** LFNs that a LIKE or a careless comparison would get wrong, many sharing every column but their id. */
    static List<NewFile> oddFiles(int n, String prefix) {
        String[] odd = {"plain", "with space", "per%cent", "under_score", "back\\slash", "quote'd", "ünïcödé", "日本", "a%_\\b", ""};
        List<NewFile> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String lfn = String.format("/2022/20220803/%s%s.%04d.dat", prefix, odd[i % odd.length], i);
            files.add(new NewFile(lfn, i % 3 == 0 ? "data1" : "data2", lfn.substring(15), "MIG_run", 100, Instant.parse("2022-08-03T14:54:47Z")));
        }
        return files;
    }

    private static List<String> keysetPages(Catalog c, FileFilter first, List<Integer> pageSizes) {
        List<String> seen = new ArrayList<>();
        FileFilter page = first;
        for (int i = 0; ; i++) {
            List<CatalogFile> rows = c.list(page);
            if (rows.isEmpty()) {
                return seen;
            }
            assertThat(rows.size()).isLessThanOrEqualTo(page.limit());
            rows.forEach(r -> seen.add(r.lfn()));
            int next = pageSizes.get(i % pageSizes.size());
            page = new FileFilter(first.state(), first.disk(), first.run(), first.lfnLike(), 0, next, rows.get(rows.size() - 1).id());
        }
    }

    @Test
    void substringSearchOfThreeCharactersOrMoreFindsExactlyTheLikeMatchesInBothOrders() {
        JdbcCatalog c = handle("trigram");
        List<NewFile> files = oddFiles(237, "");
        c.register(files);
        // the index (SQLite) covers the first 120 files; the rest are read from the rows: every page spans both parts
        assertThat(new LfnIndex(c).catchUp(120)).isEqualTo(c.dialect() == JdbcCatalog.Dialect.SQLITE ? 120 : 0);
        // (the trigram index on SQLite when a run of three characters lies between the wildcards; both orders, with a disk)
        for (String text : List.of("ünïcödé", "日本.", "with space", "quote'd", ".0017.", "0803/plain", "nowhere at all", "under_score",
                "der_sc", "per%cent", "ck\\sl", "a%_\\b", "_score.0")) {
            List<String> expected = files.stream().map(NewFile::lfn).filter(l -> l.contains(text)).toList();
            assertThat(keysetPages(c, new FileFilter(null, null, null, text, 0, 3), List.of(3))).as("--lfn %s", text)
                    .containsExactlyElementsOf(expected);
            List<String> newestFirst = new ArrayList<>();
            FileFilter page = new FileFilter(null, null, null, text, 0, 2, 0, true);
            for (List<CatalogFile> rows = c.list(page); !rows.isEmpty(); rows = c.list(page.after(rows.get(rows.size() - 1).id()))) {
                rows.forEach(r -> newestFirst.add(r.lfn()));
            }
            List<String> reversed = new ArrayList<>(expected);
            java.util.Collections.reverse(reversed);
            assertThat(newestFirst).as("--lfn %s, newest first", text).containsExactlyElementsOf(reversed);
            assertThat(keysetPages(c, new FileFilter(null, "data1", null, text, 0, 5), List.of(5))).as("--lfn %s --disk data1", text)
                    .containsExactlyElementsOf(files.stream().filter(f -> f.disk().equals("data1") && f.lfn().contains(text))
                            .map(NewFile::lfn).toList());
            assertThat(c.count(new FileFilter(null, null, null, text, 0, 1))).isEqualTo(expected.size());
        }
    }

    @Test
    void keysetPagesReturnEveryRowExactlyOnceWhateverTheFilterAndPageSize() {
        JdbcCatalog c = handle("pager");
        List<NewFile> files = oddFiles(237, "");
        c.register(files);
        List<String> all = files.stream().map(NewFile::lfn).toList();

        for (List<Integer> sizes : List.of(List.of(1), List.of(7), List.of(50), List.of(236), List.of(237), List.of(1000), List.of(3, 11, 2))) {
            assertThat(keysetPages(c, new FileFilter(null, null, null, null, 0, sizes.get(0)), sizes)).as("page sizes %s", sizes)
                    .containsExactlyElementsOf(all);
        }
        Map<String, Function<NewFile, Boolean>> filters = Map.of("%", f -> f.lfn().contains("%"), "_", f -> f.lfn().contains("_"),
                "\\", f -> f.lfn().contains("\\"), "ünï", f -> f.lfn().contains("ünï"), "'", f -> f.lfn().contains("'"));
        filters.forEach((text, matches) -> assertThat(keysetPages(c, new FileFilter(null, null, null, text, 0, 4), List.of(4)))
                .as("--lfn %s", text).containsExactlyElementsOf(files.stream().filter(matches::apply).map(NewFile::lfn).toList()));
        assertThat(keysetPages(c, new FileFilter(null, "data1", null, null, 0, 9), List.of(9)))
                .containsExactlyElementsOf(files.stream().filter(f -> f.disk().equals("data1")).map(NewFile::lfn).toList());
        assertThat(c.count(new FileFilter(null, "data1", null, null, 0, 9).after(50)))
                .as("the count is of the filter, not of the page").isEqualTo(files.stream().filter(f -> f.disk().equals("data1")).count());
    }

    @Test
    void rowsAddedWhilePagingAreNeitherRepeatedNorCauseRowsToBeSkipped() {
        JdbcCatalog c = handle("pager");
        List<NewFile> before = oddFiles(60, "a");
        c.register(before);
        List<String> seen = new ArrayList<>();
        FileFilter page = FileFilter.all(10);
        List<NewFile> later = oddFiles(30, "b");
        for (int i = 0; ; i++) {
            List<CatalogFile> rows = c.list(page);
            if (rows.isEmpty()) {
                break;
            }
            rows.forEach(r -> seen.add(r.lfn()));
            if (i < 3) { // new files arrive between pages (a scan running beside ls)
                c.register(later.subList(i * 10, i * 10 + 10));
            }
            page = page.after(rows.get(rows.size() - 1).id());
        }
        assertThat(seen).doesNotHaveDuplicates().hasSize(90);
        assertThat(seen.subList(0, 60)).containsExactlyElementsOf(before.stream().map(NewFile::lfn).toList());
    }

    @Test
    void anOffsetAndACursorTogetherAreRefused() {
        assertThatThrownBy(() -> new FileFilter(null, null, null, null, 10, 5, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countsEqualThePlainRowCountsAfterManyTransitions() {
        JdbcCatalog c = handle("worker");
        Random random = new Random(7);
        List<NewFile> files = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            files.add(new NewFile("/2022/20220803/MIG_run/f" + i + ".dat", "data" + (i % 3 + 1), "MIG_run/f" + i + ".dat", "MIG_run",
                    1000 + random.nextInt(1_000_000), Instant.parse("2022-08-03T14:54:47Z")));
        }
        c.register(files);
        for (int round = 0; round < 8; round++) {
            clock.advance(Duration.ofHours(1)); // past every backoff
            for (CatalogFile f : c.claim(Stage.SHIP, 60)) {
                switch (random.nextInt(5)) {
                    case 0 -> c.fail(f, "ship", "copy refused", false);
                    case 1 -> c.fail(f, "ship", "contradicting sizes", true);
                    case 2 -> c.markMissing(f, "vanished");
                    default -> c.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("0a0b0c0d"), "ship", "copied");
                }
            }
            for (CatalogFile f : c.claim(Stage.COMPRESS, 40)) {
                if (random.nextInt(4) == 0) {
                    c.fail(f, "compress", "bzip2 failed", false);
                } else {
                    c.advance(f, FileState.COMPRESSED, Changes.none().compressed(f.lfn() + ".bz2", 10, "11223344"), "compress", "ok");
                }
            }
            for (CatalogFile f : c.claim(Stage.TAPE, 30)) {
                c.advance(f, FileState.ON_TAPE, Changes.none().tapeTransferId("builtin:x"), "tape", "on tape");
            }
            if (round % 3 == 2) {
                c.retryAllQuarantined();
            }
            assertThat(counts(c.counts())).as("round %d", round).isEqualTo(plainCounts(c));
        }
        assertThat(counts(c.counts()).keySet()).as("the transitions reached many states")
                .anyMatch(k -> k.endsWith("ON_TAPE")).anyMatch(k -> k.endsWith("MISSING")).anyMatch(k -> k.endsWith("QUARANTINED"));
    }

    private static Map<String, List<Long>> counts(List<StateCount> counts) {
        Map<String, List<Long>> m = new TreeMap<>();
        counts.forEach(s -> m.put(s.disk() + " " + s.state(), List.of(s.files(), s.bytes())));
        return m;
    }

    private Map<String, List<Long>> plainCounts(JdbcCatalog c) {
        return c.inTransaction(conn -> {
            Map<String, List<Long>> m = new TreeMap<>();
            for (String sql : plainCountsSql().split(";")) {
                try (PreparedStatement ps = conn.prepareStatement(sql.strip())) {
                    if (!sql.strip().toUpperCase().startsWith("SELECT")) {
                        ps.execute();
                        continue;
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            m.put(rs.getString(1) + " " + rs.getString(2), List.of(rs.getLong(3), rs.getLong(4)));
                        }
                    }
                }
            }
            return m;
        }, "counting the rows");
    }
}
