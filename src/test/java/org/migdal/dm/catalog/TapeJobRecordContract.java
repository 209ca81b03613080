package org.migdal.dm.catalog;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog side of crash-safe FTS submission (issue 10, defect 7), on both dialects: an FTS job recorded under a claim
 * survives the claimant's death, is taken over by the in-flight check (which looks it up at FTS) and never by the tape
 * claim (which would charge an attempt and choose a new job), and a failed hand-over ends it.
 */
abstract class TapeJobRecordContract {
    static final Duration LEASE = Duration.ofMinutes(10);

    /** A new handle on this test's catalog (the same database within one test). */
    protected abstract JdbcCatalog open(ClaimPolicy policy, MutableClock clock);

    final MutableClock clock = new MutableClock(Instant.parse("2024-03-01T12:00:00Z"));
    final List<JdbcCatalog> opened = new ArrayList<>();

    JdbcCatalog handle(String owner) {
        JdbcCatalog c = open(new ClaimPolicy(owner, LEASE, 3, Duration.ofSeconds(30)), clock);
        opened.add(c);
        return c;
    }

    @AfterEach
    void close() {
        opened.forEach(JdbcCatalog::close);
    }

    CatalogFile compressedAndClaimedForTape(JdbcCatalog c) {
        c.register(List.of(new NewFile("/2208/220803/MIG_run1/a.dat", "data1", "MIG_run1/a.dat", "MIG_run1", 100,
                Instant.parse("2022-08-03T14:54:47Z"))));
        CatalogFile f = c.claim(Stage.SHIP, 1).get(0);
        f = c.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32("00000001"), "ship", "shipped");
        f = c.advance(c.claim(Stage.COMPRESS, 1).get(0), FileState.COMPRESSED, Changes.none().compressed("/a.dat.bz2", 50,
                "00000002"), "compress", "compressed");
        return c.claim(Stage.TAPE, 1).get(0);
    }

    @Test
    void aRecordedJobOutlivesItsClaimantAndIsTakenOverWithoutACharge() {
        JdbcCatalog dead = handle("host:1:0");
        CatalogFile f = compressedAndClaimedForTape(dead);
        List<CatalogFile> rec = dead.recordTapeJobs(List.of(new TapeJob.Plan(f, "job-1", "sid-1", 1)), "to fts");
        assertThat(rec).hasSize(1);
        assertThat(rec.get(0).tapeTransferId()).isEqualTo("job-1");
        assertThat(rec.get(0).claimOwner()).as("the claim still holds").isEqualTo("host:1:0");
        TapeJob t = dead.tapeJobs(List.of(f.id())).get(f.id());
        assertThat(t.sid()).isEqualTo("sid-1");
        assertThat(t.submissions()).isEqualTo(1);
        assertThat(t.isLive()).isTrue();
        assertThat(t.isConfirmed()).isFalse();

        clock.advance(LEASE.plusMinutes(1)); // the claimant died
        JdbcCatalog other = handle("host:2:0");
        assertThat(other.claim(Stage.TAPE, 10)).as("not through the tape claim: that would choose a new job").isEmpty();
        List<CatalogFile> taken = other.claimInFlight(10);
        assertThat(taken).hasSize(1);
        assertThat(taken.get(0).claimOwner()).isEqualTo("host:2:0");
        assertThat(taken.get(0).attempts()).isZero();
        assertThat(other.events(f.id())).extracting(FileEvent::action).contains("tape-job-recorded", "claim-takeover");

        CatalogFile released = other.release(taken.get(0), Changes.none().tapeJobConfirmed(clock.instant()),
                clock.instant(), "tape-submit", "found at FTS");
        assertThat(other.tapeJobs(List.of(f.id())).get(f.id()).isConfirmed()).isTrue();
        assertThat(released.claimOwner()).isNull();
    }

    @Test
    void aFailedHandOverEndsTheJobAndTheNextOneCountsOn() {
        JdbcCatalog c = handle("host:1:0");
        CatalogFile f = compressedAndClaimedForTape(c);
        f = c.recordTapeJobs(List.of(new TapeJob.Plan(f, "job-1", "sid-1", 1)), null).get(0);
        c.fail(f, "tape", "FTS job job-1: FAILED", false);
        TapeJob t = c.tapeJobs(List.of(f.id())).get(f.id());
        assertThat(t.isLive()).isFalse();
        assertThat(t.submissions()).isEqualTo(1);

        clock.advance(Duration.ofHours(1));
        CatalogFile again = c.claim(Stage.TAPE, 1).get(0);
        clock.advance(LEASE.plusMinutes(1)); // died before recording the next job: the tape claim takes it over
        assertThat(handle("host:2:0").claimInFlight(10)).isEmpty();
        assertThat(handle("host:3:0").claim(Stage.TAPE, 10)).extracting(CatalogFile::id).containsExactly(again.id());
    }

    @Test
    void aLostClaimRecordsNothing() {
        JdbcCatalog c = handle("host:1:0");
        CatalogFile f = compressedAndClaimedForTape(c);
        clock.advance(LEASE.plusMinutes(1));
        handle("host:2:0").claim(Stage.TAPE, 1);
        assertThat(c.recordTapeJobs(List.of(new TapeJob.Plan(f, "job-1", "sid-1", 1)), null)).isEmpty();
        assertThat(c.get(f.id()).orElseThrow().tapeTransferId()).isNull();
    }
}
