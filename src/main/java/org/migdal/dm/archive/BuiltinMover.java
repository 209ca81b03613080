package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.Failure;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.health.EndpointHealth;
import org.migdal.dm.health.Failures;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The embedded tape mover: copies each compressed file from disk storage to the tape endpoint itself and
 * confirms it there ({@link CopyCheck}: size, adler32 and, where the endpoint can tell, tape residency) before marking
 * it ON_TAPE with the evidence.
 */
public final class BuiltinMover implements TapeMover {
    private static final Logger log = LoggerFactory.getLogger(BuiltinMover.class);

    private final Catalog catalog;
    private final StorageEndpoint disk;
    private final StorageEndpoint tape;
    private final int batch;
    private final CopyCheck.Residency residency;
    private final Duration tapeTimeout;
    private final Clock clock;
    private final Failures failures;
    /** The disk storage or the tape failed as a whole during this pass: no other file is started. */
    private boolean halted;

    /** The embedded default: confirms by size and adler32, and by tape residency where the endpoint reports it. */
    public BuiltinMover(Catalog catalog, StorageEndpoint disk, StorageEndpoint tape, int batch) {
        this(catalog, disk, tape, batch, true, Duration.ofHours(72), Clock.systemUTC());
    }

    /**
     * {@code requireTapeResidency} ({@code archive.requireTapeResidency}): where the tape endpoint reports tape residency
     * (xroot {@code BackUpExists}, Tape REST API archiveinfo), a file is ON_TAPE only once it reports a tape copy,
     * polled with growing intervals up to {@code tapeTimeout}; where it cannot tell ({@code file://}), size and adler32
     * confirm it. When false, size and adler32 confirm it and the residency seen is only recorded.
     */
    public BuiltinMover(Catalog catalog, StorageEndpoint disk, StorageEndpoint tape, int batch, boolean requireTapeResidency,
                        Duration tapeTimeout, Clock clock) {
        this.catalog = catalog;
        this.disk = disk;
        this.tape = tape;
        this.batch = batch;
        this.residency = requireTapeResidency ? CopyCheck.Residency.REQUIRED : CopyCheck.Residency.RECORDED;
        this.tapeTimeout = tapeTimeout;
        this.clock = clock;
        this.failures = new Failures(new EndpointHealth(catalog, clock));
    }

    @Override
    public ArchiveReport move() {
        ArchiveReport total = new ArchiveReport(0, 0, 0, 0, 0, 0);
        halted = false;
        List<Long> passed = new java.util.ArrayList<>();
        // one file claimed at a time, when it can start: a crash leaves at most one claim behind
        for (int n = 0; n < batch && !halted; n++) {
            List<CatalogFile> claimed = catalog.claim(Stage.TAPE, 1, null, passed);
            if (claimed.isEmpty()) {
                break;
            }
            passed.add(claimed.get(0).id());
            try {
                total = total.plus(moveOne(claimed.get(0)));
            } catch (LostClaimException e) {
                log.warn("{}", e.getMessage());
                total = total.plus(new ArchiveReport(0, 0, 1, 0, 0, 0));
            }
        }
        for (CatalogFile f : halted ? List.<CatalogFile>of() : catalog.claimInFlight(batch)) {
            try {
                total = total.plus(poll(f));
            } catch (LostClaimException e) {
                log.warn("{}", e.getMessage());
            }
        }
        return total;
    }

    /** A copy waiting for its tape copy: ON_TAPE once the endpoint reports it, checked again later otherwise, failed after the timeout. */
    private ArchiveReport poll(CatalogFile f) {
        String name = f.compressedName();
        String url = tape.urlOf(name);
        try {
            CopyCheck.Outcome copy = CopyCheck.confirm(tape, name, f.compressedSize(), Checksum.adler32(f.compressedAdler32()), residency);
            if (copy instanceof CopyCheck.Confirmed c) {
                catalog.advance(f, FileState.ON_TAPE, Changes.none().tapeEvidence(c.evidence().tape()), "tape",
                        "on tape: " + c.evidence().describe());
                return new ArchiveReport(0, 1, 0, 0, 0, 0);
            }
            CopyCheck.Mismatch m = (CopyCheck.Mismatch) copy;
            if (m.problem() != CopyCheck.Problem.NOT_ON_TAPE) {
                return failure(f, "while waiting for its tape copy: " + m.message() + "; it will be copied again", false);
            }
            Instant since = f.tapeSubmittedAt() != null ? f.tapeSubmittedAt() : clock.instant();
            Duration waited = Duration.between(since, clock.instant());
            if (waited.compareTo(tapeTimeout) > 0) {
                return failure(f, url + " has no tape copy after " + waited.toHours() + " h (archive.tapeTimeoutHours "
                        + tapeTimeout.toHours() + "; the endpoint says: " + m.found() + "); it will be copied again", false);
            }
            catalog.release(f, Changes.none(), clock.instant().plus(nextPoll(waited)), "tape-poll", null);
            return new ArchiveReport(0, 0, 0, 0, 0, 0);
        } catch (StorageException e) {
            catalog.release(f, Changes.none(), clock.instant().plus(Duration.ofMinutes(5)), "tape-poll",
                    "tape check of " + url + " failed (" + e.kind() + "): " + e.getMessage() + "; will check again");
            return new ArchiveReport(0, 0, 1, 0, 0, 0);
        }
    }

    /** Poll intervals grow with the time already waited: 1 minute at first, at most 1 hour. */
    static Duration nextPoll(Duration waited) {
        Duration half = waited.dividedBy(2);
        return half.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1)
                : half.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : half;
    }

    private ArchiveReport moveOne(CatalogFile f) {
        String name = f.compressedName();
        String url = tape.urlOf(name);
        if (name == null || f.compressedSize() == null || f.compressedAdler32() == null) {
            return failure(f, "no compressed copy is recorded; cannot archive", true);
        }
        Checksum expected = Checksum.adler32(f.compressedAdler32());
        try {
            CopyCheck.Outcome before = CopyCheck.confirm(tape, name, f.compressedSize(), expected, CopyCheck.Residency.NOT_ASKED);
            boolean already = before instanceof CopyCheck.Confirmed;
            if (!already) {
                boolean exists = ((CopyCheck.Mismatch) before).problem() != CopyCheck.Problem.MISSING;
                try (InputStream in = disk.open(name)) {
                    StorageEndpoint.Sent sent = tape.put(in, f.compressedSize(), name, exists, () -> catalog.fence(f));
                    if (!sent.adler32().equals(expected)) {
                        return failure(f, "the compressed copy " + disk.urlOf(name) + " read back with adler32 " + sent.adler32()
                                + " instead of " + expected + "; disk storage copy damaged", false);
                    }
                }
            }
            CopyCheck.Outcome copy = CopyCheck.confirm(tape, name, f.compressedSize(), expected, residency);
            Changes id = Changes.none().tapeTransferId("builtin:" + catalog.owner());
            if (copy instanceof CopyCheck.Mismatch m) {
                if (m.problem() != CopyCheck.Problem.NOT_ON_TAPE) {
                    return failure(f, "tape copy differs: " + m.message(), false);
                }
                catalog.release(f, id, clock.instant().plus(nextPoll(Duration.ZERO)), "tape",
                        (already ? "already at " : "copied to ") + url + "; tape endpoint confirms " + f.compressedSize()
                                + " bytes and adler32 " + expected + "; waiting for its tape copy (" + m.found() + ")");
                return new ArchiveReport(0, 0, 0, 0, 0, 0);
            }
            CopyCheck.Evidence e = copy.confirmed().orElseThrow();
            catalog.advance(f, FileState.ON_TAPE, id.tapeEvidence(e.tape()), "tape",
                    (already ? "already on tape: " : "copied to tape: ") + e.describe());
            return new ArchiveReport(0, 1, 0, 0, 0, 0);
        } catch (StorageException e) {
            Failure failure = failures.of(e, "tape copy of " + disk.urlOf(name) + " to " + url + " failed", tape, disk);
            halted |= failure.kind() == Failure.Kind.ENDPOINT;
            CatalogFile after = catalog.fail(f, "tape", failure);
            log.warn("tape {}: {}", f.lfn(), failure.message());
            return after.state() == FileState.QUARANTINED ? new ArchiveReport(0, 0, 0, 1, 0, 0) : new ArchiveReport(0, 0, 1, 0, 0, 0);
        } catch (java.io.IOException e) {
            return failure(f, "tape copy to " + url + " failed: " + e, false);
        }
    }

    private ArchiveReport failure(CatalogFile f, String error, boolean permanent) {
        CatalogFile after = catalog.fail(f, "tape", error, permanent);
        log.warn("tape {}: {}", f.lfn(), error);
        return after.state() == FileState.QUARANTINED ? new ArchiveReport(0, 0, 0, 1, 0, 0) : new ArchiveReport(0, 0, 1, 0, 0, 0);
    }
}
