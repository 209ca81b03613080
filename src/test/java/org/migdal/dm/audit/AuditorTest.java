package org.migdal.dm.audit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.AuditFinding;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.Scanner;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.ForwardingEndpoint;
import org.migdal.dm.storage.GuardedEndpoint;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.RemoteFile;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.migdal.dm.testinfra.Markers;
import org.migdal.dm.transfer.Shipper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The audit where the command line cannot reach: a storage that goes away between the guard's marker check and the stat
 * that finds no copy. Nothing is concluded missing; the endpoint is reported untrusted and asked nothing more.
 */
class AuditorTest {
    @TempDir
    Path tmp;

    private JdbcCatalog catalog;

    @AfterEach
    void close() {
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void aStorageUnmountedUnderTheCheckIsUntrustedNotMissing() throws Exception {
        Path daqRoot = Files.createDirectories(tmp.resolve("daq/data1"));
        Path storageRoot = Markers.initialised(tmp.resolve("storage"));
        Path tapeRoot = Markers.initialised(tmp.resolve("tape"));
        MigdalConfig.Daq daq = new MigdalConfig.Daq(List.of(new MigdalConfig.Disk("data1", daqRoot.toString())), null, null, null,
                null, null);
        catalog = JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("test-host:1:0", Duration.ofMinutes(30), 3, Duration.ZERO), Clock.systemUTC(), 4);
        new SyntheticRuns(5).writeRun(daqRoot, "Fe55", LocalDateTime.of(2022, 8, 3, 14, 54, 47), 3, 256 * 256 * 2);
        Files.writeString(daqRoot.resolve("ReadyToTransfer"), "");
        new Scanner(daq, catalog, Clock.systemUTC()).scan();
        assertThat(new Shipper(daq, 1, catalog, new FileEndpoint(storageRoot.toUri())).ship(b -> { }).shipped()).isEqualTo(3);
        List<CatalogFile> rows = catalog.list(FileFilter.all(10));
        String victim = rows.get(1).lfn();

        // the mount goes away right after the guard saw the marker, as the stat of one copy is made
        StorageEndpoint vanishing = new ForwardingEndpoint(new FileEndpoint(storageRoot.toUri())) {
            @Override
            public Optional<RemoteFile> stat(String path) throws StorageException {
                if (path.equals(victim)) {
                    try {
                        Files.deleteIfExists(storageRoot.resolve(Marker.NAME));
                    } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                    }
                    return Optional.empty();
                }
                return super.stat(path);
            }
        };
        StorageEndpoint storage = new GuardedEndpoint(vanishing, Duration.ZERO, Clock.systemUTC());
        StorageEndpoint tape = new GuardedEndpoint(new FileEndpoint(tapeRoot.toUri()), Duration.ZERO, Clock.systemUTC());
        Auditor.Settings settings = new Auditor.Settings(0, false, 0, CopyCheck.Residency.REQUIRED, Duration.ofHours(24));

        Auditor.Result r = new Auditor(catalog, daq, storage, null, tape, null, settings, Clock.systemUTC(),
                new RateLimit(0, n -> { }, System::nanoTime)).run(false);

        List<AuditFinding> found = catalog.audit().findings(r.run().id(), 0, 100);
        assertThat(found).extracting(AuditFinding::kind).containsExactly("UNTRUSTED");
        assertThat(found.get(0).found()).contains("MARKER_MISSING");
        assertThat(r.consistent()).isFalse();
        assertThat(r.run().checksums()).as("the first file checked, the second found the storage gone, the third not asked")
                .isEqualTo(2);
        assertThat(storageRoot.resolve(victim.substring(1))).exists();
    }
}
