package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.ForwardingEndpoint;
import org.migdal.dm.storage.RemoteFile;
import org.migdal.dm.storage.StorageException;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built-in mover on a tape endpoint that reports tape residency (the xroot {@code BackUpExists} flag, as EOS+CTA
 * sets it once CTA has archived the file): a copy is ON_TAPE only once the flag is set, polled with growing intervals,
 * and copied again after the timeout. The flag is set by the test on a real file:// endpoint, since no tape exists here.
 */
class BuiltinMoverTapeFlagTest {
    @TempDir
    Path tmp;
    ArchiveFixture fx;
    JdbcCatalog moverCatalog;
    final TestClock clock = new TestClock(Instant.now());

    @BeforeEach
    void setUp() throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(2, 2);
        assertThat(fx.compression(Codec.BZIP2, 150).run(b -> { }).compressed()).isEqualTo(2);
        moverCatalog = JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("mover-host:2:0", Duration.ofMinutes(30), 3, Duration.ZERO), clock, 2);
    }

    @AfterEach
    void tearDown() {
        moverCatalog.close();
        fx.close();
    }

    @Test
    void aCopyIsOnTapeOnlyOnceTheTapeFlagIsSet() {
        FlagTape tape = new FlagTape(fx.tape);
        BuiltinMover mover = new BuiltinMover(moverCatalog, fx.storage, tape, 150, true, Duration.ofHours(72), clock);
        List<CatalogFile> files = moverCatalog.list(org.migdal.dm.catalog.FileFilter.all(10));

        ArchiveReport first = mover.move();

        assertThat(first.onTape()).isZero();
        for (CatalogFile f : files) {
            CatalogFile row = moverCatalog.find(f.lfn()).orElseThrow();
            assertThat(row.state()).isEqualTo(FileState.TAPE_SUBMITTED);
            assertThat(row.claimOwner()).as("in flight, not held").isNull();
            assertThat(row.tapeTransferId()).startsWith("builtin:");
            assertThat(moverCatalog.events(row.id())).extracting(FileEvent::message)
                    .anySatisfy(m -> assertThat(m).contains("waiting for its tape copy (no tape copy flag"));
        }
        assertThat(mover.move().onTape()).as("not due yet: nothing polled").isZero();
        assertThat(tape.stats).as("no poll before the interval").isEqualTo(2 * 2);

        clock.advance(Duration.ofMinutes(2));
        tape.archived.add(files.get(0).compressedName());
        ArchiveReport second = mover.move();

        assertThat(second.onTape()).isEqualTo(1);
        CatalogFile done = moverCatalog.find(files.get(0).lfn()).orElseThrow();
        assertThat(done.state()).isEqualTo(FileState.ON_TAPE);
        assertThat(moverCatalog.events(done.id())).last().extracting(FileEvent::message).asString()
                .contains("tape: tape copy flag reported by").contains(done.compressedAdler32());
        assertThat(done.tapeEvidence()).startsWith("tape copy flag reported by");
        CatalogFile waiting = moverCatalog.find(files.get(1).lfn()).orElseThrow();
        assertThat(waiting.state()).isEqualTo(FileState.TAPE_SUBMITTED);
        assertThat(waiting.nextAttemptAt()).isAfter(clock.instant());

        clock.advance(Duration.ofHours(73));
        mover.move();
        CatalogFile timedOut = moverCatalog.find(files.get(1).lfn()).orElseThrow();
        assertThat(timedOut.state()).as("copied again later").isEqualTo(FileState.COMPRESSED);
        assertThat(timedOut.lastError()).contains("no tape copy after 73 h");
    }

    @Test
    void withoutWaitingForTheFlagSizeAndChecksumConfirm() {
        FlagTape tape = new FlagTape(fx.tape);
        ArchiveReport r = new BuiltinMover(moverCatalog, fx.storage, tape, 150, false, Duration.ofHours(72), clock).move();
        assertThat(r.onTape()).isEqualTo(2);
    }

    @Test
    void pollIntervalsGrowAndAreBounded() {
        assertThat(BuiltinMover.nextPoll(Duration.ZERO)).isEqualTo(Duration.ofMinutes(1));
        assertThat(BuiltinMover.nextPoll(Duration.ofMinutes(30))).isEqualTo(Duration.ofMinutes(15));
        assertThat(BuiltinMover.nextPoll(Duration.ofDays(2))).isEqualTo(Duration.ofHours(1));
    }

    /** A real file:// tape endpoint whose stat reports the tape flag for the paths the test marks archived. */
    static final class FlagTape extends ForwardingEndpoint {
        final Set<String> archived = ConcurrentHashMap.newKeySet();
        int stats;

        FlagTape(FileEndpoint real) {
            super(real);
        }

        @Override
        public Optional<RemoteFile> stat(String path) throws StorageException {
            stats++;
            return real.stat(path).map(r -> new RemoteFile(r.path(), r.size(), true, archived.contains(path)));
        }
    }

    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
