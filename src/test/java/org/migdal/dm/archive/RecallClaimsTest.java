package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.Recall;
import org.migdal.dm.catalog.RecallStore;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.daq.DaqTestSupport.MutableClock;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 10, defect 6: recall claims are renewed like file claims, a takeover of a dead worker's recall is recorded once,
 * and a worker whose recall claim was taken over cannot finish, fail or hand the recall on.
 */
class RecallClaimsTest {
    @TempDir
    Path tmp;
    ArchiveFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(1, 1);
        assertThat(fx.compression(Codec.BZIP2, 150).run(b -> { }).compressed()).isEqualTo(1);
        assertThat(fx.mover(150).move().onTape()).isEqualTo(1);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    @Test
    void aRecallClaimIsRenewedAndATakenOverRecallCannotBeFinishedByItsFormerWorker() {
        MutableClock clock = new MutableClock(Instant.now());
        Duration lease = Duration.ofMinutes(10);
        try (JdbcCatalog a = JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("worker-a.example:1:1", lease, 3, Duration.ZERO), clock, 2);
             JdbcCatalog b = JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                     new ClaimPolicy("worker-b.example:2:2", lease, 3, Duration.ZERO), clock, 2)) {
            RecallStore ra = new RecallStore(a, clock, lease, 3);
            RecallStore rb = new RecallStore(b, clock, lease, 3);
            CatalogFile f = a.list(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 1)).get(0);
            assertThat(ra.request(f, "file:///recalled/")).isTrue();
            Recall mine = ra.claim(10).get(0);

            // renewed while A works: B cannot take it over after the first lease
            clock.advance(lease.minusMinutes(1));
            assertThat(a.renewClaims()).isGreaterThanOrEqualTo(1);
            clock.advance(Duration.ofMinutes(5));
            assertThat(rb.claim(10)).as("a renewed recall claim is not taken over").isEmpty();

            // A stops renewing (stuck); its lease runs out and B takes the recall over
            clock.advance(lease.plusMinutes(1));
            Recall theirs = rb.claim(10).get(0);
            assertThat(theirs.id()).isEqualTo(mine.id());
            assertThat(theirs.crashes()).isEqualTo(1);

            assertThatThrownBy(() -> ra.done(mine, "late")).isInstanceOf(LostClaimException.class);
            assertThatThrownBy(() -> ra.fail(mine, "late", false)).isInstanceOf(LostClaimException.class);
            assertThatThrownBy(() -> ra.inFlight(mine, "job", clock.instant(), "late")).isInstanceOf(LostClaimException.class);

            rb.done(theirs, "arrived and verified");
            List<Recall> all = rb.of(f.id());
            assertThat(all).singleElement().satisfies(r -> assertThat(r.state()).isEqualTo(Recall.State.DONE));
            assertThat(b.events(f.id())).filteredOn(e -> e.action().equals("claim-takeover")).hasSize(1);
            assertThat(b.events(f.id())).noneMatch(e -> e.message().contains("late"));
        }
    }
}
