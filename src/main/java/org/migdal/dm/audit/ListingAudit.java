package org.migdal.dm.audit;

import org.migdal.dm.catalog.AuditStore;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.NewFile;
import org.migdal.dm.catalog.ScanProblem;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DaqListing;
import org.migdal.dm.daq.DiskPaths;
import org.migdal.dm.daq.Registrar;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.StorageEntry;
import org.migdal.dm.storage.StorageException;
import org.migdal.dm.storage.StorageNames;
import org.migdal.dm.storage.StorageWalk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The listing side of the audit: what is at the storage and tape endpoints and on the DAQ disks, compared with the
 * catalog a batch of names at a time ({@link AuditStore#known}), never one stat per file. At an endpoint, every plain file
 * must be named by the catalog (a raw copy by its LFN, a compressed copy by its recorded name; at the tape endpoint only
 * compressed copies); the marker file is not data; upload temporaries are listed on their own (orphaned once older than
 * {@code janitor.tempMaxAgeHours}). On a DAQ disk, the data files ({@link DaqListing}: the scan's own rule) must be known
 * where the catalog should know them all: a disk DRAINING whose listing is committed (no {@code ReadyToTransfer} flag
 * waiting), and, on a disk handed back (RELEASED), the files older than the hand-back. A disk being filled by the DAQ or
 * waiting for its scan is not audited, and said so.
 */
final class ListingAudit {
    static final int BATCH = 1000;

    private final JdbcCatalog catalog;
    private final Findings findings;
    private final Instant orphanBefore;
    private final boolean fix;
    final List<String> notAudited = new ArrayList<>();
    long listed;
    long registered;

    ListingAudit(JdbcCatalog catalog, Findings findings, Instant orphanBefore, boolean fix) {
        this.catalog = catalog;
        this.findings = findings;
        this.orphanBefore = orphanBefore;
        this.fix = fix;
    }

    // ---------------------------------------------------------------- endpoints

    void endpoint(Target t) {
        if (!t.trusted()) {
            return;
        }
        List<StorageEntry> batch = new ArrayList<>();
        try {
            StorageWalk.walk(t.endpoint, "/", new StorageWalk.Visitor() {
                @Override
                public void folder(String dir, List<StorageEntry> entries) {
                    for (StorageEntry e : entries) {
                        if (!e.file() || (dir.equals("/") && e.name().equals(Marker.NAME))) {
                            continue;
                        }
                        listed++;
                        if (StorageNames.isTemp(e.name())) {
                            temporary(t, e);
                            continue;
                        }
                        batch.add(e);
                        if (batch.size() >= BATCH) {
                            compare(t, batch);
                        }
                    }
                }

                @Override
                public void problem(String message) {
                    findings.add(Kind.CHECK_FAILED, message, t.endpoint.base().toString(), "a listing of every folder", message,
                            null, "audit again once the folder can be listed");
                }
            });
        } catch (StorageException e) {
            t.distrust("its listing failed (" + e.kind() + "): " + e.getMessage(), findings);
            return;
        }
        compare(t, batch);
    }

    private void temporary(Target t, StorageEntry e) {
        boolean orphan = e.modified() != null && e.modified().isBefore(orphanBefore);
        findings.add(orphan ? Kind.ORPHANED_TEMPORARY : Kind.TEMPORARY_IN_FLIGHT, e.path(), t.endpoint.urlOf(e.path()),
                orphan ? "no upload temporary untouched since before " + orphanBefore : "an upload in progress",
                e.size() + " bytes, last written " + e.modified(), null,
                orphan ? "`migdal-dm janitor` (or `audit --fix`) removes it by the janitor's rule" : "none: an upload is writing it");
    }

    private void compare(Target t, List<StorageEntry> batch) {
        if (batch.isEmpty()) {
            return;
        }
        AuditStore.Known known = catalog.audit().known(batch.stream().map(StorageEntry::path).toList());
        boolean tape = t.role.equals("tape");
        for (StorageEntry e : batch) {
            boolean named = known.compressedNames().contains(e.path()) || (!tape && known.lfns().contains(e.path()));
            if (named) {
                continue;
            }
            String why = tape && known.lfns().contains(e.path())
                    ? "the catalog has this path as a raw file's LFN, never as a tape copy" : "no catalog row names it";
            findings.add(Kind.UNKNOWN_COPY, e.path(), t.endpoint.urlOf(e.path()),
                    tape ? "a compressed copy the catalog records" : "a raw or compressed copy the catalog records",
                    e.size() + " bytes, last written " + e.modified() + "; " + why, null,
                    "look at it: migdal-dm never deletes a copy it does not know; move it away if it is not MIGDAL data");
        }
        batch.clear();
    }

    // ---------------------------------------------------------------- DAQ disks

    void daqDisks(MigdalConfig.Daq daq) {
        for (MigdalConfig.Disk disk : daq.disks()) {
            daqDisk(daq, disk);
        }
    }

    private void daqDisk(MigdalConfig.Daq daq, MigdalConfig.Disk disk) {
        Path root = Path.of(disk.path());
        DiskRecord rec = catalog.disk(disk.name()).orElse(null);
        boolean flagged = Files.exists(root.resolve(daq.readyToTransferFlag()), LinkOption.NOFOLLOW_LINKS);
        if (flagged && (rec == null || rec.state() == DiskRecord.DiskState.DRAINING)) {
            notAudited.add("DAQ disk " + disk.name() + ": its " + daq.readyToTransferFlag() + " flag waits for the scan, which"
                    + " registers its files");
            return;
        }
        if (rec == null) {
            notAudited.add("DAQ disk " + disk.name() + ": never scanned (being filled by the DAQ)");
            return;
        }
        // a disk handed back may have been reformatted by the DAQ since: only a drained one must be the folder scanned
        java.util.Optional<String> down = rec.state() == DiskRecord.DiskState.DRAINING
                ? DiskPaths.rootUnavailable(catalog, disk.name(), root)
                : DiskPaths.rootUnavailable(root, java.util.OptionalLong.empty(), 0);
        if (down.isPresent()) {
            findings.add(Kind.UNTRUSTED, "daq disk " + disk.name(), root.toUri().toString(), "a mounted, readable disk root",
                    down.get(), null, "mount the disk, then audit again; nothing on it was concluded");
            return;
        }
        Instant releasedAt = rec.state() == DiskRecord.DiskState.RELEASED ? rec.changedAt() : null;
        List<NewFile> batch = new ArrayList<>();
        try {
            DaqListing.walk(disk.name(), root, daq.runPrefix(), false, new DaqListing.Visitor() {
                @Override
                public void dataFile(NewFile file) {
                    if (releasedAt != null && !file.mtime().isBefore(releasedAt)) {
                        return; // written after the hand-back: new data, the DAQ's, for a later scan
                    }
                    listed++;
                    batch.add(file);
                    if (batch.size() >= BATCH) {
                        compareDaq(disk, root, releasedAt, batch);
                    }
                }

                @Override
                public void problem(String relative, ScanProblem.Kind kind, String message) {
                    // not data: the scan reports these (`migdal-dm ls --problems`)
                }
            });
        } catch (IOException e) {
            findings.add(Kind.UNTRUSTED, "daq disk " + disk.name(), root.toUri().toString(), "a listable disk root",
                    e.toString(), null, "fix the disk, then audit again; nothing on it was concluded");
            return;
        }
        compareDaq(disk, root, releasedAt, batch);
    }

    private void compareDaq(MigdalConfig.Disk disk, Path root, Instant releasedAt, List<NewFile> batch) {
        if (batch.isEmpty()) {
            return;
        }
        AuditStore.Known known = catalog.audit().known(batch.stream().map(NewFile::lfn).toList());
        List<NewFile> unknown = batch.stream().filter(f -> !known.lfns().contains(f.lfn())).toList();
        batch.clear();
        if (unknown.isEmpty()) {
            return;
        }
        String fixed = null;
        if (fix) {
            try (Registrar r = new Registrar(catalog, disk.name())) {
                unknown.forEach(r::add);
                registered += r.finish().registered();
            }
            fixed = "registered through the scan's registration path; the next `run --role daq` ships it";
        }
        for (NewFile f : unknown) {
            Path p = root.resolve(f.localPath());
            findings.add(Kind.DAQ_FILE_UNKNOWN, disk.name() + ":" + f.localPath(), p.toUri().toString(),
                    "registered in the catalog as " + f.lfn() + (releasedAt == null ? " (the disk's listing is committed)"
                            : " (older than the disk's hand-back at " + releasedAt + ")"),
                    "not in the catalog: " + f.size() + " bytes, mtime " + f.mtime(), null,
                    "`migdal-dm audit --fix` registers it (or put " + "the disk's ReadyToTransfer flag back for a scan)", fixed);
        }
    }
}
