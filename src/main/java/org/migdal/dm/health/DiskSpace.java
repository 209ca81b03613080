package org.migdal.dm.health;

import org.migdal.dm.catalog.Activity;
import org.migdal.dm.catalog.DiskRecord;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.daq.DiskPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Free space of the DAQ disks: sampled into the catalog once a DAQ cycle ({@link #sample}), and read back as each disk's
 * {@link DiskOutlook} with its time-to-full forecast over the last {@link #WINDOW}.
 */
public final class DiskSpace {
    private static final Logger log = LoggerFactory.getLogger(DiskSpace.class);
    /** The forecast fits the samples of this window. */
    public static final Duration WINDOW = Duration.ofHours(6);
    /** Samples older than this are removed. */
    static final Duration KEEP = Duration.ofDays(7);

    private final JdbcCatalog catalog;
    private final MigdalConfig.Daq daq;
    private final Clock clock;

    public DiskSpace(JdbcCatalog catalog, MigdalConfig.Daq daq, Clock clock) {
        this.catalog = catalog;
        this.daq = daq;
        this.clock = clock;
    }

    /** Records the free space of every readable DAQ disk now, and forgets samples older than a week. */
    public void sample() {
        Instant now = clock.instant();
        for (MigdalConfig.Disk d : daq.disks()) {
            Optional<long[]> space = space(Path.of(d.path()));
            space.ifPresent(s -> catalog.activity().recordSpace(new Activity.SpaceSample(d.name(), now, s[0], s[1])));
        }
        catalog.activity().pruneSpace(now.minus(KEEP));
    }

    /** Each configured DAQ disk as it is now. */
    public List<DiskOutlook> outlooks() {
        List<DiskOutlook> out = new ArrayList<>();
        Instant now = clock.instant();
        for (MigdalConfig.Disk d : daq.disks()) {
            out.add(outlook(d, now));
        }
        return out;
    }

    private DiskOutlook outlook(MigdalConfig.Disk d, Instant now) {
        Path root = Path.of(d.path());
        Optional<String> unavailable = DiskPaths.rootUnavailable(catalog, d.name(), root);
        Optional<long[]> space = unavailable.isPresent() ? Optional.empty() : space(root);
        long free = space.map(s -> s[0]).orElse(-1L);
        long total = space.map(s -> s[1]).orElse(-1L);
        DiskOutlook.Phase phase = phase(d, root, unavailable.isPresent() || space.isEmpty());
        Instant since = now.minus(WINDOW);
        List<Activity.SpaceSample> samples = catalog.activity().space(d.name(), since);
        Double net = DiskForecast.netRate(samples);
        Double drain = null;
        Double fill = null;
        if (net != null) {
            double seconds = Duration.between(samples.get(0).at(), now).toMillis() / 1000.0;
            drain = seconds <= 0 ? 0.0 : catalog.activity().deletedFrom(d.name(), samples.get(0).at()) / seconds;
            fill = Math.max(0.0, drain - net); // what the DAQ wrote on top of what was drained
        }
        String note = unavailable.orElse(DiskForecast.note(samples, net));
        return new DiskOutlook(d.name(), d.path(), phase, free, total, fill, drain, DiskForecast.secondsToFull(free, net), note);
    }

    private DiskOutlook.Phase phase(MigdalConfig.Disk d, Path root, boolean unavailable) {
        if (unavailable) {
            return DiskOutlook.Phase.UNAVAILABLE;
        }
        Optional<DiskRecord> record = catalog.disk(d.name());
        if (record.isPresent() && record.get().state() == DiskRecord.DiskState.DRAINING) {
            return DiskOutlook.Phase.DRAINING;
        }
        if (Files.exists(root.resolve(daq.readyToTransferFlag()))) {
            return DiskOutlook.Phase.FULL;
        }
        if (Files.exists(root.resolve(daq.readyForDataFlag()))) {
            return DiskOutlook.Phase.READY_FOR_DATA;
        }
        return DiskOutlook.Phase.FILLING;
    }

    /** {@code [usable, total]} bytes of the file system holding {@code root}, or empty when it cannot be read. */
    static Optional<long[]> space(Path root) {
        try {
            FileStore fs = Files.getFileStore(root);
            return Optional.of(new long[] {fs.getUsableSpace(), fs.getTotalSpace()});
        } catch (IOException | SecurityException e) {
            log.debug("free space of {} unknown: {}", root, e.toString());
            return Optional.empty();
        }
    }
}
