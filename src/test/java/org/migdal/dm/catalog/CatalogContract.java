package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.migdal.dm.catalog.FileState.COMPRESSED;
import static org.migdal.dm.catalog.FileState.COMPRESSING;
import static org.migdal.dm.catalog.FileState.ON_DISK_STORAGE;
import static org.migdal.dm.catalog.FileState.ON_TAPE;
import static org.migdal.dm.catalog.FileState.QUARANTINED;
import static org.migdal.dm.catalog.FileState.REGISTERED;
import static org.migdal.dm.catalog.FileState.SHIPPING;
import static org.migdal.dm.catalog.FileState.TAPE_SUBMITTED;

/**
 * What every {@link Catalog} implementation must do, run against SQLite ({@link SqliteCatalogTest}) and a real
 * PostgreSQL ({@link PostgresCatalogTest}). Each test starts from an empty catalog; all handles of one test share
 * one {@link MutableClock}, so leases and retry times are moved by hand, never waited for.
 */
abstract class CatalogContract {

    static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");
    static final Duration LEASE = Duration.ofMinutes(10);
    static final Duration BACKOFF = Duration.ofSeconds(30);
    static final int MAX_ATTEMPTS = 3;

    protected final MutableClock clock = new MutableClock(T0);
    private final List<JdbcCatalog> opened = new CopyOnWriteArrayList<>();

    /** Opens a new handle on this test's catalog (the same database every time within one test). */
    protected abstract JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock, int poolSize);

    static ClaimPolicy policy(String owner) {
        return new ClaimPolicy(owner, LEASE, MAX_ATTEMPTS, BACKOFF);
    }

    protected JdbcCatalog handle(String owner) {
        return handle(policy(owner), 4);
    }

    protected JdbcCatalog handle(ClaimPolicy policy, int poolSize) {
        JdbcCatalog c = openCatalog(policy, clock, poolSize);
        opened.add(c);
        return c;
    }

    @AfterEach
    void closeHandles() {
        for (JdbcCatalog c : opened) {
            c.close();
        }
    }

    static NewFile file(String lfn) {
        return file(lfn, "data1", "MIG_run1", 100);
    }

    static NewFile file(String lfn, String disk, String run, long size) {
        String local = lfn.replaceFirst("^/\\d{4}/\\d{6}/", "");
        return new NewFile(lfn, disk, local, run, size, Instant.parse("2022-08-03T14:54:47Z"));
    }

    static List<String> actions(Catalog c, long fileId) {
        return c.events(fileId).stream().map(FileEvent::action).collect(Collectors.toList());
    }

    private static CatalogFile only(List<CatalogFile> files) {
        assertThat(files).hasSize(1);
        return files.get(0);
    }

    // ------------------------------------------------------------------ registration

    @Test
    void registerIsIdempotentAndRecordsOneRegisterEventPerFile() {
        JdbcCatalog c = handle("owner-a");
        List<NewFile> first = List.of(file("/2208/220803/MIG_run1/a.dat"), file("/2208/220803/MIG_run1/b.dat"),
                file("/2208/220803/MIG_run1/c.dat"));
        assertThat(c.register(first)).isEqualTo(new RegisterResult(3, 0));

        clock.advance(Duration.ofMinutes(5));
        List<NewFile> again = new ArrayList<>(first);
        again.add(file("/2208/220803/MIG_run1/d.dat"));
        assertThat(c.register(again)).isEqualTo(new RegisterResult(1, 3));
        assertThat(c.register(first)).isEqualTo(new RegisterResult(0, 3));

        assertThat(c.count(FileFilter.all(100))).isEqualTo(4);
        CatalogFile a = c.find("/2208/220803/MIG_run1/a.dat").orElseThrow();
        assertThat(a.state()).isEqualTo(REGISTERED);
        assertThat(a.registeredAt()).as("a second register leaves the row alone").isEqualTo(T0);
        assertThat(a.disk()).isEqualTo("data1");
        assertThat(a.localPath()).isEqualTo("MIG_run1/a.dat");
        assertThat(a.run()).isEqualTo("MIG_run1");
        assertThat(a.size()).isEqualTo(100);
        assertThat(a.mtime()).isEqualTo(Instant.parse("2022-08-03T14:54:47Z"));
        assertThat(a.attempts()).isZero();
        assertThat(a.claimOwner()).isNull();
        assertThat(a.claimExpires()).isNull();
        assertThat(a.nextAttemptAt()).isNull();
        assertThat(a.adler32()).isNull();
        assertThat(a.shippedAt()).isNull();

        for (String lfn : List.of("/2208/220803/MIG_run1/a.dat", "/2208/220803/MIG_run1/d.dat")) {
            CatalogFile f = c.find(lfn).orElseThrow();
            List<FileEvent> events = c.events(f.id());
            assertThat(events).hasSize(1);
            FileEvent e = events.get(0);
            assertThat(e.fileId()).isEqualTo(f.id());
            assertThat(e.action()).isEqualTo("register");
            assertThat(e.ok()).isTrue();
            assertThat(e.actor()).isEqualTo("owner-a");
            assertThat(e.at()).isEqualTo(f.registeredAt());
            assertThat(e.message()).contains("data1").contains(f.localPath());
        }
    }

    @Test
    void aFileListedTwiceInOneCallIsRegisteredOnce() {
        JdbcCatalog c = handle("owner-a");
        RegisterResult r = c.register(List.of(file("/2208/220803/MIG_run1/a.dat"), file("/2208/220803/MIG_run1/a.dat")));
        assertThat(r).isEqualTo(new RegisterResult(1, 1));
        CatalogFile a = c.find("/2208/220803/MIG_run1/a.dat").orElseThrow();
        assertThat(actions(c, a.id())).containsExactly("register");
    }

    @Test
    void lfnsWithSpacesUnicodeAndLikeCharactersRoundTripExactly() {
        JdbcCatalog c = handle("owner-a");
        List<String> lfns = List.of(
                "/2208/220803/MIG_Fe55 run 1/MIG_Fe55 data 220803T145447.CAL.0000.dat",
                "/2208/220803/MIG_ünïcødé_日本語/データ_220803T145447.dat",
                "/2208/220803/MIG_emoji/🙂 file\ttab.dat",
                "/2208/220803/MIG_quote/it's \"quoted\" \\ back.dat",
                "/2208/220803/MIG_like/100%_done.dat",
                "/2208/220803/MIG_like/1000xdone.dat",
                "/2208/220803/MIG_like/a_b.dat",
                "/2208/220803/MIG_like/axb.dat",
                "  /leading and trailing spaces  ");
        assertThat(c.register(lfns.stream().map(CatalogContract::file).collect(Collectors.toList())).added())
                .isEqualTo(lfns.size());
        for (String lfn : lfns) {
            CatalogFile f = c.find(lfn).orElseThrow(() -> new AssertionError("not found: " + lfn));
            assertThat(f.lfn()).isEqualTo(lfn);
            assertThat(c.get(f.id()).orElseThrow().lfn()).isEqualTo(lfn);
        }
        assertThat(c.find("/2208/220803/MIG_ünïcødé_日本語/データ_220803T145447.DAT")).isEmpty();
        assertThat(c.list(FileFilter.all(100)).stream().map(CatalogFile::lfn)).containsExactlyInAnyOrderElementsOf(lfns);

        // ls --lfn matches a substring literally: % and _ are not wildcards
        assertThat(lfnsLike(c, "100%")).containsExactly("/2208/220803/MIG_like/100%_done.dat");
        assertThat(lfnsLike(c, "a_b")).containsExactly("/2208/220803/MIG_like/a_b.dat");
        assertThat(lfnsLike(c, "日本語/データ")).containsExactly("/2208/220803/MIG_ünïcødé_日本語/データ_220803T145447.dat");
        assertThat(lfnsLike(c, "\\ back")).containsExactly("/2208/220803/MIG_quote/it's \"quoted\" \\ back.dat");
        assertThat(lfnsLike(c, "Fe55 data")).hasSize(1);

        // claims hand the exact name back too
        List<CatalogFile> claimed = c.claim(Stage.SHIP, 100);
        assertThat(claimed.stream().map(CatalogFile::lfn)).containsExactlyInAnyOrderElementsOf(lfns);
    }

    private static List<String> lfnsLike(Catalog c, String part) {
        return c.list(new FileFilter(null, null, null, part, 0, 100)).stream().map(CatalogFile::lfn)
                .collect(Collectors.toList());
    }

    @Test
    void batchedRegistrationOfTwentyThousandFiles() {
        JdbcCatalog c = handle("owner-a");
        int n = 20_000;
        List<NewFile> files = IntStream.range(0, n)
                .mapToObj(i -> file(String.format("/2208/220803/MIG_big_%02d/f_%05d.dat", i % 40, i), "data" + (1 + i % 4),
                        String.format("MIG_big_%02d", i % 40), i))
                .collect(Collectors.toList());
        assertThat(c.register(files)).isEqualTo(new RegisterResult(n, 0));
        assertThat(c.count(FileFilter.all(1))).isEqualTo(n);
        assertThat(c.count(new FileFilter(REGISTERED, "data3", null, null, 0, 1))).isEqualTo(n / 4);
        long bytes = c.counts().stream().mapToLong(StateCount::bytes).sum();
        assertThat(bytes).isEqualTo((long) n * (n - 1) / 2);
        assertThat(c.counts().stream().mapToLong(StateCount::files).sum()).isEqualTo(n);
        for (int i : new int[] {0, 999, 1000, 1001, 19_999}) {
            CatalogFile f = c.find(files.get(i).lfn()).orElseThrow();
            assertThat(f.size()).isEqualTo(i);
            assertThat(actions(c, f.id())).containsExactly("register");
        }
        // a rescan of the same disk adds nothing, across batch boundaries too
        List<NewFile> rescan = new ArrayList<>(files.subList(500, 2500));
        rescan.add(file("/2208/220803/MIG_big_new/new.dat"));
        assertThat(c.register(rescan)).isEqualTo(new RegisterResult(1, 2000));
        assertThat(c.count(FileFilter.all(1))).isEqualTo(n + 1);
    }

    // ------------------------------------------------------------------ claims

    @Test
    void claimMovesARegisteredFileToShippingWithOwnerAndLease() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_run1/a.dat"), file("/2208/220803/MIG_run1/b.dat")));

        CatalogFile a = only(c.claim(Stage.SHIP, 1));
        assertThat(a.state()).isEqualTo(SHIPPING);
        assertThat(a.claimOwner()).isEqualTo("owner-a");
        assertThat(a.claimExpires()).isEqualTo(T0.plus(LEASE));
        assertThat(a.attempts()).as("a first claim is not a retry").isZero();
        assertThat(c.find(a.lfn()).orElseThrow()).isEqualTo(a);

        CatalogFile b = only(c.claim(Stage.SHIP, 10));
        assertThat(b.id()).isNotEqualTo(a.id());
        assertThat(c.claim(Stage.SHIP, 10)).as("the same owner does not claim its own files twice").isEmpty();
        assertThat(c.claim(Stage.COMPRESS, 10)).isEmpty();
        assertThat(c.claim(Stage.SHIP, 0)).isEmpty();
        assertThat(c.count(new FileFilter(SHIPPING, null, null, null, 0, 10))).isEqualTo(2);
    }

    @Test
    void claimIsLimitedToTheNamedDisks() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_r/a.dat", "data1", "MIG_r", 1), file("/2208/220803/MIG_r/b.dat", "data2", "MIG_r", 1),
                file("/2208/220803/MIG_r/c.dat", "data3", "MIG_r", 1)));
        assertThat(c.claim(Stage.SHIP, 10, List.of())).isEmpty();
        List<CatalogFile> claimed = c.claim(Stage.SHIP, 10, List.of("data2", "data3"));
        assertThat(claimed.stream().map(CatalogFile::disk)).containsExactlyInAnyOrder("data2", "data3");
        assertThat(only(c.claim(Stage.SHIP, 10, null)).disk()).isEqualTo("data1");
    }

    @Test
    void anotherOwnerCannotClaimAClaimedFile() {
        JdbcCatalog a = handle("owner-a");
        JdbcCatalog b = handle("owner-b");
        a.register(List.of(file("/2208/220803/MIG_run1/a.dat")));
        CatalogFile mine = only(a.claim(Stage.SHIP, 10));

        assertThat(b.claim(Stage.SHIP, 10)).isEmpty();
        clock.advance(LEASE.minusMillis(1));
        assertThat(b.claim(Stage.SHIP, 10)).as("the lease has not run out yet").isEmpty();
        assertThat(b.find(mine.lfn()).orElseThrow().claimOwner()).isEqualTo("owner-a");

        CatalogFile shipped = a.advance(mine, ON_DISK_STORAGE, Changes.none().adler32("0a0b0c0d"), "ship", "copied");
        assertThat(shipped.claimOwner()).isNull();
        CatalogFile compressing = only(b.claim(Stage.COMPRESS, 10));
        assertThat(compressing.claimOwner()).isEqualTo("owner-b");
        assertThat(compressing.state()).isEqualTo(COMPRESSING);
        assertThat(a.claim(Stage.COMPRESS, 10)).isEmpty();
    }

    @Test
    void advanceFollowsTheWholePipelineAndRecordsEachStep() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_run1/a.dat")));

        clock.advance(Duration.ofSeconds(1));
        CatalogFile f = only(c.claim(Stage.SHIP, 1));
        clock.advance(Duration.ofSeconds(1));
        Instant shippedAt = clock.instant();
        CatalogFile shipped = c.advance(f, ON_DISK_STORAGE, Changes.none().adler32("0a0b0c0d"), "ship", "copied, adler32 0a0b0c0d");
        assertThat(shipped.state()).isEqualTo(ON_DISK_STORAGE);
        assertThat(shipped.adler32()).isEqualTo("0a0b0c0d");
        assertThat(shipped.shippedAt()).isEqualTo(shippedAt);
        assertThat(shipped.claimOwner()).isNull();
        assertThat(shipped.claimExpires()).isNull();
        assertThat(shipped.updatedAt()).isEqualTo(shippedAt);

        clock.advance(Duration.ofSeconds(1));
        CatalogFile comp = only(c.claim(Stage.COMPRESS, 1));
        assertThat(comp.state()).isEqualTo(COMPRESSING);
        clock.advance(Duration.ofSeconds(1));
        Instant compressedAt = clock.instant();
        CatalogFile compressed = c.advance(comp, COMPRESSED,
                Changes.none().compressed("/2208/220803/MIG_run1/a.dat.bz2", 42, "11223344"), "compress", "bzip2, verified");
        assertThat(compressed.compressedName()).isEqualTo("/2208/220803/MIG_run1/a.dat.bz2");
        assertThat(compressed.compressedSize()).isEqualTo(42L);
        assertThat(compressed.compressedAdler32()).isEqualTo("11223344");
        assertThat(compressed.compressedAt()).isEqualTo(compressedAt);

        clock.advance(Duration.ofSeconds(1));
        CatalogFile tape = only(c.claim(Stage.TAPE, 1));
        assertThat(tape.state()).isEqualTo(TAPE_SUBMITTED);
        clock.advance(Duration.ofSeconds(1));
        Instant onTapeAt = clock.instant();
        CatalogFile onTape = c.advance(tape, ON_TAPE, Changes.none().tapeTransferId("builtin:owner-a"), "tape", "on tape");
        assertThat(onTape.state()).isEqualTo(ON_TAPE);
        assertThat(onTape.tapeTransferId()).isEqualTo("builtin:owner-a");
        assertThat(onTape.onTapeAt()).isEqualTo(onTapeAt);
        assertThat(onTape.shippedAt()).isEqualTo(shippedAt);
        assertThat(onTape.adler32()).isEqualTo("0a0b0c0d");
        assertThat(onTape.claimOwner()).isNull();
        assertThat(c.claim(Stage.SHIP, 1)).isEmpty();
        assertThat(c.claim(Stage.COMPRESS, 1)).isEmpty();
        assertThat(c.claim(Stage.TAPE, 1)).isEmpty();

        assertThat(actions(c, f.id())).containsExactly("register", "ship", "compress", "tape");
        assertThat(c.events(f.id())).allMatch(FileEvent::ok);
        assertThat(c.events(f.id()).get(1).message()).isEqualTo("copied, adler32 0a0b0c0d");

        // a stale object of a finished step cannot move the file again
        assertThatThrownBy(() -> c.advance(tape, ON_TAPE, Changes.none(), "tape", "again"))
                .isInstanceOf(LostClaimException.class);

        // the raw storage copy outlives the DAQ copy: a late delete of the DAQ copy relies on it
        assertThat(c.awaitingRawDelete(10)).isEmpty();
        c.markLocalDeleted(onTape, "DAQ copy deleted");
        assertThat(c.awaitingRawDelete(10)).extracting(CatalogFile::id).containsExactly(f.id());
        c.markRawDeleted(onTape, "raw copy deleted");
        assertThat(c.awaitingRawDelete(10)).isEmpty();
        assertThat(c.find(f.lfn()).orElseThrow().rawDeletedAt()).isEqualTo(clock.instant());
    }

    @Test
    void advanceRefusesAnIllegalTransitionAndLeavesTheRowAlone() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_run1/a.dat")));
        CatalogFile f = only(c.claim(Stage.SHIP, 1));

        assertThatThrownBy(() -> c.advance(f, ON_TAPE, Changes.none(), "tape", "skip ahead"))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("SHIPPING").hasMessageContaining("ON_TAPE").hasMessageContaining(f.lfn());
        assertThatThrownBy(() -> c.advance(f, COMPRESSED, Changes.none(), "compress", "skip ahead"))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(c.find(f.lfn()).orElseThrow()).isEqualTo(f);
        assertThat(actions(c, f.id())).containsExactly("register");

        // going back by hand from a resting state is refused as well
        CatalogFile shipped = c.advance(f, ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "ok");
        assertThatThrownBy(() -> c.advance(shipped, REGISTERED, Changes.none(), "x", "back"))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(c.find(f.lfn()).orElseThrow().state()).isEqualTo(ON_DISK_STORAGE);
    }

    @Test
    void advanceAndFailNeedTheClaimThatAnotherOwnerTookOver() {
        JdbcCatalog a = handle("owner-a");
        JdbcCatalog b = handle("owner-b");
        a.register(List.of(file("/2208/220803/MIG_run1/a.dat")));
        CatalogFile mineA = only(a.claim(Stage.SHIP, 1));

        clock.advance(LEASE.plusMillis(1));
        CatalogFile mineB = only(b.claim(Stage.SHIP, 1));
        assertThat(mineB.claimOwner()).isEqualTo("owner-b");

        assertThatThrownBy(() -> a.advance(mineA, ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "late"))
                .isInstanceOf(LostClaimException.class)
                .hasMessageContaining(mineA.lfn());
        assertThatThrownBy(() -> a.fail(mineA, "ship", "late failure", false))
                .isInstanceOf(LostClaimException.class);
        CatalogFile row = a.find(mineA.lfn()).orElseThrow();
        assertThat(row.claimOwner()).isEqualTo("owner-b");
        assertThat(row.state()).isEqualTo(SHIPPING);
        assertThat(row.adler32()).isNull();
        assertThat(row.lastError()).isNull();

        CatalogFile done = b.advance(mineB, ON_DISK_STORAGE, Changes.none().adler32("05060708"), "ship", "ok");
        assertThat(done.adler32()).isEqualTo("05060708");
        assertThat(actions(a, done.id())).containsExactly("register", "claim-takeover", "ship");
    }

    @Test
    void anExpiredLeaseIsTakenOverByAnotherOwnerAsACrashNotAnAttempt() {
        JdbcCatalog a = handle("owner-a");
        JdbcCatalog b = handle("owner-b");
        a.register(List.of(file("/2208/220803/MIG_run1/a.dat")));
        CatalogFile claimed = only(a.claim(Stage.SHIP, 1));

        clock.advance(LEASE);
        assertThat(b.claim(Stage.SHIP, 1)).as("a lease is good up to and including its expiry").isEmpty();
        clock.advance(Duration.ofMillis(1));
        CatalogFile taken = only(b.claim(Stage.SHIP, 1));
        assertThat(taken.id()).isEqualTo(claimed.id());
        assertThat(taken.state()).isEqualTo(SHIPPING);
        assertThat(taken.claimOwner()).isEqualTo("owner-b");
        assertThat(taken.claimExpires()).isEqualTo(clock.instant().plus(LEASE));
        assertThat(taken.attempts()).as("a crash is not the file's failure").isZero();
        assertThat(taken.crashes()).isEqualTo(1);
        assertThat(taken.claimToken()).isNotNull().isNotEqualTo(claimed.claimToken());

        List<FileEvent> events = b.events(taken.id());
        assertThat(events).extracting(FileEvent::action).containsExactly("register", "claim-takeover");
        FileEvent takeover = events.get(1);
        assertThat(takeover.ok()).isFalse();
        assertThat(takeover.actor()).isEqualTo("owner-b");
        assertThat(takeover.at()).isEqualTo(clock.instant());
        assertThat(takeover.message()).contains("owner-a").contains("owner-b");
        assertThat(a.claim(Stage.SHIP, 1)).isEmpty();
    }

    @Test
    void aFileWhoseWorkersKeepDyingIsQuarantinedAfterMaxCrashesWithoutChargingAttempts() {
        JdbcCatalog a = handle("owner-a");
        JdbcCatalog b = handle("owner-b");
        a.register(List.of(file("/2208/220803/MIG_run1/a.dat")));
        CatalogFile first = only(a.claim(Stage.SHIP, 1));
        assertThat(MAX_ATTEMPTS).as("crashes are counted apart from attempts").isLessThan(ClaimPolicy.DEFAULT_MAX_CRASHES);
        for (int crash = 1; crash < ClaimPolicy.DEFAULT_MAX_CRASHES; crash++) {
            clock.advance(LEASE.plusMillis(1));
            CatalogFile taken = only((crash % 2 == 1 ? b : a).claim(Stage.SHIP, 1));
            assertThat(taken.crashes()).isEqualTo(crash);
            assertThat(taken.attempts()).isZero();
        }
        clock.advance(LEASE.plusMillis(1));

        assertThat(b.claim(Stage.SHIP, 1)).as("the fifth dead worker is the last").isEmpty();
        CatalogFile q = b.find(first.lfn()).orElseThrow();
        assertThat(q.state()).isEqualTo(QUARANTINED);
        assertThat(q.quarantinedFrom()).isEqualTo(SHIPPING);
        assertThat(q.attempts()).isZero();
        assertThat(q.crashes()).isEqualTo(ClaimPolicy.DEFAULT_MAX_CRASHES);
        assertThat(q.claimOwner()).isNull();
        assertThat(q.lastError()).contains("died 5 times");
        assertThat(actions(b, q.id())).containsExactly("register", "claim-takeover", "claim-takeover", "claim-takeover",
                "claim-takeover", "claim-takeover");
        assertThat(b.events(q.id()).get(5).message()).startsWith("QUARANTINED");

        assertThat(b.retry(List.of(q.lfn()))).isEqualTo(1);
        CatalogFile again = only(b.claim(Stage.SHIP, 1));
        assertThat(again.attempts()).isZero();
        assertThat(again.crashes()).isZero();
        assertThat(again.state()).isEqualTo(SHIPPING);
    }

    @Test
    void aStepThatLostItsClaimIsFencedOffAndTouchesNothing() {
        JdbcCatalog a = handle("owner-a");
        JdbcCatalog b = handle("owner-b");
        a.register(List.of(file("/2208/220803/MIG_run1/a.dat")));
        CatalogFile mine = only(a.claim(Stage.SHIP, 1));
        assertThat(a.fence(mine).id()).isEqualTo(mine.id());

        clock.advance(LEASE.plusMillis(1));
        CatalogFile theirs = only(b.claim(Stage.SHIP, 1));
        assertThatThrownBy(() -> a.fence(mine)).isInstanceOf(LostClaimException.class);
        assertThatThrownBy(() -> a.advance(mine, ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "late"))
                .isInstanceOf(LostClaimException.class);
        assertThatThrownBy(() -> a.fail(mine, "ship", "late", false)).isInstanceOf(LostClaimException.class);
        assertThat(b.fence(theirs).claimOwner()).isEqualTo("owner-b");

        // the same owner claiming the file again holds a new claim: the old one stays fenced off
        b.fail(theirs, "ship", "try again", false);
        clock.advance(Duration.ofDays(1));
        CatalogFile again = only(b.claim(Stage.SHIP, 1));
        assertThatThrownBy(() -> b.fence(theirs)).isInstanceOf(LostClaimException.class);
        assertThat(b.fence(again).id()).isEqualTo(mine.id());
    }

    @Test
    void anEndpointFailureChargesNoAttemptAndTheEndpointIsDownWithBackoff() {
        JdbcCatalog a = handle("owner-a");
        a.register(List.of(file("/2208/220803/MIG_run1/a.dat")));
        for (int i = 0; i < 10; i++) {
            CatalogFile f = only(a.claim(Stage.SHIP, 1));
            CatalogFile after = a.fail(f, "ship", Failure.endpoint("root://store.example//data", "connection refused"));
            assertThat(after.state()).isEqualTo(REGISTERED);
            assertThat(after.attempts()).isZero();
            a.endpointDown("root://store.example//data", "connection refused");
        }
        EndpointStatus s = a.endpoint("root://store.example//data").orElseThrow();
        assertThat(s.down()).isTrue();
        assertThat(s.failures()).isEqualTo(10);
        assertThat(Duration.between(clock.instant(), s.nextProbeAt())).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.since()).isEqualTo(clock.instant());
        assertThat(a.endpointUp("root://store.example//data").orElseThrow().down()).isTrue();
        assertThat(a.endpoint("root://store.example//data").orElseThrow().down()).isFalse();
        assertThat(a.find("/2208/220803/MIG_run1/a.dat").orElseThrow().lastError()).contains("DOWN").contains("no attempt charged");
    }

    @Test
    void renewedClaimsOutliveTheirFirstLease() {
        JdbcCatalog a = handle("owner-a");
        JdbcCatalog b = handle("owner-b");
        a.register(List.of(file("/2208/220803/MIG_run1/a.dat"), file("/2208/220803/MIG_run1/b.dat")));
        List<CatalogFile> mine = a.claim(Stage.SHIP, 2);
        assertThat(mine).hasSize(2);
        assertThat(b.renewClaims()).as("b holds nothing").isZero();

        clock.advance(LEASE.minusMinutes(1));
        assertThat(a.renewClaims()).isEqualTo(2);
        clock.advance(Duration.ofMinutes(2));
        assertThat(b.claim(Stage.SHIP, 2)).as("renewed a minute before expiry, so still held").isEmpty();
        assertThat(a.find(mine.get(0).lfn()).orElseThrow().claimExpires())
                .isEqualTo(T0.plus(LEASE.minusMinutes(1)).plus(LEASE));
        clock.advance(LEASE);
        assertThat(b.claim(Stage.SHIP, 2)).hasSize(2);
    }

    @Test
    void leaseKeeperRenewsTheClaimsWhileWorkGoesOn() throws Exception {
        Duration shortLease = Duration.ofSeconds(3);
        JdbcCatalog a = handle(new ClaimPolicy("owner-a", shortLease, MAX_ATTEMPTS, BACKOFF), 2);
        a.register(List.of(file("/2208/220803/MIG_run1/a.dat")));
        CatalogFile f = only(a.claim(Stage.SHIP, 1));
        assertThat(f.claimExpires()).isEqualTo(T0.plus(shortLease));

        clock.advance(Duration.ofMinutes(1));
        CountDownLatch renewed = new CountDownLatch(1);
        Catalog counting = (Catalog) Proxy.newProxyInstance(Catalog.class.getClassLoader(), new Class<?>[] {Catalog.class},
                (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(a, args);
                        if (method.getName().equals("renewClaims")) {
                            renewed.countDown();
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        try (LeaseKeeper keeper = new LeaseKeeper(counting, shortLease)) {
            assertThat(renewed.await(30, TimeUnit.SECONDS)).as("the keeper renews within a third of the lease").isTrue();
        }
        assertThat(a.find(f.lfn()).orElseThrow().claimExpires()).isEqualTo(T0.plus(Duration.ofMinutes(1)).plus(shortLease));
    }

    @Test
    void claimsOfADeadProcessOnThisHostAreReleasedAndTakenOver() throws Exception {
        Process p = new ProcessBuilder("cat").redirectErrorStream(true).start();
        try {
            // formatted exactly as ClaimPolicy.thisProcessOwner() names a process
            long start = p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
            String deadOwner = ClaimPolicy.hostName() + ":" + p.pid() + ":" + start;
            String otherHostOwner = "another-host.example:" + p.pid() + ":" + start;
            JdbcCatalog dying = handle(deadOwner);
            JdbcCatalog remote = handle(otherHostOwner);
            JdbcCatalog me = handle(ClaimPolicy.thisProcessOwner());
            dying.register(List.of(file("/2208/220803/MIG_run1/a.dat"), file("/2208/220803/MIG_run1/b.dat"),
                    file("/2208/220803/MIG_run1/c.dat")));
            CatalogFile held = only(dying.claim(Stage.SHIP, 1));
            CatalogFile remoteHeld = only(remote.claim(Stage.SHIP, 1));
            CatalogFile mine = only(me.claim(Stage.SHIP, 1));

            assertThat(me.releaseClaimsOfDeadProcesses()).as("the owner process still runs").isZero();
            assertThat(me.claim(Stage.SHIP, 10)).isEmpty();

            p.getOutputStream().close();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isZero();

            assertThat(me.releaseClaimsOfDeadProcesses()).isEqualTo(1);
            CatalogFile released = me.find(held.lfn()).orElseThrow();
            assertThat(released.state()).isEqualTo(SHIPPING);
            assertThat(actions(me, held.id())).as("the one event of a crash is written by whoever takes the file over")
                    .containsExactly("register");

            CatalogFile taken = only(me.claim(Stage.SHIP, 10));
            assertThat(taken.id()).isEqualTo(held.id());
            assertThat(taken.claimOwner()).isEqualTo(me.owner());
            assertThat(taken.attempts()).isZero();
            assertThat(taken.crashes()).isEqualTo(1);
            assertThat(actions(me, held.id())).containsExactly("register", "claim-takeover");
            assertThat(me.events(held.id()).get(1).message()).contains(deadOwner);

            assertThat(me.releaseClaimsOfDeadProcesses()).as("own and other hosts' claims are never released").isZero();
            assertThat(me.find(remoteHeld.lfn()).orElseThrow().claimOwner()).isEqualTo(otherHostOwner);
            assertThat(me.find(mine.lfn()).orElseThrow().claimOwner()).isEqualTo(me.owner());
            me.advance(taken, ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "resumed");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void claimsUnderContentionHandEachFileToExactlyOneWorker() throws Exception {
        int files = 500;
        int threadsPerHandle = 4;
        JdbcCatalog seed = handle("seeder");
        seed.register(IntStream.range(0, files).mapToObj(i -> file(String.format("/2208/220803/MIG_c/f_%04d.dat", i)))
                .collect(Collectors.toList()));
        List<JdbcCatalog> handles = List.of(handle(policy("worker-a"), threadsPerHandle), handle(policy("worker-b"), threadsPerHandle));

        Map<Long, String> claimedBy = new ConcurrentHashMap<>();
        List<String> duplicates = new CopyOnWriteArrayList<>();
        AtomicInteger claims = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threadsPerHandle * handles.size());
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (JdbcCatalog h : handles) {
                for (int t = 0; t < threadsPerHandle; t++) {
                    String worker = h.owner() + "/" + t;
                    results.add(pool.submit(() -> {
                        go.await();
                        int mine = 0;
                        while (true) {
                            List<CatalogFile> got = h.claim(Stage.SHIP, 1);
                            if (got.isEmpty()) {
                                return mine;
                            }
                            CatalogFile f = only(got);
                            claims.incrementAndGet();
                            String before = claimedBy.putIfAbsent(f.id(), worker);
                            if (before != null) {
                                duplicates.add(f.lfn() + " by " + before + " and " + worker);
                            }
                            assertThat(f.claimOwner()).isEqualTo(h.owner());
                            h.advance(f, ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", worker);
                            mine++;
                        }
                    }));
                }
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> r : results) {
                int n = r.get(5, TimeUnit.MINUTES);
                total += n;
            }
            assertThat(duplicates).isEmpty();
            assertThat(total).isEqualTo(files);
            assertThat(claims.get()).isEqualTo(files);
            assertThat(claimedBy).hasSize(files);
        } finally {
            pool.shutdownNow();
        }
        assertThat(seed.count(new FileFilter(ON_DISK_STORAGE, null, null, null, 0, 1))).isEqualTo(files);
        assertThat(seed.count(new FileFilter(REGISTERED, null, null, null, 0, 1))).isZero();
        assertThat(seed.count(new FileFilter(SHIPPING, null, null, null, 0, 1))).isZero();
        for (CatalogFile f : seed.list(FileFilter.all(files))) {
            List<FileEvent> events = seed.events(f.id());
            assertThat(events).extracting(FileEvent::action).containsExactly("register", "ship");
            assertThat(events.get(1).message()).isEqualTo(claimedBy.get(f.id()));
            assertThat(f.attempts()).isZero();
        }
    }

    // ------------------------------------------------------------------ failures, quarantine, retry

    @Test
    void failGoesBackToRestWithABackoffAndQuarantinesAfterMaxAttempts() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_run1/a.dat")));

        CatalogFile f = only(c.claim(Stage.SHIP, 1));
        Instant failedAt = clock.instant();
        CatalogFile failed = c.fail(f, "ship", "connection refused by storage", false);
        assertThat(failed.state()).isEqualTo(REGISTERED);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).isEqualTo("connection refused by storage");
        assertThat(failed.claimOwner()).isNull();
        assertThat(failed.claimExpires()).isNull();
        assertThat(failed.quarantinedFrom()).isNull();
        assertThat(failed.nextAttemptAt()).isBetween(failedAt.plus(BACKOFF), failedAt.plus(BACKOFF).plus(BACKOFF.dividedBy(4)));
        FileEvent ev = c.events(f.id()).get(1);
        assertThat(ev.action()).isEqualTo("ship");
        assertThat(ev.ok()).isFalse();
        assertThat(ev.message()).contains("will retry").contains("connection refused by storage");

        assertThat(c.claim(Stage.SHIP, 1)).as("not claimable before its retry time").isEmpty();
        clock.set(failed.nextAttemptAt().minusMillis(1));
        assertThat(c.claim(Stage.SHIP, 1)).isEmpty();
        clock.set(failed.nextAttemptAt());
        CatalogFile second = only(c.claim(Stage.SHIP, 1));
        assertThat(second.attempts()).isEqualTo(1);

        Instant secondFailedAt = clock.instant();
        CatalogFile failedTwice = c.fail(second, "ship", "timeout", false);
        assertThat(failedTwice.attempts()).isEqualTo(2);
        assertThat(failedTwice.state()).isEqualTo(REGISTERED);
        assertThat(failedTwice.nextAttemptAt()).as("the backoff doubles")
                .isBetween(secondFailedAt.plus(BACKOFF.multipliedBy(2)), secondFailedAt.plus(BACKOFF.multipliedBy(2)).plus(BACKOFF.dividedBy(2)));

        clock.set(failedTwice.nextAttemptAt());
        CatalogFile third = only(c.claim(Stage.SHIP, 1));
        CatalogFile quarantined = c.fail(third, "ship", "timeout again", false);
        assertThat(quarantined.state()).isEqualTo(QUARANTINED);
        assertThat(quarantined.attempts()).isEqualTo(MAX_ATTEMPTS);
        assertThat(quarantined.quarantinedFrom()).isEqualTo(SHIPPING);
        assertThat(quarantined.lastError()).contains("timeout again").contains("gave up after 3 attempts");
        assertThat(quarantined.claimOwner()).isNull();
        assertThat(c.events(f.id()).get(c.events(f.id()).size() - 1).message()).startsWith("QUARANTINED");

        clock.advance(Duration.ofDays(365));
        assertThat(c.claim(Stage.SHIP, 1)).as("a quarantined file waits for an operator").isEmpty();
        assertThat(c.count(new FileFilter(QUARANTINED, null, null, null, 0, 10))).isEqualTo(1);
    }

    @Test
    void aPermanentFailureQuarantinesAtOnceAndRetryPutsTheFileBackWhereItRests() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_run1/a.dat"), file("/2208/220803/MIG_run1/b.dat")));

        CatalogFile a = only(c.claim(Stage.SHIP, 1));
        CatalogFile qa = c.fail(a, "ship", "destination adler32 differs", true);
        assertThat(qa.state()).isEqualTo(QUARANTINED);
        assertThat(qa.quarantinedFrom()).isEqualTo(SHIPPING);
        assertThat(qa.attempts()).isEqualTo(1);
        assertThat(qa.lastError()).isEqualTo("destination adler32 differs");

        CatalogFile b = only(c.claim(Stage.SHIP, 1));
        CatalogFile shipped = c.advance(b, ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "ok");
        CatalogFile comp = only(c.claim(Stage.COMPRESS, 1));
        assertThat(comp.id()).isEqualTo(shipped.id());
        CatalogFile qb = c.fail(comp, "compress", "decompressed adler32 does not match", true);
        assertThat(qb.state()).isEqualTo(QUARANTINED);
        assertThat(qb.quarantinedFrom()).isEqualTo(COMPRESSING);

        assertThat(c.retry(List.of(qa.lfn()))).isEqualTo(1);
        CatalogFile ra = c.find(qa.lfn()).orElseThrow();
        assertThat(ra.state()).isEqualTo(REGISTERED);
        assertThat(ra.attempts()).isZero();
        assertThat(ra.quarantinedFrom()).isNull();
        assertThat(ra.nextAttemptAt()).isNull();
        assertThat(actions(c, ra.id())).endsWith("retry");

        assertThat(c.retry(List.of(qb.lfn()))).isEqualTo(1);
        assertThat(c.find(qb.lfn()).orElseThrow().state()).isEqualTo(ON_DISK_STORAGE);

        assertThat(only(c.claim(Stage.SHIP, 10)).id()).isEqualTo(ra.id());
        assertThat(only(c.claim(Stage.COMPRESS, 10)).id()).isEqualTo(qb.id());

        assertThat(c.retry(List.of(qa.lfn()))).as("a file being worked on is left alone").isZero();
        assertThatThrownBy(() -> c.retry(List.of("/no/such/file.dat")))
                .isInstanceOf(CatalogException.class).hasMessageContaining("/no/such/file.dat");
    }

    @Test
    void retryAllQuarantinedPutsQuarantinedAndWaitingFilesBack() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_run1/a.dat"), file("/2208/220803/MIG_run1/b.dat"),
                file("/2208/220803/MIG_run1/c.dat"), file("/2208/220803/MIG_run1/d.dat")));
        List<CatalogFile> claimed = c.claim(Stage.SHIP, 3);
        assertThat(claimed).hasSize(3);
        c.fail(claimed.get(0), "ship", "bad", true);
        c.fail(claimed.get(1), "ship", "worse", true);
        c.fail(claimed.get(2), "ship", "flaky", false);
        assertThat(c.claim(Stage.SHIP, 10)).extracting(CatalogFile::lfn).containsExactly("/2208/220803/MIG_run1/d.dat");

        assertThat(c.retryAllQuarantined()).isEqualTo(3);
        assertThat(c.count(new FileFilter(QUARANTINED, null, null, null, 0, 10))).isZero();
        List<CatalogFile> again = c.claim(Stage.SHIP, 10);
        assertThat(again).extracting(CatalogFile::id)
                .containsExactlyInAnyOrder(claimed.get(0).id(), claimed.get(1).id(), claimed.get(2).id());
        assertThat(again).allSatisfy(f -> assertThat(f.attempts()).isZero());
        assertThat(c.retryAllQuarantined()).as("nothing left to retry").isZero();
    }

    // ------------------------------------------------------------------ queries and side records

    @Test
    void countsGroupFilesAndBytesByDiskAndState() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_r/a.dat", "data1", "MIG_r", 10), file("/2208/220803/MIG_r/b.dat", "data1", "MIG_r", 20),
                file("/2208/220803/MIG_r/c.dat", "data2", "MIG_r", 5)));
        assertThat(c.counts()).containsExactlyInAnyOrder(
                new StateCount("data1", REGISTERED, 2, 30), new StateCount("data2", REGISTERED, 1, 5));
        CatalogFile f = only(c.claim(Stage.SHIP, 1, List.of("data1")));
        long other = f.size() == 10 ? 20 : 10;
        assertThat(c.counts()).containsExactlyInAnyOrder(
                new StateCount("data1", REGISTERED, 1, other), new StateCount("data1", SHIPPING, 1, f.size()),
                new StateCount("data2", REGISTERED, 1, 5));
    }

    @Test
    void listAndCountFilterAndPage() {
        JdbcCatalog c = handle("owner-a");
        List<NewFile> files = IntStream.range(0, 30)
                .mapToObj(i -> file(String.format("/2208/220803/%s/f_%03d.dat", i < 12 ? "MIG_A" : "MIG_B", i),
                        i % 2 == 0 ? "data1" : "data2", i < 12 ? "MIG_A" : "MIG_B", i))
                .collect(Collectors.toList());
        c.register(files);
        assertThat(c.claim(Stage.SHIP, 5)).hasSize(5);

        assertThat(c.count(FileFilter.all(1))).isEqualTo(30);
        assertThat(c.count(new FileFilter(REGISTERED, null, null, null, 0, 1))).isEqualTo(25);
        assertThat(c.count(new FileFilter(SHIPPING, null, null, null, 0, 1))).isEqualTo(5);
        assertThat(c.count(new FileFilter(ON_TAPE, null, null, null, 0, 1))).isZero();
        assertThat(c.count(new FileFilter(null, "data1", null, null, 0, 1))).isEqualTo(15);
        assertThat(c.count(new FileFilter(null, null, "MIG_A", null, 0, 1))).isEqualTo(12);
        assertThat(c.count(new FileFilter(null, "data1", "MIG_A", null, 0, 1))).isEqualTo(6);
        assertThat(c.count(new FileFilter(null, null, null, "f_01", 0, 1))).isEqualTo(10);
        assertThat(c.count(new FileFilter(null, "nodisk", null, null, 0, 1))).isZero();

        List<CatalogFile> data1A = c.list(new FileFilter(null, "data1", "MIG_A", null, 0, 100));
        assertThat(data1A).hasSize(6).allSatisfy(f -> {
            assertThat(f.disk()).isEqualTo("data1");
            assertThat(f.run()).isEqualTo("MIG_A");
        });
        assertThat(c.list(new FileFilter(SHIPPING, null, null, null, 0, 100)))
                .hasSize(5).allSatisfy(f -> assertThat(f.state()).isEqualTo(SHIPPING));

        List<CatalogFile> all = c.list(FileFilter.all(100));
        assertThat(all).hasSize(30);
        assertThat(all).extracting(CatalogFile::id).isSorted();
        List<CatalogFile> paged = new ArrayList<>();
        for (int offset = 0; ; offset += 7) {
            List<CatalogFile> page = c.list(new FileFilter(null, null, null, null, offset, 7));
            assertThat(page.size()).isLessThanOrEqualTo(7);
            if (page.isEmpty()) {
                break;
            }
            paged.addAll(page);
        }
        assertThat(paged).extracting(CatalogFile::id).containsExactlyElementsOf(all.stream().map(CatalogFile::id).toList());
        assertThat(c.list(new FileFilter(null, "data2", null, null, 10, 100))).hasSize(5);
        assertThat(c.list(new FileFilter(null, null, null, null, 30, 100))).isEmpty();
    }

    @Test
    void eventsErrorsAndLocalDeletionAreRecorded() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_r/a.dat", "data1", "MIG_r", 10), file("/2208/220803/MIG_r/b.dat", "data1", "MIG_r", 20)));
        assertThat(c.countLocalCopies("data1")).isEqualTo(2);
        assertThat(c.awaitingLocalDelete("data1", 10)).isEmpty();

        CatalogFile f = only(c.claim(Stage.SHIP, 1));
        clock.advance(Duration.ofSeconds(1));
        c.updateSourceAttributes(f, 11, Instant.parse("2022-08-03T15:00:00Z"), "size 10 → 11: still being written?");
        CatalogFile changed = c.find(f.lfn()).orElseThrow();
        assertThat(changed.size()).isEqualTo(11);
        assertThat(changed.mtime()).isEqualTo(Instant.parse("2022-08-03T15:00:00Z"));

        CatalogFile shipped = c.advance(changed, ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "ok");
        assertThat(c.awaitingLocalDelete("data1", 10)).extracting(CatalogFile::id).containsExactly(f.id());
        assertThat(c.awaitingLocalDelete("data2", 10)).isEmpty();

        clock.advance(Duration.ofSeconds(1));
        c.recordError(f.id(), "delete-local", "permission denied on /data1/MIG_r/a.dat");
        assertThat(c.find(f.lfn()).orElseThrow().lastError()).isEqualTo("permission denied on /data1/MIG_r/a.dat");
        clock.advance(Duration.ofSeconds(1));
        c.recordEvent(f.id(), "note", true, "checked by hand");
        clock.advance(Duration.ofSeconds(1));
        c.markLocalDeleted(shipped, "deleted /data1/MIG_r/a.dat");
        CatalogFile deleted = c.find(f.lfn()).orElseThrow();
        assertThat(deleted.localDeletedAt()).isEqualTo(clock.instant());
        assertThat(deleted.lastError()).isNull();
        assertThat(c.awaitingLocalDelete("data1", 10)).isEmpty();
        assertThat(c.countLocalCopies("data1")).isEqualTo(1);

        List<FileEvent> events = c.events(f.id());
        assertThat(events).extracting(FileEvent::action)
                .containsExactly("register", "source-changed", "ship", "delete-local", "note", "delete-local");
        assertThat(events).extracting(FileEvent::ok).containsExactly(true, false, true, false, true, true);
        assertThat(events).extracting(FileEvent::at).isSorted();
        assertThat(events).allSatisfy(e -> {
            assertThat(e.fileId()).isEqualTo(f.id());
            assertThat(e.actor()).isEqualTo("owner-a");
        });
        assertThat(events.get(3).message()).isEqualTo("permission denied on /data1/MIG_r/a.dat");
        assertThat(c.events(-1)).isEmpty();
        assertThat(c.find("/nope")).isEmpty();
        assertThat(c.get(-1)).isEmpty();
    }

    @Test
    void disksArePutAndRead() {
        JdbcCatalog c = handle("owner-a");
        assertThat(c.disks()).isEmpty();
        assertThat(c.disk("data2")).isEmpty();
        DiskRecord draining = new DiskRecord("data2", "/data2", DiskRecord.DiskState.DRAINING, T0, "ReadyToTransfer found");
        c.putDisk(draining);
        c.putDisk(new DiskRecord("data1", "/data1", DiskRecord.DiskState.RELEASED, T0, null));
        assertThat(c.disk("data2")).contains(draining);
        assertThat(c.disks()).extracting(DiskRecord::name).containsExactly("data1", "data2");

        DiskRecord released = new DiskRecord("data2", "/mnt/data2", DiskRecord.DiskState.RELEASED, T0.plusSeconds(60),
                "ReadyForData written");
        c.putDisk(released);
        assertThat(c.disk("data2")).contains(released);
        assertThat(c.disks()).hasSize(2);
        assertThat(c.disk("data1").orElseThrow().note()).isNull();
    }
    // ------------------------------------------------------------------ vanished files, forget, history once per condition

    @Test
    void aVanishedFileIsMissingThenForgottenWithItsHistoryAndOnlyMissingFilesCanBeForgotten() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_r/a.dat"), file("/2208/220803/MIG_r/b.dat")));
        CatalogFile a = only(c.claim(Stage.SHIP, 1));
        clock.advance(Duration.ofSeconds(1));

        CatalogFile missing = c.markMissing(a, "DAQ file /data1/MIG_r/a.dat vanished before it was shipped");

        assertThat(missing.state()).isEqualTo(FileState.MISSING);
        assertThat(missing.lastError()).contains("/data1/MIG_r/a.dat").contains("vanished");
        assertThat(missing.claimOwner()).isNull();
        assertThat(missing.attempts()).isZero();
        assertThat(missing.updatedAt()).isEqualTo(clock.instant());
        assertThat(c.list(new FileFilter(FileState.MISSING, null, null, null, 0, 10))).extracting(CatalogFile::lfn)
                .containsExactly(a.lfn());
        assertThat(c.countLocalCopies("data1")).as("a MISSING file does not hold its disk back").isEqualTo(1);
        CatalogFile b = only(c.claim(Stage.SHIP, 10));
        assertThat(b.lfn()).as("a MISSING file is not work").isEqualTo("/2208/220803/MIG_r/b.dat");

        ForgetResult r = c.forget(List.of(a.lfn(), b.lfn(), "/2208/220803/MIG_r/nope.dat"));

        assertThat(r.forgotten()).containsExactly(a.lfn());
        assertThat(r.refused()).hasSize(2);
        assertThat(r.refused().get(0)).contains(b.lfn()).contains("SHIPPING").contains("not MISSING");
        assertThat(r.refused().get(1)).contains("nope.dat").contains("no such file");
        assertThat(c.find(a.lfn()).orElseThrow().state()).isEqualTo(FileState.FORGOTTEN);
        assertThat(c.find(b.lfn()).orElseThrow().state()).isEqualTo(SHIPPING);
        assertThat(actions(c, a.id())).containsExactly("register", "missing", "forget");
        assertThat(c.events(a.id()).get(2).message()).contains("MISSING → FORGOTTEN");
        assertThat(c.countLocalCopies("data1")).isEqualTo(1);
        assertThat(c.forget(List.of(a.lfn())).refused()).singleElement().asString().contains("FORGOTTEN").contains("already");

        // it turns up after all: registered again, to be shipped
        clock.advance(Duration.ofSeconds(1));
        assertThat(c.reappeared("data1", List.of(file(a.lfn(), "data1", "MIG_r", 123)))).isEqualTo(1);
        CatalogFile back = c.find(a.lfn()).orElseThrow();
        assertThat(back.state()).isEqualTo(REGISTERED);
        assertThat(back.size()).isEqualTo(123);
        assertThat(back.lastError()).isNull();
        assertThat(actions(c, a.id())).containsExactly("register", "missing", "forget", "reappeared");
        assertThat(c.reappeared("data1", List.of(file(a.lfn())))).as("only MISSING or FORGOTTEN files come back").isZero();
    }

    @Test
    void onlyAClaimedFileCanBecomeMissingAndRetryLooksForAMissingFileAgain() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_r/a.dat")));
        CatalogFile a = only(c.claim(Stage.SHIP, 1));
        CatalogFile shipped = c.advance(a, ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "ok");
        assertThatThrownBy(() -> c.markMissing(shipped, "gone")).isInstanceOf(IllegalTransitionException.class);

        c.register(List.of(file("/2208/220803/MIG_r/b.dat")));
        CatalogFile b = only(c.claim(Stage.SHIP, 1));
        JdbcCatalog other = handle("owner-b");
        assertThatThrownBy(() -> other.markMissing(b, "gone")).isInstanceOf(LostClaimException.class);
        c.markMissing(b, "gone");

        assertThat(c.retry(List.of(b.lfn()))).isEqualTo(1);
        CatalogFile again = c.find(b.lfn()).orElseThrow();
        assertThat(again.state()).isEqualTo(REGISTERED);
        assertThat(actions(c, b.id())).containsExactly("register", "missing", "retry");
        assertThat(c.retryAllQuarantined()).as("--failed does not pick up MISSING files").isZero();
    }

    @Test
    void putBackReturnsAClaimedFileUnchargedAndOncePerCondition() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_r/a.dat")));
        for (int i = 0; i < 3; i++) {
            CatalogFile a = only(c.claim(Stage.SHIP, 1));
            CatalogFile back = c.putBack(a, "ship", "disk root /data1 is empty: not mounted?");
            assertThat(back.state()).isEqualTo(REGISTERED);
            assertThat(back.attempts()).isZero();
            assertThat(back.claimOwner()).isNull();
            clock.advance(Duration.ofMinutes(5));
        }
        List<FileEvent> events = c.events(c.find("/2208/220803/MIG_r/a.dat").orElseThrow().id());
        assertThat(events).extracting(FileEvent::action).containsExactly("register", "ship");
        assertThat(events.get(1).repeats()).isEqualTo(2);
    }

    @Test
    void anUnchangedConditionIsRecordedOnceInHistoryByEveryCaller() {
        JdbcCatalog c = handle("owner-a");
        c.register(List.of(file("/2208/220803/MIG_r/a.dat")));
        CatalogFile f = c.advance(only(c.claim(Stage.SHIP, 1)), ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "ok");
        Instant first = clock.instant().plus(Duration.ofMinutes(5));
        for (int cycle = 0; cycle < 5; cycle++) {
            clock.advance(Duration.ofMinutes(5));
            c.recordError(f.id(), "delete-local", "DAQ copy not deleted: storage copy is missing");
        }
        List<FileEvent> events = c.events(f.id());
        assertThat(events).extracting(FileEvent::action).containsExactly("register", "ship", "delete-local");
        FileEvent refused = events.get(2);
        assertThat(refused.repeats()).isEqualTo(4);
        assertThat(refused.at()).isEqualTo(first);
        assertThat(refused.lastAt()).isEqualTo(clock.instant());
        assertThat(refused.ok()).isFalse();

        // a condition that takes a few events per cycle (check, check, refusal) stays a few rows
        for (int cycle = 0; cycle < 5; cycle++) {
            c.recordEvent(f.id(), "raw-cleanup-check", true, "fact 1");
            c.recordEvent(f.id(), "raw-cleanup-check", true, "fact 2");
            c.recordError(f.id(), "delete-raw", "raw copy kept: delete refused");
        }
        List<FileEvent> cycled = c.events(f.id());
        assertThat(cycled).extracting(FileEvent::action).containsExactly("register", "ship", "delete-local",
                "raw-cleanup-check", "raw-cleanup-check", "delete-raw");
        assertThat(cycled.subList(3, 6)).extracting(FileEvent::repeats).containsExactly(4, 4, 4);
        assertThat(cycled.get(1).repeats()).isZero();
        assertThat(cycled.get(1).lastAt()).isNull();

        // another message, another result, or an event older than the last few is a new row
        c.recordError(f.id(), "delete-local", "DAQ copy not deleted: storage copy is missing");
        c.recordEvent(f.id(), "raw-cleanup-check", false, "fact 1");
        c.recordError(f.id(), "delete-raw", "raw copy kept: tape shows no file");
        assertThat(c.events(f.id())).hasSize(cycled.size() + 3);
        assertThat(c.events(f.id()).get(2).repeats()).as("the old refusal is not bumped from afar").isEqualTo(4);
    }

    @Test
    void awaitingLocalDeletePagesByIdThroughEveryRow() {
        JdbcCatalog c = handle("owner-a");
        c.register(IntStream.range(0, 25).mapToObj(i -> file("/2208/220803/MIG_r/f" + i + ".dat")).toList());
        for (CatalogFile f : c.claim(Stage.SHIP, 25)) {
            c.advance(f, ON_DISK_STORAGE, Changes.none().adler32("01020304"), "ship", "ok");
        }
        List<Long> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        long after = 0;
        List<CatalogFile> page;
        do {
            page = c.awaitingLocalDelete("data1", after, 10);
            sizes.add(page.size());
            page.forEach(f -> seen.add(f.id()));
            after = page.isEmpty() ? after : page.get(page.size() - 1).id();
        } while (page.size() == 10);
        assertThat(sizes).containsExactly(10, 10, 5);
        assertThat(seen).doesNotHaveDuplicates().hasSize(25).isSorted();
        assertThat(c.awaitingLocalDelete("data1", 10)).extracting(CatalogFile::id).containsExactlyElementsOf(seen.subList(0, 10));
    }

    // ------------------------------------------------------------------ scan problems

    private static long scanProblemRows(JdbcCatalog c) {
        return c.inTransaction(conn -> {
            try (var st = conn.createStatement(); var rs = st.executeQuery("SELECT COUNT(*) FROM scan_problems")) {
                rs.next();
                return rs.getLong(1);
            }
        }, "counting scan problems");
    }

    @Test
    void scanProblemsAreKeptOncePerConditionAndClearedWhenGone() {
        JdbcCatalog c = handle("owner-a");
        ScanProblem.Finding link = new ScanProblem.Finding("data1", "MIG_r/l.dat", ScanProblem.Kind.SYMLINK, "is a symbolic link");
        ScanProblem.Finding stamp = new ScanProblem.Finding("data1", "MIG_x/f.dat", ScanProblem.Kind.NO_RUN_STAMP, "no run timestamp");
        ScanProblem.Finding down = new ScanProblem.Finding("data2", "", ScanProblem.Kind.DISK_UNAVAILABLE, "not mounted?");

        assertThat(c.recordScanProblems("data1", List.of(link, stamp, link), true)).containsExactly(link, stamp);
        for (int scan = 0; scan < 2; scan++) {
            clock.advance(Duration.ofMinutes(5));
            assertThat(c.recordScanProblems("data1", List.of(stamp, link), true)).isEmpty();
        }
        assertThat(scanProblemRows(c)).isEqualTo(2);
        assertThat(c.openScanProblems("data1")).hasSize(2).allSatisfy(p -> {
            assertThat(p.seenCount()).isEqualTo(3);
            assertThat(p.firstSeen()).isEqualTo(T0);
            assertThat(p.lastSeen()).isEqualTo(clock.instant());
            assertThat(p.clearedAt()).isNull();
            assertThat(p.action()).isNotBlank();
        });
        assertThat(c.openScanProblems("data1")).extracting(ScanProblem::where).containsExactly("data1:MIG_r/l.dat", "data1:MIG_x/f.dat");

        assertThat(c.recordScanProblems("data2", List.of(down), false)).containsExactly(down);
        assertThat(c.openScanProblems(null)).extracting(ScanProblem::where).containsExactly("data1:MIG_r/l.dat", "data1:MIG_x/f.dat", "data2");

        // a look that did not list the disk's files clears nothing of them
        c.recordScanProblems("data1", List.of(), false);
        assertThat(c.openScanProblems("data1")).hasSize(2);
        // a full listing without the link clears it; the disk coming back clears its disk-wide problem
        clock.advance(Duration.ofMinutes(5));
        c.recordScanProblems("data1", List.of(stamp), true);
        c.recordScanProblems("data2", List.of(), false);
        assertThat(c.openScanProblems(null)).extracting(ScanProblem::where).containsExactly("data1:MIG_x/f.dat");
        // the same condition coming back later is a new one
        assertThat(c.recordScanProblems("data1", List.of(link), true)).containsExactly(link);
        assertThat(c.openScanProblems(null)).extracting(ScanProblem::where).containsExactly("data1:MIG_r/l.dat");
        assertThat(c.openScanProblems("data1").get(0).seenCount()).isEqualTo(1);
        assertThat(scanProblemRows(c)).isEqualTo(4);
    }

    // ------------------------------------------------------------------ batch jobs

    private CatalogFile onDiskStorage(JdbcCatalog c, String lfn) {
        c.register(List.of(file(lfn)));
        CatalogFile f = only(c.claim(Stage.SHIP, 1));
        return c.advance(f, ON_DISK_STORAGE, Changes.none().adler32("0a0b0c0d"), "ship", "copied");
    }

    @Test
    void aFileWhoseBatchJobIsRecordedIsTheCollectorsOnlyEvenAfterItsSubmittersLeaseRanOut() {
        JdbcCatalog submitter = handle("ap01:100:1");
        JdbcCatalog other = handle("ap01:200:1");
        onDiskStorage(submitter, "/2208/220803/MIG_run1/a.dat");
        CatalogFile claimed = only(submitter.claim(Stage.COMPRESS, 1));
        BatchJob.Cycle cycle = submitter.batch().plan("/spool/c1", "migdal-grid-c1", List.of(new BatchJob.Planned(claimed, "j1-abc",
                claimed.claimToken(), "{}")));
        assertThat(submitter.batch().jobs(cycle.id())).singleElement().satisfies(j -> {
            assertThat(j.status()).isEqualTo(BatchJob.Status.PLANNED);
            assertThat(j.proc()).isNull();
        });

        clock.advance(LEASE.plusMinutes(1)); // the submitter died before condor_submit answered
        assertThat(other.claim(Stage.COMPRESS, 10)).as("its job may be queued: nobody compresses it on the side").isEmpty();

        submitter.batch().submitted(cycle, 4711, Map.of("j1-abc", 0), "submitted");
        CatalogFile inFlight = submitter.get(claimed.id()).orElseThrow();
        assertThat(inFlight.state()).isEqualTo(COMPRESSING);
        assertThat(inFlight.claimOwner()).isNull();
        assertThat(actions(submitter, claimed.id())).contains("compress-submit");
        assertThat(other.claim(Stage.COMPRESS, 10)).isEmpty();
        assertThat(submitter.batch().inFlight()).isEqualTo(1);

        BatchJob job = onlyJob(other.batch().jobs(cycle.id()));
        assertThat(job.proc()).isZero();
        assertThat(other.batch().claim(new BatchJob(job.fileId(), job.cycleId(), job.job(), "another-token", job.jobJson(),
                job.proc(), job.status(), 0, job.lastEventAt(), null, null))).as("only for the job it was made under").isEmpty();
        CatalogFile applying = other.batch().claim(job).orElseThrow();
        assertThat(applying.claimOwner()).isEqualTo("ap01:200:1");
        assertThat(submitter.batch().claim(job)).as("one collector at a time").isEmpty();
        other.advance(applying, COMPRESSED, Changes.none().compressed("/2208/220803/MIG_run1/a.dat.bz2", 10, "01020304"), "compress", "ok");
        other.batch().finish(job.fileId());
        assertThat(other.batch().close(cycle.id())).isTrue();
        assertThat(other.batch().cycles()).isEmpty();
    }

    private static BatchJob onlyJob(List<BatchJob> jobs) {
        assertThat(jobs).hasSize(1);
        return jobs.get(0);
    }
}
