package org.migdal.dm.archive;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.compress.Codec;
import org.migdal.dm.compress.Compressor;
import org.migdal.dm.storage.ForwardingEndpoint;
import org.migdal.dm.storage.StorageException;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, defect 2: the compression stage claims only what it can start (one file per executor slot), so a crash
 * leaves at most one claim per slot behind instead of a whole cycle's batch.
 */
class CompressionClaimsTest {
    @TempDir
    Path tmp;
    ArchiveFixture fx;

    @BeforeEach
    void setUp() throws Exception {
        fx = new ArchiveFixture(tmp, 3);
        fx.shipped(12, 1);
    }

    @AfterEach
    void tearDown() throws Exception {
        fx.close();
    }

    /** Holds every read of a raw copy until the test lets one go on. */
    static final class HeldReads extends ForwardingEndpoint {
        final Semaphore go = new Semaphore(0);
        final CountDownLatch twoWaiting = new CountDownLatch(2);

        HeldReads(org.migdal.dm.storage.FileEndpoint real) {
            super(real);
        }

        @Override
        public InputStream open(String path) throws StorageException {
            twoWaiting.countDown();
            try {
                if (!go.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new StorageException(StorageException.Kind.TRANSIENT, path, "the test never let the read go on");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(StorageException.Kind.TRANSIENT, path, "interrupted");
            }
            return super.open(path);
        }
    }

    @Test
    void aCycleOf150JobsOnTwoSlotsHoldsTwoClaimsAtATime() throws Exception {
        HeldReads held = new HeldReads(fx.storage);
        Compression compression = new Compression(fx.catalog, held, new Compressor(Codec.GZIP, 1), fx.executor, fx.workDir, 150);
        CompletableFuture<ArchiveReport> run = CompletableFuture.supplyAsync(() -> compression.run(b -> { }));

        assertThat(held.twoWaiting.await(60, TimeUnit.SECONDS)).as("both slots started a file").isTrue();
        assertThat(fx.catalog.count(new FileFilter(FileState.COMPRESSING, null, null, null, 0, 1)))
                .as("files held under a claim while both slots are busy").isEqualTo(2);
        assertThat(fx.catalog.count(new FileFilter(FileState.ON_DISK_STORAGE, null, null, null, 0, 1))).isEqualTo(10);

        held.go.release(1000);
        ArchiveReport r = run.get(120, TimeUnit.SECONDS);
        assertThat(r.compressed()).isEqualTo(12);
        assertThat(fx.catalog.count(new FileFilter(FileState.COMPRESSED, null, null, null, 0, 1))).isEqualTo(12);
    }
}
