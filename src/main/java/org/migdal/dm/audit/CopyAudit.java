package org.migdal.dm.audit;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Failure;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.health.Failures;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.StorageException;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The catalog side of the audit, one file at a time: every copy the file's state says exists is confirmed where it
 * should be, by {@link CopyCheck} (a stat and a checksum request each, paced by {@link RateLimit}): the raw storage copy,
 * the compressed storage copy, and for an ON_TAPE file the tape copy, with the tape-residency rules of
 * {@code archive.requireTapeResidency}. A copy at an untrusted endpoint is not checked. A mismatch is confirmed against the
 * catalog row read again, so a file that moved on meanwhile (a running cycle) is not reported.
 */
final class CopyAudit {
    /** States in which the raw storage copy is there (unless its deletion is recorded). */
    static final Set<FileState> RAW = EnumSet.of(FileState.ON_DISK_STORAGE, FileState.COMPRESSING, FileState.COMPRESSED,
            FileState.TAPE_SUBMITTED, FileState.ON_TAPE);
    /** States in which the compressed copy is at the storage. */
    static final Set<FileState> COMPRESSED = EnumSet.of(FileState.COMPRESSED, FileState.TAPE_SUBMITTED, FileState.ON_TAPE);

    private final Catalog catalog;
    private final Target storage;
    private final Target tape;
    private final CopyCheck.Residency tapeResidency;
    private final RateLimit rate;
    private final Findings findings;
    private final Failures failures;
    private final DaqCopies daq;
    long checksums;
    long skipped;

    CopyAudit(Catalog catalog, Target storage, Target tape, CopyCheck.Residency tapeResidency, RateLimit rate, Findings findings,
              Failures failures, DaqCopies daq) {
        this.catalog = catalog;
        this.storage = storage;
        this.tape = tape;
        this.tapeResidency = tapeResidency;
        this.rate = rate;
        this.findings = findings;
        this.failures = failures;
        this.daq = daq;
    }

    /** A copy the catalog vouches for: where, under which name, with which size and adler32. */
    record Expected(Target at, String path, long size, String adler32, boolean raw, boolean tape) {
    }

    /**
     * The state whose copies the catalog vouches for: a QUARANTINED file keeps the copies of the state it was stopped in
     * (its resting state: a file quarantined ON_TAPE still has its tape copy and evidence).
     */
    static FileState vouched(CatalogFile f) {
        return f.state() == FileState.QUARANTINED && f.quarantinedFrom() != null ? f.quarantinedFrom().restingState() : f.state();
    }

    static boolean rawExpected(CatalogFile f) {
        return RAW.contains(vouched(f)) && f.rawDeletedAt() == null && f.shippedAt() != null && f.adler32() != null;
    }

    static boolean compressedExpected(CatalogFile f) {
        return COMPRESSED.contains(vouched(f)) && f.compressedName() != null && f.compressedSize() != null
                && f.compressedAdler32() != null;
    }

    static boolean tapeExpected(CatalogFile f) {
        return compressedExpected(f) && vouched(f) == FileState.ON_TAPE && f.onTapeAt() != null;
    }

    void check(CatalogFile f) {
        if (rawExpected(f)) {
            check(f, new Expected(storage, f.lfn(), f.size(), f.adler32(), true, false));
        }
        if (compressedExpected(f)) {
            check(f, new Expected(storage, f.compressedName(), f.compressedSize(), f.compressedAdler32(), false, false));
            if (tapeExpected(f)) {
                check(f, new Expected(tape, f.compressedName(), f.compressedSize(), f.compressedAdler32(), false, true));
            }
        }
    }

    private void check(CatalogFile f, Expected e) {
        if (!e.at().trusted()) {
            skipped++;
            return;
        }
        CopyCheck.Outcome outcome;
        try {
            rate.acquire();
            checksums++;
            outcome = CopyCheck.confirm(e.at().endpoint, e.path(), e.size(), Checksum.adler32(e.adler32()),
                    e.tape() ? tapeResidency : CopyCheck.Residency.NOT_ASKED);
        } catch (StorageException x) {
            Failure failure = failures.of(x, e.at().endpoint, "audit of " + e.at().endpoint.urlOf(e.path()));
            if (failure.kind() == Failure.Kind.ENDPOINT) {
                e.at().distrust(x.kind() + ": " + x.getMessage(), findings);
            } else {
                findings.add(Kind.CHECK_FAILED, e.path(), x.url(), describe(e), x.kind() + ": " + x.getMessage(), f.id(),
                        "audit again (`migdal-dm audit --resume` continues an interrupted audit)");
            }
            return;
        }
        if (!(outcome instanceof CopyCheck.Mismatch m) || !stillExpected(f, e)) {
            return;
        }
        boolean missing = m.problem() == CopyCheck.Problem.MISSING;
        if (missing && !markerStillThere(e.at())) {
            return; // the endpoint went away under the check: nothing is concluded from it
        }
        Kind kind = e.tape() ? (missing ? Kind.TAPE_COPY_MISSING : Kind.TAPE_COPY_DIFFERS)
                : (missing ? Kind.STORAGE_COPY_MISSING : Kind.STORAGE_COPY_DIFFERS);
        String found = switch (m.problem()) {
            case MISSING -> "no file";
            case SIZE -> m.found() + " bytes";
            case CHECKSUM -> e.size() + " bytes, adler32 " + m.found();
            case NOT_ON_TAPE -> "no tape copy: " + m.found();
        };
        findings.add(kind, e.path(), m.url(), describe(e) + (e.tape() ? " on tape" : ""), found, f.id(), todo(f, e, missing));
    }

    /** A copy is concluded missing only from an endpoint that shows its marker right after saying so. */
    private boolean markerStillThere(Target t) {
        try {
            Marker.require(t.endpoint);
            return true;
        } catch (StorageException x) {
            t.distrust(x.kind() + ": " + x.getMessage(), findings);
            return false;
        }
    }

    private static String describe(Expected e) {
        return (e.raw() ? "raw copy, " : "compressed copy, ") + e.size() + " bytes, adler32 " + e.adler32();
    }

    /** The row read again still vouches for this copy (a file that moved on while it was checked is not reported). */
    private boolean stillExpected(CatalogFile before, Expected e) {
        CatalogFile now = catalog.get(before.id()).orElse(null);
        if (now == null) {
            return false;
        }
        if (e.raw()) {
            return rawExpected(now) && Objects.equals(now.adler32(), e.adler32()) && now.size() == e.size();
        }
        return compressedExpected(now) && e.path().equals(now.compressedName()) && Objects.equals(now.compressedAdler32(), e.adler32())
                && (!e.tape() || tapeExpected(now));
    }

    private String todo(CatalogFile f, Expected e, boolean missing) {
        String show = "`migdal-dm show " + f.lfn() + "`";
        if (e.tape()) {
            return "the catalog's tape evidence is left as recorded (" + f.tapeEvidence() + "); look at the tape system and "
                    + show + "; the compressed copy at the storage is " + storage.endpoint.urlOf(f.compressedName());
        }
        if (!e.raw()) {
            return tapeExpected(f)
                    ? "the tape copy holds it: `migdal-dm recall " + f.lfn() + "` stages it back (verified on arrival); "
                    + "move a bad copy aside first, migdal-dm never overwrites it"
                    : "look at " + show + "; migdal-dm neither overwrites nor deletes the copy";
        }
        if (vouched(f) != FileState.ON_DISK_STORAGE) {
            return "the compressed copy (proven at compression to decompress to this adler32) holds the data; " + show;
        }
        DaqCopies.Local daqCopy = daq.stat(f);
        String local = daqCopy.words();
        if (f.state() == FileState.QUARANTINED) {
            return local + "; the file is QUARANTINED: " + show + ", then `migdal-dm retry " + f.lfn() + "`";
        }
        if (!daqCopy.intact()) {
            return local + "; no other copy is known: " + show;
        }
        return local + (missing ? "; `migdal-dm audit --fix` sends the file back to be shipped from it (after checking its"
                + " adler32)" : "; move the bad storage copy aside (migdal-dm never overwrites nor deletes it), then `migdal-dm"
                + " audit --fix` sends the file back to be shipped");
    }
}
