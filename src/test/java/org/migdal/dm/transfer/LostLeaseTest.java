package org.migdal.dm.transfer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.LostClaimException;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DaqTestSupport;
import org.migdal.dm.daq.DaqTestSupport.MutableClock;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.storage.Fence;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 10, defect 4: a worker whose lease ran out during its upload (another worker took the file over and shipped it)
 * puts nothing in place and removes only its own temporary: the second worker's verified copy survives.
 */
class LostLeaseTest {
    static final String RUN = "MIG_Fe55_data_220803T145447";
    static final String LFN = "/2208/220803/" + RUN + "/" + RUN + ".CAL.0000.dat";

    @TempDir
    Path tmp;
    Path disk;
    Path storageDir;
    MutableClock clock;
    JdbcCatalog first;
    JdbcCatalog second;
    MigdalConfig.Daq daq;
    byte[] data;

    @BeforeEach
    void setUp() throws Exception {
        disk = Files.createDirectories(tmp.resolve("daq/data1"));
        storageDir = Files.createDirectories(tmp.resolve("storage"));
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        first = DaqTestSupport.catalog(tmp.resolve("catalog.db"), "worker-a.example:1:1", 3, Duration.ofMinutes(1), clock);
        second = DaqTestSupport.catalog(tmp.resolve("catalog.db"), "worker-b.example:2:2", 3, Duration.ofMinutes(1), clock);
        daq = DaqTestSupport.daq(disk);
        data = DaqTestSupport.bytes(3 << 20, 7);
        DaqTestSupport.write(disk.resolve(RUN + "/" + RUN + ".CAL.0000.dat"), data);
        DaqTestSupport.flag(disk);
        new Scanner(daq, first, clock).scan();
    }

    @AfterEach
    void tearDown() {
        first.close();
        second.close();
    }

    /** Passes the upload through, holding it halfway until the test lets it go on. */
    static final class HeldEndpoint extends org.migdal.dm.storage.ForwardingEndpoint {
        final CountDownLatch halfway = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);

        HeldEndpoint(FileEndpoint inner) {
            super(inner);
        }

        @Override
        public Sent put(InputStream source, long size, String path, boolean overwrite, Fence fence) throws StorageException {
            InputStream held = new FilterInputStream(source) {
                long read;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (read >= size / 2 && halfway.getCount() > 0) {
                        halfway.countDown();
                        try {
                            if (!resume.await(60, TimeUnit.SECONDS)) {
                                throw new IOException("the test never let the upload go on");
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IOException(e);
                        }
                    }
                    int n = super.read(b, off, (int) Math.min(len, 64 * 1024));
                    read += Math.max(0, n);
                    return n;
                }
            };
            return real.put(held, size, path, overwrite, fence);
        }
    }

    @Test
    void aWorkerThatLostItsLeaseDuringTheUploadLeavesTheOtherWorkersVerifiedCopyAlone() throws Exception {
        FileEndpoint storage = new FileEndpoint(storageDir.toUri());
        HeldEndpoint slow = new HeldEndpoint(storage);
        CompletableFuture<ShipReport> a = CompletableFuture.supplyAsync(() -> new Shipper(daq, 1, first, slow).ship(n -> { }));
        assertThat(slow.halfway.await(60, TimeUnit.SECONDS)).as("worker A is halfway through its upload").isTrue();

        clock.advance(Duration.ofMinutes(31)); // A's lease runs out (nothing renews it: A is stuck)
        ShipReport b = new Shipper(daq, 1, second, storage).ship(n -> { });
        assertThat(b.shipped()).isEqualTo(1);
        CatalogFile shipped = second.find(LFN).orElseThrow();
        assertThat(shipped.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(second.events(shipped.id())).as("A's lost lease counts as a crash, not an attempt")
                .anyMatch(e -> e.action().equals("claim-takeover") && e.message().contains("crash 1 of at most 5"));

        slow.resume.countDown();
        ShipReport late = a.get(60, TimeUnit.SECONDS);
        assertThat(late.shipped()).isZero();

        Path copy = storageDir.resolve(LFN.substring(1));
        assertThat(copy).hasBinaryContent(data);
        try (Stream<Path> s = Files.walk(storageDir)) {
            assertThat(s.filter(Files::isRegularFile).toList()).as("no temporary of A left behind").containsExactly(copy);
        }
        CatalogFile after = second.find(LFN).orElseThrow();
        assertThat(after.state()).isEqualTo(FileState.ON_DISK_STORAGE);
        assertThat(after.attempts()).isZero();
        assertThat(after.localDeletedAt()).isNotNull();
        List<String> actions = second.events(after.id()).stream().map(FileEvent::action).toList();
        assertThat(actions).containsSubsequence("register", "claim-takeover", "ship");
        assertThat(second.events(after.id())).noneMatch(e -> e.actor().startsWith("worker-a") && e.action().equals("ship"));
    }

    @Test
    void anUploadWhoseFenceFailsPutsNothingInPlaceEvenWhenAskedToOverwrite() throws Exception {
        FileEndpoint storage = new FileEndpoint(storageDir.toUri());
        byte[] verified = DaqTestSupport.bytes(4096, 1);
        storage.put(new ByteArrayInputStream(verified), verified.length, "/x/copy.dat", false);

        byte[] late = DaqTestSupport.bytes(4096, 2);
        assertThatThrownBy(() -> storage.put(new ByteArrayInputStream(late), late.length, "/x/copy.dat", true,
                () -> {
                    throw new LostClaimException("/x/copy.dat", "worker-a", FileState.SHIPPING);
                })).isInstanceOf(LostClaimException.class);

        assertThat(storageDir.resolve("x/copy.dat")).hasBinaryContent(verified);
        try (Stream<Path> s = Files.list(storageDir.resolve("x"))) {
            assertThat(s.toList()).containsExactly(storageDir.resolve("x/copy.dat"));
        }
    }
}
