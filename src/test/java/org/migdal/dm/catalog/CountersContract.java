package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Counters} (migration 10) on each dialect: stage ends as histogram buckets, step totals, failures by class. */
abstract class CountersContract {
    protected final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:00Z"));
    private final List<JdbcCatalog> opened = new ArrayList<>();

    protected abstract JdbcCatalog openCatalog(ClaimPolicy policy, Clock clock);

    private JdbcCatalog handle() {
        JdbcCatalog c = openCatalog(new ClaimPolicy("counters", Duration.ofMinutes(10), 2, Duration.ofSeconds(30)), clock);
        opened.add(c);
        return c;
    }

    @AfterEach
    void closeHandles() {
        opened.forEach(JdbcCatalog::close);
    }

    @Test
    void stageEndsFillTheirBucketAndAddUpAcrossHandles() {
        JdbcCatalog one = handle();
        JdbcCatalog two = handle(); // another process on the same catalog
        new Counters(one).stageEnded("ship", Duration.ofMillis(2500), List.of(new Counters.Moved("shipped", 3, 3000)));
        new Counters(two).stageEnded("ship", Duration.ofMillis(4000), List.of(new Counters.Moved("shipped", 2, 500)));
        new Counters(two).stageEnded("ship", Duration.ofHours(7), List.of());
        new Counters(one).stageEnded("scan", Duration.ofMillis(40), List.of(new Counters.Moved("registered", 5, 0)));

        List<Counters.StageDurations> d = new Counters(two).stageDurations();
        assertThat(d).extracting(Counters.StageDurations::stage).containsExactly("scan", "ship");
        Counters.StageDurations ship = d.get(1);
        assertThat(ship.runs()).isEqualTo(3);
        assertThat(ship.totalMillis()).isEqualTo(2500 + 4000 + 7 * 3_600_000L);
        assertThat(ship.bucketCounts()).isEqualTo(Map.of(5000L, 2L, Counters.INF_MS, 1L));
        long[] cumulative = ship.cumulative();
        int le1 = indexOf(1), le5 = indexOf(5);
        assertThat(cumulative[le1]).isZero();
        assertThat(cumulative[le5]).isEqualTo(2);
        assertThat(cumulative[Counters.BUCKETS.length - 1]).as("21600 s").isEqualTo(2);
        assertThat(cumulative[Counters.BUCKETS.length]).as("+Inf").isEqualTo(3);
        assertThat(d.get(0).cumulative()[0]).as("40 ms is in the 0.1 s bucket").isEqualTo(1);

        assertThat(new Counters(one).steps()).containsExactly(new Counters.StepTotal("registered", 5, 0),
                new Counters.StepTotal("shipped", 5, 3500));
    }

    @Test
    void everyRecordedFailureIsCountedByStageAndClassInTheSameTransaction() {
        JdbcCatalog c = handle();
        List<NewFile> files = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            files.add(new NewFile("/r/f" + i + ".dat", "data1", "r/f" + i + ".dat", "r", 100, clock.instant()));
        }
        c.register(files);
        c.fail(c.claim(Stage.SHIP, 1).get(0), "ship", Failure.file("checksum mismatch"));
        c.fail(c.claim(Stage.SHIP, 1).get(0), "ship", Failure.endpoint("file:///storage", "no space"));
        c.fail(c.claim(Stage.SHIP, 1).get(0), "ship", Failure.permanent("contradicts itself"));
        CatalogFile lost = c.claim(Stage.SHIP, 1).get(0);
        c.fail(lost, "ship", Failure.file("timeout"));
        // a failure whose claim was lost is not recorded, and so not counted either
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> c.fail(lost, "ship", Failure.file("again")))
                .isInstanceOf(LostClaimException.class);

        assertThat(new Counters(c).errors()).containsExactly(new Counters.ErrorCount("ship", "endpoint", 1),
                new Counters.ErrorCount("ship", "file", 2), new Counters.ErrorCount("ship", "permanent", 1));
        assertThat(c.counts().stream().filter(s -> s.state() == FileState.QUARANTINED).mapToLong(StateCount::files).sum()).isEqualTo(1);
    }

    private static int indexOf(double bound) {
        for (int i = 0; i < Counters.BUCKETS.length; i++) {
            if (Counters.BUCKETS[i] == bound) {
                return i;
            }
        }
        throw new IllegalArgumentException("no bucket " + bound);
    }
}
