package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link Activity} on each dialect: last progress, last error per action, hourly throughput and free-space samples. */
abstract class ActivityContract {
    protected final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:00Z"));
    private final List<JdbcCatalog> opened = new ArrayList<>();

    protected abstract JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock);

    private JdbcCatalog handle() {
        JdbcCatalog c = openCatalog(new ClaimPolicy("activity", Duration.ofMinutes(10), 3, Duration.ofSeconds(30)), clock);
        opened.add(c);
        return c;
    }

    @AfterEach
    void closeHandles() {
        opened.forEach(JdbcCatalog::close);
    }

    private static List<NewFile> files(int n, long size) {
        List<NewFile> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new NewFile("/run1/f" + i + ".dat", "data1", "run1/f" + i + ".dat", "run1", size, Instant.parse("2024-03-01T11:00:00Z")));
        }
        return out;
    }

    /** Ships {@code n} claimable files, one per {@code every}. */
    private void ship(JdbcCatalog c, int n, Duration every) {
        for (int i = 0; i < n; i++) {
            CatalogFile f = c.claim(Stage.SHIP, 1).get(0);
            c.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("0000000" + (i % 10)), "ship", "shipped");
            clock.advance(every);
        }
    }

    @Test
    void anEmptyCatalogHasNoProgressNoErrorsAndEmptyBuckets() {
        JdbcCatalog c = handle();
        assertThat(c.activity().lastProgress()).isEmpty();
        assertThat(c.activity().lastErrors()).isEmpty();
        List<Activity.Bucket> b = c.activity().throughput(Activity.Step.SHIPPED, clock.instant().minus(Duration.ofHours(3)), clock.instant(),
                Duration.ofHours(1));
        assertThat(b).hasSize(3).allSatisfy(x -> assertThat(x.files()).isZero());
    }

    @Test
    void throughputCountsEachShippedFileInTheHourItWasShippedAndLastProgressIsTheNewest() {
        JdbcCatalog c = handle();
        Instant start = clock.instant();
        c.register(files(10, 1000));
        ship(c, 7, Duration.ofMinutes(20)); // 3 in the first hour, 3 in the second, 1 in the third
        Instant lastShip = clock.instant().minus(Duration.ofMinutes(20));
        List<Activity.Bucket> b = c.activity().throughput(Activity.Step.SHIPPED, start, start.plus(Duration.ofHours(4)), Duration.ofHours(1));
        assertThat(b).extracting(Activity.Bucket::files).containsExactly(3L, 3L, 1L, 0L);
        assertThat(b).extracting(Activity.Bucket::bytes).containsExactly(3000L, 3000L, 1000L, 0L);
        assertThat(b.get(1).start()).isEqualTo(start.plus(Duration.ofHours(1)));
        assertThat(c.activity().throughput(Activity.Step.REGISTERED, start, start.plus(Duration.ofHours(1)), Duration.ofHours(1)))
                .singleElement().satisfies(x -> assertThat(x.files()).isEqualTo(10));
        assertThat(c.activity().throughput(Activity.Step.ON_TAPE, start, start.plus(Duration.ofHours(1)), Duration.ofHours(1)))
                .singleElement().satisfies(x -> assertThat(x.files()).isZero());
        assertThat(c.activity().lastProgress()).contains(lastShip);
        assertThatThrownBy(() -> c.activity().throughput(Activity.Step.SHIPPED, start, start, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLastErrorOfEachActionIsItsNewestFailedEventWithItsFile() {
        JdbcCatalog c = handle();
        c.register(files(3, 10));
        CatalogFile a = c.find("/run1/f0.dat").orElseThrow();
        CatalogFile b = c.find("/run1/f1.dat").orElseThrow();
        c.recordError(a.id(), "clean", "first clean error");
        clock.advance(Duration.ofMinutes(1));
        c.recordError(b.id(), "clean", "second clean error");
        clock.advance(Duration.ofMinutes(1));
        c.recordError(a.id(), "hand-back", "a hand-back error");
        clock.advance(Duration.ofMinutes(1));
        c.recordEvent(b.id(), "clean", true, "a success is not an error");
        List<Activity.StageError> errors = c.activity().lastErrors();
        assertThat(errors).extracting(Activity.StageError::action).containsExactly("hand-back", "clean");
        assertThat(errors.get(1).lfn()).isEqualTo("/run1/f1.dat");
        assertThat(errors.get(1).message()).isEqualTo("second clean error");
        assertThat(errors.get(1).at()).isEqualTo(Instant.parse("2024-03-01T12:01:00Z"));
    }

    @Test
    void freeSpaceSamplesComeBackInOrderAndOldOnesArePruned() {
        JdbcCatalog c = handle();
        Instant t = clock.instant();
        for (int i = 0; i < 5; i++) {
            c.activity().recordSpace(new Activity.SpaceSample("data1", t.plus(Duration.ofMinutes(10L * i)), 1000 - 100L * i, 2000));
        }
        c.activity().recordSpace(new Activity.SpaceSample("data1", t, 999, 2000)); // the same instant again replaces it
        c.activity().recordSpace(new Activity.SpaceSample("data2", t, 5, 10));
        assertThat(c.activity().space("data1", t)).extracting(Activity.SpaceSample::freeBytes).containsExactly(999L, 900L, 800L, 700L, 600L);
        assertThat(c.activity().space("data1", t.plus(Duration.ofMinutes(25)))).hasSize(2);
        assertThat(c.activity().pruneSpace(t.plus(Duration.ofMinutes(15)))).isEqualTo(3); // two of data1, one of data2
        assertThat(c.activity().space("data1", t)).hasSize(3);
        assertThat(c.activity().space("data2", t)).isEmpty();
    }

    @Test
    void bytesDeletedFromADiskAreCountedFromTheRecordedDeletes() {
        JdbcCatalog c = handle();
        c.register(files(4, 500));
        ship(c, 4, Duration.ofMinutes(1));
        Instant before = clock.instant();
        for (String lfn : List.of("/run1/f0.dat", "/run1/f1.dat", "/run1/f2.dat")) {
            c.markLocalDeleted(c.find(lfn).orElseThrow(), "deleted");
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(c.activity().deletedFrom("data1", before)).isEqualTo(1500);
        assertThat(c.activity().deletedFrom("data1", before.plus(Duration.ofSeconds(90)))).isEqualTo(500);
        assertThat(c.activity().deletedFrom("data2", before)).isZero();
    }
}
