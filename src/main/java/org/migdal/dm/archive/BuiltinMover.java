package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Changes;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.storage.RemoteFile;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.util.Optional;

/**
 * The embedded tape mover: copies each compressed file from disk storage to the tape endpoint itself and
 * confirms size and adler32 from the tape endpoint before marking it ON_TAPE.
 */
public final class BuiltinMover implements TapeMover {
    private static final Logger log = LoggerFactory.getLogger(BuiltinMover.class);

    private final Catalog catalog;
    private final StorageEndpoint disk;
    private final StorageEndpoint tape;
    private final int batch;

    public BuiltinMover(Catalog catalog, StorageEndpoint disk, StorageEndpoint tape, int batch) {
        this.catalog = catalog;
        this.disk = disk;
        this.tape = tape;
        this.batch = batch;
    }

    @Override
    public ArchiveReport move() {
        ArchiveReport total = new ArchiveReport(0, 0, 0, 0, 0, 0);
        for (CatalogFile f : catalog.claim(Stage.TAPE, batch)) {
            try {
                total = total.plus(moveOne(f));
            } catch (LostClaimException e) {
                log.warn("{}", e.getMessage());
                total = total.plus(new ArchiveReport(0, 0, 1, 0, 0, 0));
            }
        }
        return total;
    }

    private ArchiveReport moveOne(CatalogFile f) {
        String name = f.compressedName();
        String url = tape.urlOf(name);
        if (name == null || f.compressedSize() == null || f.compressedAdler32() == null) {
            return failure(f, "no compressed copy is recorded; cannot archive", true);
        }
        try {
            Optional<RemoteFile> existing = tape.stat(name);
            boolean already = existing.isPresent() && existing.get().size() == f.compressedSize()
                    && tape.checksum(name).equals(f.compressedAdler32());
            if (!already) {
                try (InputStream in = disk.open(name)) {
                    StorageEndpoint.Sent sent = tape.put(in, f.compressedSize(), name, existing.isPresent());
                    if (!sent.adler32().equals(f.compressedAdler32())) {
                        return failure(f, "the compressed copy " + disk.urlOf(name) + " read back with adler32 " + sent.adler32()
                                + " instead of " + f.compressedAdler32() + "; disk storage copy damaged", false);
                    }
                }
            }
            Optional<RemoteFile> remote = tape.stat(name);
            if (remote.isEmpty() || remote.get().size() != f.compressedSize()) {
                return failure(f, "tape endpoint reports " + remote.map(r -> r.size() + " bytes").orElse("no file") + " for " + url
                        + ", expected " + f.compressedSize(), false);
            }
            String sum = tape.checksum(name);
            if (!sum.equals(f.compressedAdler32())) {
                return failure(f, "tape endpoint reports adler32 " + sum + " for " + url + ", expected " + f.compressedAdler32(), false);
            }
            catalog.advance(f, FileState.ON_TAPE, Changes.none().tapeTransferId("builtin:" + catalog.owner()), "tape",
                    (already ? "already on tape: " : "copied to tape: ") + url + "; tape endpoint confirms "
                            + f.compressedSize() + " bytes and adler32 " + sum);
            return new ArchiveReport(0, 1, 0, 0, 0, 0);
        } catch (StorageException e) {
            return failure(f, "tape copy to " + url + " failed (" + e.kind() + "): " + e.getMessage(), false);
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
