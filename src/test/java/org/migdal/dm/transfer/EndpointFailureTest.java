package org.migdal.dm.transfer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DaqTestSupport;
import org.migdal.dm.daq.DaqTestSupport.MutableClock;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.ForwardingEndpoint;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.RemoteFile;
import org.migdal.dm.storage.StorageException;
import org.migdal.dm.testinfra.Markers;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, defect 3: a failure during a transfer is classified once. When the endpoint's probe fails too (the server
 * went away mid-pass), the endpoint is DOWN, the pass stops and no file is charged; when the endpoint answers its probe,
 * the same refusal is the file's own failure and is charged.
 */
class EndpointFailureTest {
    static final String RUN = "MIG_Fe55_data_220803T145447";

    @TempDir
    Path tmp;
    Path disk;
    MutableClock clock;
    JdbcCatalog catalog;
    MigdalConfig.Daq daq;
    FileEndpoint storage;

    @BeforeEach
    void setUp() throws Exception {
        disk = Files.createDirectories(tmp.resolve("daq/data1"));
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        catalog = DaqTestSupport.catalog(tmp.resolve("catalog.db"), "test:1:1", 3, Duration.ZERO, clock);
        daq = DaqTestSupport.daq(disk);
        storage = new FileEndpoint(Markers.initialised(tmp.resolve("storage")).toUri());
        for (int i = 0; i < 5; i++) {
            DaqTestSupport.write(disk.resolve(RUN + "/" + RUN + String.format(".CAL.%04d.dat", i)), DaqTestSupport.bytes(1000, i));
        }
        DaqTestSupport.flag(disk);
        new Scanner(daq, catalog, clock).scan();
    }

    @AfterEach
    void tearDown() {
        catalog.close();
    }

    /** Refuses every upload (connection refused); its marker answers only while {@code up}. */
    static class Refusing extends ForwardingEndpoint {
        final AtomicBoolean up = new AtomicBoolean(true);
        final AtomicInteger puts = new AtomicInteger();

        Refusing(FileEndpoint real) {
            super(real);
        }

        @Override
        public Sent put(InputStream source, long size, String path, boolean overwrite) throws StorageException {
            puts.incrementAndGet();
            up.set(false); // the server goes away during the first upload
            throw new StorageException(StorageException.Kind.TRANSIENT, urlOf(path), "cannot connect (Connection refused)");
        }

        @Override
        public Optional<RemoteFile> stat(String path) throws StorageException {
            if (!up.get()) {
                throw new StorageException(StorageException.Kind.TRANSIENT, urlOf(path), "cannot connect (Connection refused)");
            }
            return super.stat(path);
        }
    }

    @Test
    void aServerThatGoesAwayMidPassIsDownAndNoFileIsCharged() {
        Refusing refusing = new Refusing(storage);
        ShipReport r = new Shipper(daq, 1, catalog, refusing).ship(n -> { });

        assertThat(refusing.puts.get()).as("the pass stops at the first endpoint failure").isEqualTo(1);
        assertThat(r.shipped()).isZero();
        List<CatalogFile> rows = catalog.list(FileFilter.all(10));
        assertThat(rows).allSatisfy(f -> {
            assertThat(f.state()).isEqualTo(FileState.REGISTERED);
            assertThat(f.attempts()).isZero();
        });
        EndpointStatus s = catalog.endpoint(storage.base().toString()).orElseThrow();
        assertThat(s.down()).isTrue();
        assertThat(s.reason()).contains("Connection refused").contains("probe");
        assertThat(rows).anySatisfy(f -> assertThat(f.lastError()).contains("DOWN").contains("no attempt charged"));
    }

    @Test
    void aRefusalTheEndpointDoesNotConfirmOnProbeIsTheFilesOwnAndCharged() {
        Refusing refusing = new Refusing(storage) {
            @Override
            public Optional<RemoteFile> stat(String path) throws StorageException {
                return storage.stat(path); // the server still answers: only this upload is refused
            }
        };
        ShipReport r = new Shipper(daq, 1, catalog, refusing).ship(n -> { });

        assertThat(r.shipped()).isZero();
        assertThat(catalog.list(FileFilter.all(10))).allSatisfy(f -> assertThat(f.attempts()).isPositive());
        assertThat(catalog.endpoint(storage.base().toString())).isEmpty();
        assertThat(Files.exists(tmp.resolve("storage").resolve(Marker.NAME))).isTrue();
    }
}
