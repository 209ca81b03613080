package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code runs}, {@code manifest} and {@code /runs} rely on, on each dialect: per-run counts that equal the rows, a
 * run complete only when every file is ON_TAPE (a FORGOTTEN file is given up, not complete), the files not on tape in
 * LFN byte order, keyset pages over runs that return every run exactly once, and one snapshot per answer.
 */
abstract class RunsContract {
    protected final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:00Z"));
    private final List<JdbcCatalog> opened = new ArrayList<>();

    protected abstract JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock);

    protected JdbcCatalog handle(String owner) {
        JdbcCatalog c = openCatalog(new ClaimPolicy(owner, Duration.ofMinutes(10), 3, Duration.ofSeconds(30)), clock);
        opened.add(c);
        return c;
    }

    @AfterEach
    void closeHandles() {
        opened.forEach(JdbcCatalog::close);
    }

    static NewFile file(String run, String name, long size) {
        String lfn = "/2208/220803/" + run + "/" + name;
        return new NewFile(lfn, "data1", run + "/" + name, run, size, Instant.parse("2022-08-03T14:54:47Z"));
    }

    /**
     * Moves registered files through the real claims to their target state: REGISTERED (put back), ON_DISK_STORAGE,
     * COMPRESSED, ON_TAPE (one second apart, in LFN order), QUARANTINED (a permanent failure while shipping), MISSING,
     * FORGOTTEN. Returns when each file reached the tape.
     */
    Map<String, Instant> drive(JdbcCatalog c, Map<String, FileState> targets) {
        Map<String, Instant> onTape = new TreeMap<>();
        for (CatalogFile f : c.claim(Stage.SHIP, 100_000)) {
            FileState t = targets.get(f.lfn());
            switch (t) {
                case REGISTERED -> c.putBack(f, "ship", "not now");
                case MISSING, FORGOTTEN -> c.markMissing(f, "vanished from data1 before it was shipped");
                case QUARANTINED -> c.fail(f, "ship", "size differs: storage says " + (f.size() - 1) + ", DAQ " + f.size(), true);
                default -> c.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32(String.format("%08x", f.id() * 7919)), "ship",
                        "shipped");
            }
        }
        List<String> forgotten = targets.entrySet().stream().filter(e -> e.getValue() == FileState.FORGOTTEN).map(Map.Entry::getKey).toList();
        if (!forgotten.isEmpty()) {
            assertThat(c.forget(forgotten).forgotten()).hasSize(forgotten.size());
        }
        for (CatalogFile f : c.claim(Stage.COMPRESS, 100_000)) {
            if (targets.get(f.lfn()) == FileState.ON_DISK_STORAGE) {
                c.putBack(f, "compress", "not now");
            } else {
                c.advance(f, FileState.COMPRESSED, Changes.none().compressed(f.lfn() + ".bz2", f.size() / 3, "0a0b0c0d"), "compress", "ok");
            }
        }
        List<CatalogFile> tape = new ArrayList<>(c.claim(Stage.TAPE, 100_000));
        tape.sort(Comparator.comparing(CatalogFile::lfn));
        for (CatalogFile f : tape) {
            if (targets.get(f.lfn()) == FileState.COMPRESSED) {
                c.putBack(f, "tape", "not now");
            } else {
                clock.advance(Duration.ofSeconds(1));
                c.advance(f, FileState.ON_TAPE, Changes.none().tapeTransferId("builtin:" + f.id())
                        .tapeEvidence("size+adler32 only (file:// tape, no residency information)"), "tape", "on tape");
                onTape.put(f.lfn(), clock.instant());
            }
        }
        for (Map.Entry<String, FileState> e : targets.entrySet()) {
            assertThat(c.find(e.getKey()).orElseThrow().state()).as(e.getKey()).isEqualTo(e.getValue());
        }
        return onTape;
    }

    private static String lfn(String run, String name) {
        return "/2208/220803/" + run + "/" + name;
    }

    @Test
    void aRunIsCompleteWhenEveryFileIsOnTapeAndSaysSinceWhen() {
        JdbcCatalog c = handle("runs");
        String run = "MIG_Fe55_data_220803T145447";
        c.register(List.of(file(run, "a.dat", 100), file(run, "b.dat", 200), file(run, "c.dat", 300)));
        Map<String, FileState> targets = new LinkedHashMap<>();
        for (String n : List.of("a.dat", "b.dat", "c.dat")) {
            targets.put(lfn(run, n), FileState.ON_TAPE);
        }
        Map<String, Instant> at = drive(c, targets);

        RunSummary s = new Runs(c).run(run, 10).orElseThrow();

        assertThat(s.run()).isEqualTo(run);
        assertThat(s.files()).isEqualTo(3);
        assertThat(s.bytes()).isEqualTo(600);
        assertThat(s.states()).containsExactly(Map.entry(FileState.ON_TAPE, 3L));
        assertThat(s.onTape()).isEqualTo(3);
        assertThat(s.notOnTape()).isZero();
        assertThat(s.givenUp()).isZero();
        assertThat(s.complete()).isTrue();
        assertThat(s.allOnTapeSince()).isEqualTo(at.values().stream().max(Comparator.naturalOrder()).orElseThrow())
                .isEqualTo(c.find(lfn(run, "c.dat")).orElseThrow().onTapeAt());
        assertThat(s.missing()).isEmpty();
    }

    @Test
    void anIncompleteRunSaysWhatIsMissingInLfnOrderWithStateAndLastError() {
        JdbcCatalog c = handle("runs");
        String run = "MIG_AmBe_data_220804T101010";
        List<NewFile> files = new ArrayList<>();
        Map<String, FileState> targets = new LinkedHashMap<>();
        FileState[] states = {FileState.ON_TAPE, FileState.COMPRESSED, FileState.QUARANTINED, FileState.ON_TAPE, FileState.COMPRESSED,
                FileState.ON_DISK_STORAGE, FileState.REGISTERED, FileState.COMPRESSED};
        for (int i = 0; i < states.length; i++) {
            String name = String.format("f%02d.dat", states.length - i); // registration order is not LFN order
            files.add(file(run, name, 1000 + i));
            targets.put(lfn(run, name), states[i]);
        }
        c.register(files);
        drive(c, targets);

        RunSummary s = new Runs(c).run(run, 4).orElseThrow();

        assertThat(s.complete()).isFalse();
        assertThat(s.allOnTapeSince()).isNull();
        assertThat(s.files()).isEqualTo(8);
        assertThat(s.bytes()).isEqualTo(files.stream().mapToLong(NewFile::size).sum());
        assertThat(s.states()).containsExactly(Map.entry(FileState.REGISTERED, 1L), Map.entry(FileState.ON_DISK_STORAGE, 1L),
                Map.entry(FileState.COMPRESSED, 3L), Map.entry(FileState.ON_TAPE, 2L), Map.entry(FileState.QUARANTINED, 1L));
        assertThat(s.onTape()).isEqualTo(2);
        assertThat(s.notOnTape()).isEqualTo(6);
        List<String> expected = targets.entrySet().stream().filter(e -> e.getValue() != FileState.ON_TAPE).map(Map.Entry::getKey)
                .sorted().limit(4).toList();
        assertThat(s.missing()).extracting(RunSummary.NotOnTape::lfn).containsExactlyElementsOf(expected);
        for (RunSummary.NotOnTape m : s.missing()) {
            CatalogFile f = c.find(m.lfn()).orElseThrow();
            assertThat(m.state()).isEqualTo(f.state()).isEqualTo(targets.get(m.lfn()));
            assertThat(m.id()).isEqualTo(f.id());
            assertThat(m.lastError()).isEqualTo(f.lastError());
        }
        RunSummary.NotOnTape quarantined = new Runs(c).run(run, 100).orElseThrow().missing().stream()
                .filter(m -> m.state() == FileState.QUARANTINED).findFirst().orElseThrow();
        assertThat(quarantined.lastError()).contains("size differs");
        assertThat(new Runs(c).run(run, 0).orElseThrow().missing()).isEmpty();
    }

    @Test
    void aForgottenFileIsGivenUpAndKeepsItsRunIncomplete() {
        JdbcCatalog c = handle("runs");
        String run = "MIG_DD_data_220805T080000";
        c.register(List.of(file(run, "a.dat", 10), file(run, "b.dat", 20)));
        drive(c, Map.of(lfn(run, "a.dat"), FileState.ON_TAPE, lfn(run, "b.dat"), FileState.FORGOTTEN));

        RunSummary s = new Runs(c).run(run, 10).orElseThrow();

        assertThat(s.complete()).isFalse();
        assertThat(s.givenUp()).isEqualTo(1);
        assertThat(s.notOnTape()).isEqualTo(1);
        assertThat(s.allOnTapeSince()).isNull();
        assertThat(s.missing()).singleElement().satisfies(m -> {
            assertThat(m.lfn()).isEqualTo(lfn(run, "b.dat"));
            assertThat(m.state()).isEqualTo(FileState.FORGOTTEN);
        });
        assertThat(new Runs(c).page(null, 10, true, 0).runs()).extracting(RunSummary::run).containsExactly(run);
    }

    @Test
    void anUnknownRunIsEmptyAndItsReaderIsNeverCalled() throws Exception {
        JdbcCatalog c = handle("runs");
        c.register(List.of(file("MIG_a", "x.dat", 1)));
        assertThat(new Runs(c).run("MIG_b", 5)).isEmpty();
        assertThat(new Runs(c).run("MIG_", 5)).isEmpty();
        assertThat(new Runs(c).read("MIG_b", 5, (s, n, f) -> {
            throw new AssertionError("called for an unknown run");
        })).isEmpty();
    }

    /** Runs named so that a careless comparison or LIKE would misorder or mix them. */
    private static final String[] RUN_NAMES = {"MIG_A", "MIG_a", "MIG_a b", "MIG_a%", "MIG_a_", "MIG_ä", "MIG_日本", "MIG_Z", "MIG_0",
            "MIG_a\\b", "MIG_aa", "MIG_a'q"};

    @Test
    void keysetPagesReturnEveryRunExactlyOnceInOrderAndTheIncompleteOnesWhenAsked() {
        JdbcCatalog c = handle("pager");
        List<NewFile> files = new ArrayList<>();
        Map<String, FileState> targets = new LinkedHashMap<>();
        List<String> incomplete = new ArrayList<>();
        for (int r = 0; r < RUN_NAMES.length; r++) {
            String run = RUN_NAMES[r];
            for (int i = 0; i < 3; i++) {
                NewFile f = file(run, "f" + i + ".dat", 10);
                files.add(f);
                // every third run has one file short of tape, one run one FORGOTTEN file
                FileState t = r % 3 == 1 && i == 2 ? FileState.COMPRESSED : r == 5 && i == 0 ? FileState.FORGOTTEN : FileState.ON_TAPE;
                targets.put(f.lfn(), t);
            }
            if (r % 3 == 1 || r == 5) {
                incomplete.add(run);
            }
        }
        c.register(files);
        drive(c, targets);
        Runs runs = new Runs(c);
        List<String> all = runs.page(null, Runs.MAX_LIMIT, false, 0).runs().stream().map(RunSummary::run).toList();
        assertThat(all).containsExactlyInAnyOrder(RUN_NAMES);
        assertThat(runs.page(null, Runs.MAX_LIMIT, false, 0).next()).isNull();
        for (int i = 1; i < all.size(); i++) { // the database's order is the cursor's: each name sorts after the one before
            assertThat(runs.page(all.get(i - 1), 1, false, 0).runs()).extracting(RunSummary::run).containsExactly(all.get(i));
        }
        List<String> expectedIncomplete = all.stream().filter(incomplete::contains).toList();

        for (int size : List.of(1, 2, 5, 11, 12, 13, 1000)) {
            assertThat(pages(runs, size, false)).as("page size %d", size).containsExactlyElementsOf(all);
            assertThat(pages(runs, size, true)).as("incomplete, page size %d", size).containsExactlyElementsOf(expectedIncomplete);
        }
        for (RunSummary s : runs.page(null, 100, false, 0).runs()) {
            assertThat(s.complete()).as(s.run()).isEqualTo(!incomplete.contains(s.run()));
            assertThat(s.files()).isEqualTo(3);
        }
    }

    private static List<String> pages(Runs runs, int size, boolean incompleteOnly) {
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int guard = 0; guard < 100; guard++) {
            RunPage p = runs.page(after, size, incompleteOnly, 1);
            assertThat(p.runs().size()).isLessThanOrEqualTo(size);
            p.runs().forEach(r -> seen.add(r.run()));
            p.runs().forEach(r -> assertThat(r.missing()).hasSize(r.complete() ? 0 : 1));
            if (p.next() == null) {
                return seen;
            }
            assertThat(p.runs()).hasSize(size);
            assertThat(p.next()).isEqualTo(p.runs().get(size - 1).run());
            after = p.next();
        }
        throw new AssertionError("no last page");
    }

    @Test
    void aRunsFilesComeInLfnByteOrderOnEitherDatabase() throws Exception {
        JdbcCatalog c = handle("order");
        String run = "MIG_order";
        String[] names = {"b.dat", "B.dat", "a b.dat", "a.dat", "ä.dat", "z.dat", "日本.dat", "_x.dat", "%y.dat", "two\nlines.dat",
                "\uD83D\uDE00 emoji.dat", "\uFF21 fullwidth.dat", "Zz.dat"};
        List<NewFile> files = new ArrayList<>();
        Map<String, FileState> targets = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            files.add(file(run, names[i], i + 1));
            targets.put(lfn(run, names[i]), i % 2 == 0 ? FileState.ON_TAPE : FileState.COMPRESSED);
        }
        c.register(files);
        drive(c, targets);
        Comparator<String> bytes = (x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
        List<String> all = targets.keySet().stream().sorted(bytes).toList();
        List<String> notOnTape = all.stream().filter(l -> targets.get(l) != FileState.ON_TAPE).toList();

        List<String> streamed = new ArrayList<>();
        List<String> streamedNotOnTape = new ArrayList<>();
        RunSummary s = new Runs(c).read(run, 3, (summary, missing, every) -> {
            missing.forEach(f -> streamedNotOnTape.add(f.lfn()));
            every.forEach(f -> {
                assertThat(f).isEqualTo(c.find(f.lfn()).orElseThrow());
                streamed.add(f.lfn());
            });
            return summary;
        }).orElseThrow();

        assertThat(streamed).containsExactlyElementsOf(all);
        assertThat(streamedNotOnTape).containsExactlyElementsOf(notOnTape);
        assertThat(s.missing()).extracting(RunSummary.NotOnTape::lfn).containsExactlyElementsOf(notOnTape.subList(0, 3));
    }

    @Test
    void aReadSeesOneSnapshotWhileAnotherProcessMovesTheRunOn() throws Exception {
        JdbcCatalog reader = handle("reader");
        JdbcCatalog writer = handle("writer");
        String run = "MIG_snapshot";
        List<NewFile> files = new ArrayList<>();
        Map<String, FileState> targets = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) {
            files.add(file(run, "f" + i + ".dat", 10));
            targets.put(lfn(run, "f" + i + ".dat"), FileState.COMPRESSED);
        }
        writer.register(files);
        drive(writer, targets);

        List<FileState> seen = new ArrayList<>();
        RunSummary s = new Runs(reader).read(run, 0, (summary, missing, every) -> {
            // meanwhile another process puts every file on tape
            for (CatalogFile f : writer.claim(Stage.TAPE, 100)) {
                writer.advance(f, FileState.ON_TAPE, Changes.none().tapeEvidence("size+adler32"), "tape", "on tape");
            }
            every.forEach(f -> seen.add(f.state()));
            return summary;
        }).orElseThrow();

        assertThat(s.states()).containsExactly(Map.entry(FileState.COMPRESSED, 5L));
        assertThat(seen).containsOnly(FileState.COMPRESSED).hasSize(5);
        assertThat(new Runs(reader).run(run, 0).orElseThrow().complete()).isTrue(); // the next read sees the change
    }

    @Test
    void theCountsEqualTheRowsOfEveryRun() {
        JdbcCatalog c = handle("counts");
        List<NewFile> files = new ArrayList<>();
        Map<String, FileState> targets = new LinkedHashMap<>();
        FileState[] cycle = {FileState.ON_TAPE, FileState.REGISTERED, FileState.ON_TAPE, FileState.COMPRESSED, FileState.QUARANTINED,
                FileState.ON_DISK_STORAGE, FileState.MISSING, FileState.ON_TAPE, FileState.FORGOTTEN};
        for (int i = 0; i < 200; i++) {
            NewFile f = file("MIG_r" + (i % 7), "f" + i + ".dat", 1000L * i);
            files.add(f);
            targets.put(f.lfn(), cycle[(i * 5) % cycle.length]);
        }
        c.register(files);
        drive(c, targets);
        List<CatalogFile> rows = c.list(FileFilter.all(1_000));
        for (RunSummary s : new Runs(c).page(null, 100, false, 1000).runs()) {
            List<CatalogFile> mine = rows.stream().filter(r -> r.run().equals(s.run())).toList();
            assertThat(s.files()).isEqualTo(mine.size());
            assertThat(s.bytes()).isEqualTo(mine.stream().mapToLong(CatalogFile::size).sum());
            Map<FileState, Long> states = new TreeMap<>();
            mine.forEach(r -> states.merge(r.state(), 1L, Long::sum));
            assertThat(s.states()).isEqualTo(states);
            assertThat(s.givenUp()).isEqualTo(mine.stream().filter(r -> r.state() == FileState.FORGOTTEN).count());
            assertThat(s.missing()).extracting(RunSummary.NotOnTape::lfn).containsExactlyInAnyOrderElementsOf(
                    mine.stream().filter(r -> r.state() != FileState.ON_TAPE).map(CatalogFile::lfn).toList());
            Optional<Instant> latest = mine.stream().map(CatalogFile::onTapeAt).filter(java.util.Objects::nonNull).max(Comparator.naturalOrder());
            assertThat(s.allOnTapeSince()).isEqualTo(s.complete() ? latest.orElse(null) : null);
        }
    }
}
