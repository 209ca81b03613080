package org.migdal.dm.metrics;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Exemplars;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.migdal.dm.catalog.Activity;
import org.migdal.dm.catalog.Counters;
import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.StateCount;
import org.migdal.dm.health.DiskOutlook;
import org.migdal.dm.health.Overview;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The metric families of {@code /metrics}, built from one {@link Overview} and the catalog's cumulative {@link Counters}
 * (nothing is counted in this process). Every label has bounded values: disk and endpoint names from the configuration,
 * states, phases, stages, steps and failure classes from the code; never an LFN.
 */
final class Families {
    static final String PREFIX = "migdal_dm_";

    /** The catalog's counters at one instant. */
    record Counted(List<Counters.StageDurations> durations, List<Counters.StepTotal> steps, List<Counters.ErrorCount> errors) {
    }

    private Families() {
    }

    static MetricSnapshots of(Overview o, Counted counted) {
        List<MetricSnapshot> out = new ArrayList<>();
        files(o, out);
        disks(o, out);
        GaugeSnapshot.Builder credential = gauge("credential_seconds_left",
                "Seconds until the credential transfers use (X509 proxy or bearer token) expires; +Inf when it has no expiry;"
                        + " absent when every endpoint is local. Transfers stop before it reaches credentials.refuseMinutes.");
        if (o.credential() != null) {
            long left = o.credential().secondsLeft();
            credential.dataPoint(point(left < 0 ? Double.POSITIVE_INFINITY : left, "kind", o.credential().kind()));
        }
        out.add(credential.build());
        GaugeSnapshot.Builder up = gauge("endpoint_up", "1 when the endpoint (storage, tape, HTCondor schedd) is UP, 0 while it is"
                + " DOWN (nothing is sent to it, no file is charged, its work waits); endpoints the catalog has recorded.");
        for (EndpointStatus e : o.endpoints()) {
            up.dataPoint(point(e.down() ? 0 : 1, "endpoint", endpointLabel(e.url())));
        }
        out.add(up.build());
        GaugeSnapshot.Builder progress = gauge("last_progress_timestamp_seconds",
                "When a file last moved on (shipped, compressed or on tape), Unix seconds; absent if never.");
        if (o.lastProgress() != null) {
            progress.dataPoint(point(o.lastProgress().toEpochMilli() / 1000.0));
        }
        out.add(progress.build());
        GaugeSnapshot.Builder lastError = gauge("last_error_timestamp_seconds",
                "When the newest failure of each stage (failed action) was recorded, Unix seconds.");
        for (Activity.StageError e : o.lastErrors()) {
            lastError.dataPoint(point(e.at().toEpochMilli() / 1000.0, "stage", e.action()));
        }
        out.add(lastError.build());
        counters(counted, out);
        return new MetricSnapshots(out);
    }

    private static void files(Overview o, List<MetricSnapshot> out) {
        Map<String, Map<FileState, StateCount>> byDisk = new TreeMap<>();
        for (DiskOutlook d : o.disks()) {
            byDisk.computeIfAbsent(d.disk(), k -> new TreeMap<>());
        }
        for (StateCount c : o.counts()) {
            byDisk.computeIfAbsent(c.disk(), k -> new TreeMap<>()).put(c.state(), c);
        }
        GaugeSnapshot.Builder files = gauge("files", "Files in the catalog per DAQ disk and state (every state, 0 included).");
        GaugeSnapshot.Builder bytes = gauge("bytes", "Bytes of the files in the catalog per DAQ disk and state (raw size).");
        byDisk.forEach((disk, states) -> {
            for (FileState s : FileState.values()) {
                StateCount c = states.get(s);
                files.dataPoint(point(c == null ? 0 : c.files(), "disk", disk, "state", s.name()));
                bytes.dataPoint(point(c == null ? 0 : c.bytes(), "disk", disk, "state", s.name()));
            }
        });
        out.add(files.build());
        out.add(bytes.build());
        out.add(gauge("files_waiting", "Files the pipeline still has to move on (REGISTERED up to TAPE_SUBMITTED, claimed or not).")
                .dataPoint(point(o.waiting())).build());
    }

    private static void disks(Overview o, List<MetricSnapshot> out) {
        GaugeSnapshot.Builder free = gauge("disk_free_bytes", "Free bytes (usable by this user) of each DAQ disk; absent while unreadable.");
        GaugeSnapshot.Builder size = gauge("disk_size_bytes", "Size in bytes of each DAQ disk's file system; absent while unreadable.");
        GaugeSnapshot.Builder phase = gauge("disk_phase", "1 for the phase each DAQ disk is in (FILLING, FULL, DRAINING,"
                + " READY_FOR_DATA, UNAVAILABLE), 0 for the others.");
        GaugeSnapshot.Builder forecast = gauge("disk_full_forecast_seconds", "Seconds until the DAQ disk is full at its recent net"
                + " rate (least squares over 6 h of free-space samples); +Inf when it is not filling; absent when there are too"
                + " few samples (3 over 10 minutes) or the disk is unreadable.");
        GaugeSnapshot.Builder fill = gauge("disk_fill_rate_bytes_per_second", "What the DAQ wrote to the disk, bytes per second,"
                + " over the forecast window; absent without a forecast.");
        GaugeSnapshot.Builder drain = gauge("disk_drain_rate_bytes_per_second", "DAQ copies deleted from the disk, bytes per"
                + " second, over the forecast window; absent without a forecast.");
        for (DiskOutlook d : o.disks()) {
            if (d.freeBytes() >= 0) {
                free.dataPoint(point(d.freeBytes(), "disk", d.disk()));
            }
            if (d.totalBytes() >= 0) {
                size.dataPoint(point(d.totalBytes(), "disk", d.disk()));
            }
            for (DiskOutlook.Phase p : DiskOutlook.Phase.values()) {
                phase.dataPoint(point(p == d.phase() ? 1 : 0, "disk", d.disk(), "phase", p.name()));
            }
            if (d.secondsToFull() != null) {
                forecast.dataPoint(point(d.secondsToFull(), "disk", d.disk()));
            } else if (d.fillBytesPerSecond() != null && d.freeBytes() >= 0) { // a forecast was made: not filling
                forecast.dataPoint(point(Double.POSITIVE_INFINITY, "disk", d.disk()));
            }
            if (d.fillBytesPerSecond() != null) {
                fill.dataPoint(point(d.fillBytesPerSecond(), "disk", d.disk()));
            }
            if (d.drainBytesPerSecond() != null) {
                drain.dataPoint(point(d.drainBytesPerSecond(), "disk", d.disk()));
            }
        }
        out.add(free.build());
        out.add(size.build());
        out.add(phase.build());
        out.add(forecast.build());
        out.add(fill.build());
        out.add(drain.build());
    }

    private static void counters(Counted counted, List<MetricSnapshot> out) {
        HistogramSnapshot.Builder durations = HistogramSnapshot.builder().name(PREFIX + "stage_duration_seconds")
                .help("How long each stage took, seconds, counted when it ended (by any process on this catalog).");
        for (Counters.StageDurations d : counted.durations()) {
            long[] cumulative = d.cumulative();
            double[] bounds = new double[Counters.BUCKETS.length + 1];
            long[] counts = new long[bounds.length];
            for (int i = 0; i < bounds.length; i++) {
                bounds[i] = i < Counters.BUCKETS.length ? Counters.BUCKETS[i] : Double.POSITIVE_INFINITY;
                counts[i] = cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]); // the model takes each bucket alone
            }
            durations.dataPoint(new HistogramSnapshot.HistogramDataPointSnapshot(ClassicHistogramBuckets.of(bounds, counts),
                    d.totalMillis() / 1000.0, Labels.of("stage", d.stage()), Exemplars.EMPTY, 0));
        }
        out.add(durations.build());
        CounterSnapshot.Builder files = counter("step_files", "Files each step moved (registered, shipped, compressed, on_tape,"
                + " daq_deleted, raw_deleted, recalled), added when the stage ends: rate() gives throughput.");
        CounterSnapshot.Builder bytes = counter("step_bytes", "Raw bytes each step moved where the stage knows them (shipped,"
                + " compressed), added when the stage ends.");
        for (Counters.StepTotal s : counted.steps()) {
            files.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(s.files()).labels(Labels.of("step", s.step())).build());
            if (s.bytes() > 0) {
                bytes.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(s.bytes()).labels(Labels.of("step", s.step())).build());
            }
        }
        out.add(files.build());
        out.add(bytes.build());
        CounterSnapshot.Builder errors = counter("errors", "Failures recorded against files, by stage (the failed action) and"
                + " class as the failure policy classified them: file (retried with backoff, charged), permanent (quarantined"
                + " at once), endpoint (the endpoint went DOWN, nothing charged).");
        for (Counters.ErrorCount e : counted.errors()) {
            errors.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(e.count())
                    .labels(Labels.of("class", e.failureClass(), "stage", e.stage())).build());
        }
        out.add(errors.build());
    }

    /** An endpoint's URL as a label: without user information or query (never a secret in a label). */
    static String endpointLabel(String url) {
        String u = url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
        int q = u.indexOf('?');
        return q < 0 ? u : u.substring(0, q);
    }

    private static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(PREFIX + name).help(help);
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(PREFIX + name).help(help);
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(double value, String... labels) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }
}
