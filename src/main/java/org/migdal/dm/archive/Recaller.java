package org.migdal.dm.archive;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Recall;
import org.migdal.dm.catalog.RecallStore;
import org.migdal.dm.storage.Checksum;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.function.Function;

/**
 * The built-in recall: streams a file's compressed copy from the tape endpoint to the requested destination and
 * verifies, from the destination, that what arrived has the size and adler32 recorded when it was archived.
 */
public final class Recaller implements RecallMover {
    private static final Logger log = LoggerFactory.getLogger(Recaller.class);

    private final Catalog catalog;
    private final RecallStore recalls;
    private final StorageEndpoint tape;
    private final Function<String, StorageEndpoint> destinations;

    /** {@code destinations} opens the endpoint of a destination URL (the caller owns and closes them). */
    public Recaller(Catalog catalog, RecallStore recalls, StorageEndpoint tape, Function<String, StorageEndpoint> destinations) {
        this.catalog = catalog;
        this.recalls = recalls;
        this.tape = tape;
        this.destinations = destinations;
    }

    /** What one pass did. */
    public record Report(int done, int failed) {
    }

    @Override
    public Report run(int limit) {
        return run(limit, bytes -> { });
    }

    /** Copies are counted to {@code progress} as they are read from the tape endpoint. */
    @Override
    public Report run(int limit, java.util.function.LongConsumer progress) {
        int done = 0;
        int failed = 0;
        for (Recall r : recalls.claim(limit)) {
            if (recallOne(r, progress)) {
                done++;
            } else {
                failed++;
            }
        }
        return new Report(done, failed);
    }

    /**
     * Whether what arrived at the destination is what was archived, by the destination's own size and adler32 for the
     * compressed copy ({@link CopyCheck}): empty when it confirms, else what it holds instead.
     */
    static Optional<String> arrivalProblem(StorageEndpoint dest, CatalogFile f) throws StorageException {
        CopyCheck.Outcome arrived = CopyCheck.confirm(dest, f.compressedName(), f.compressedSize(),
                Checksum.adler32(f.compressedAdler32()), CopyCheck.Residency.NOT_ASKED);
        return arrived instanceof CopyCheck.Mismatch m ? Optional.of(m.message() + " (as archived)") : Optional.empty();
    }

    private static InputStream counted(InputStream in, java.util.function.LongConsumer progress) {
        return new java.io.FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    progress.accept(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n > 0) {
                    progress.accept(n);
                }
                return n;
            }
        };
    }

    private boolean recallOne(Recall r, java.util.function.LongConsumer progress) {
        Optional<CatalogFile> file = catalog.get(r.fileId());
        if (file.isEmpty() || file.get().compressedName() == null) {
            recalls.fail(r, "no compressed copy is recorded for " + r.lfn(), true);
            return false;
        }
        CatalogFile f = file.get();
        String name = f.compressedName();
        StorageEndpoint dest;
        try {
            dest = destinations.apply(r.destination());
        } catch (RuntimeException e) {
            recalls.fail(r, "destination " + r.destination() + ": " + e.getMessage(), true);
            return false;
        }
        String from = tape.urlOf(name);
        String to = dest.urlOf(name);
        try (InputStream in = counted(tape.open(name), progress)) {
            boolean existing = dest.stat(name).isPresent();
            StorageEndpoint.Sent sent = dest.put(in, f.compressedSize(), name, existing);
            if (!sent.adler32().equals(Checksum.adler32(f.compressedAdler32()))) {
                recalls.fail(r, "the tape copy " + from + " read back with adler32 " + sent.adler32() + " instead of "
                        + f.compressedAdler32(), false);
                return false;
            }
            Optional<String> problem = arrivalProblem(dest, f);
            if (problem.isPresent()) {
                recalls.fail(r, problem.get(), false);
                return false;
            }
            recalls.done(r, "recalled " + from + " to " + to + "; the destination confirms " + f.compressedSize()
                    + " bytes and adler32 " + f.compressedAdler32() + " (as archived)");
            log.info("recalled {} to {}", f.lfn(), to);
            return true;
        } catch (StorageException e) {
            recalls.fail(r, "recall " + from + " → " + to + " failed (" + e.kind() + "): " + e.getMessage(), false);
            return false;
        } catch (IOException e) {
            recalls.fail(r, "recall " + from + " → " + to + " failed: " + e, false);
            return false;
        }
    }
}
