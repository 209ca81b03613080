package org.migdal.dm.audit;

import org.migdal.dm.catalog.AuditFinding;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.Janitor;
import org.migdal.dm.storage.StorageException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code audit --fix}: what is safe, through the rules that already make it safe, and nothing else. A raw storage copy
 * missing for an ON_DISK_STORAGE file whose DAQ copy still has the recorded size and adler32 sends the file back to be
 * shipped ({@link org.migdal.dm.catalog.AuditStore#reship}), after the storage confirms, again, that the copy is missing;
 * orphaned upload temporaries go by the {@link Janitor}'s rule. (DAQ files the catalog does not know are registered while
 * they are found, by {@link ListingAudit}.) No data copy is ever deleted or overwritten, and an ON_TAPE file's evidence is
 * never changed. What it did is recorded on each finding.
 */
final class Fixer {
    private final JdbcCatalog catalog;
    private final Findings findings;
    private final Target storage;
    private final Target tape;
    private final DaqCopies daq;
    private final Janitor janitor;
    int reshipped;
    int temporariesRemoved;

    Fixer(JdbcCatalog catalog, Findings findings, Target storage, Target tape, DaqCopies daq, Janitor janitor) {
        this.catalog = catalog;
        this.findings = findings;
        this.storage = storage;
        this.tape = tape;
        this.daq = daq;
        this.janitor = janitor;
    }

    void fixAll() {
        Set<Target> sweep = new HashSet<>();
        List<AuditFinding> temporaries = new ArrayList<>();
        long after = 0;
        List<AuditFinding> page;
        do {
            page = findings.store().findings(findings.runId(), after, 500);
            for (AuditFinding f : page) {
                after = f.id();
                if (f.fixed() != null) {
                    continue;
                }
                if (f.kind().equals(Kind.STORAGE_COPY_MISSING.name()) && f.fileId() != null) {
                    reship(f);
                } else if (f.kind().equals(Kind.ORPHANED_TEMPORARY.name())) {
                    Target t = f.url().startsWith(tape.endpoint.base().toString()) && !tape.endpoint.base().equals(storage.endpoint.base())
                            ? tape : storage;
                    if (t.trusted()) {
                        sweep.add(t);
                        temporaries.add(f);
                    }
                }
            }
        } while (page.size() == 500);
        Set<String> removed = new HashSet<>();
        for (Target t : sweep) {
            Janitor.Report r = janitor.sweep(t.endpoint, false);
            r.removed().forEach(p -> removed.add(t.endpoint.urlOf(p)));
            temporariesRemoved += r.removed().size();
        }
        for (AuditFinding f : temporaries) {
            if (removed.contains(f.url())) {
                findings.store().fixed(f.id(), "removed by the janitor's rule (an upload temporary untouched for longer than"
                        + " janitor.tempMaxAgeHours)");
            }
        }
    }

    private void reship(AuditFinding finding) {
        Optional<CatalogFile> row = catalog.get(finding.fileId());
        if (row.isEmpty() || !row.get().lfn().equals(finding.subject()) || row.get().state() != FileState.ON_DISK_STORAGE
                || !storage.trusted()) {
            return; // only a raw copy of a file not yet compressed is sent back; anything else is the operator's
        }
        CatalogFile f = row.get();
        try {
            CopyCheck.Outcome now = CopyCheck.confirm(storage.endpoint, f.lfn(), f.size(), Checksum.adler32(f.adler32()),
                    CopyCheck.Residency.NOT_ASKED);
            if (!(now instanceof CopyCheck.Mismatch m) || m.problem() != CopyCheck.Problem.MISSING) {
                return; // the copy is back, or is there and different: nothing is overwritten
            }
        } catch (StorageException e) {
            return;
        }
        DaqCopies.Local local = daq.verify(f);
        if (!local.intact()) {
            findings.store().fixed(finding.id(), "not fixed: " + local.words());
            return;
        }
        String evidence = storage.endpoint.urlOf(f.lfn()) + " is missing; " + local.words();
        if (catalog.audit().reship(f, evidence).isPresent()) {
            reshipped++;
            findings.store().fixed(finding.id(), "sent back to be shipped (ON_DISK_STORAGE → QUARANTINED → REGISTERED): " + evidence
                    + "; the next `run --role daq` ships it");
        }
    }
}
