package org.migdal.dm.catalog;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fills a catalog through its real API with a bit of everything (files in every kind of state, events with repeats,
 * unicode and newlines in names and messages, a recall, tape jobs and evidence, scan problems open and cleared,
 * endpoints UP and DOWN, disks with a root inode), and reads it back through the API for comparison.
 */
final class CatalogFill {
    static final String UNICODE_LFN = "/2208/220803/MIG_Fe55_220803T145447/Grüße ☢ 測定\u00e9.dat";
    static final String NEWLINE_LFN = "/2208/220803/MIG_Fe55_220803T145447/two\nlines\ttab.dat";
    static final Duration LEASE = Duration.ofMinutes(10);

    private CatalogFill() {
    }

    static ClaimPolicy policy(String owner) {
        return new ClaimPolicy(owner, LEASE, 3, Duration.ofSeconds(30));
    }

    static NewFile file(String lfn, long size) {
        return new NewFile(lfn, "data1", lfn.substring(lfn.lastIndexOf('/', lfn.lastIndexOf('/') - 1) + 1),
                "MIG_Fe55_220803T145447", size, Instant.parse("2022-08-03T14:54:47Z"));
    }

    /** Fills {@code c}; {@code bulk} more plain REGISTERED files (each with its register event). */
    static void fill(JdbcCatalog c, MutableClock clock, int bulk) {
        List<NewFile> files = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            files.add(file("/2208/220803/MIG_Fe55_220803T145447/MIG_Fe55_220803T145447.CAL." + String.format("%04d", i) + ".dat",
                    1000L + i));
        }
        files.add(file(UNICODE_LFN, 5_000_000_000L));
        files.add(file(NEWLINE_LFN, 7));
        assertThat(c.register(files).added()).isEqualTo(14);
        clock.advance(Duration.ofSeconds(5));

        // shipping: 10 go to disk storage, with the unicode and newline ones among them
        List<CatalogFile> shipping = c.claim(Stage.SHIP, 10);
        for (CatalogFile f : shipping) {
            c.advance(f, FileState.ON_DISK_STORAGE, Changes.none().adler32(String.format("%08x", f.id() * 7919)), "ship",
                    "copied to https://store.example/data" + f.lfn() + " (size+adler32 confirmed)");
        }
        clock.advance(Duration.ofSeconds(5));
        for (CatalogFile f : c.claim(Stage.COMPRESS, 7)) {
            c.advance(f, FileState.COMPRESSED, Changes.none().compressed(f.lfn() + ".zst", f.size() / 3, "0a0b0c0d"),
                    "compress", "zstd level 19: ratio 3.0 → «ok»");
        }
        // one compression job in flight on HTCondor: a cycle, its cluster and the job recorded for the file
        for (CatalogFile f : c.claim(Stage.COMPRESS, 1)) {
            BatchJob.Cycle cycle = c.batch().plan("/var/lib/migdal-dm/condor/20240301T120000-abc123", "migdal-grid-20240301T120000-abc123",
                    List.of(new BatchJob.Planned(f, "j" + f.id() + "-0123456789ab", f.claimToken(), "{\"job\": \"ü\\n\"}")));
            c.batch().submitted(cycle, 4711, java.util.Map.of("j" + f.id() + "-0123456789ab", 0), "submitted");
            c.batch().status(f.id(), BatchJob.Status.HELD, 13, "Error from slot1_1@ep01.example.org: Failed to transfer files", false);
        }
        clock.advance(Duration.ofSeconds(5));
        List<CatalogFile> tape = c.claim(Stage.TAPE, 5);
        for (int i = 0; i < tape.size(); i++) {
            CatalogFile f = tape.get(i);
            if (i < 3) {
                c.advance(f, FileState.ON_TAPE, Changes.none().tapeTransferId("builtin:" + f.id())
                        .tapeEvidence("archiveinfo locality TAPE at https://tape.example/api\nsecond line: ✓"), "tape", "on tape");
            } else {
                List<CatalogFile> rec = c.recordTapeJobs(List.of(new TapeJob.Plan(f, "job-" + f.id(), "sid-ü-" + f.id(), 1)),
                        "FTS job chosen");
                c.release(rec.get(0), Changes.none().tapeJobConfirmed(clock.instant()), clock.instant().plusSeconds(600),
                        "tape-submit", "handed to FTS");
            }
        }
        clock.advance(Duration.ofSeconds(5));
        CatalogFile onTape = c.list(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 10)).get(0);
        c.markLocalDeleted(onTape, "DAQ copy deleted");
        c.markRawDeleted(onTape, "raw storage copy deleted");
        RecallStore recalls = new RecallStore(c, clock, LEASE, 3);
        assertThat(recalls.request(onTape, "root://eos.example//eos/migdal/recall")).isTrue();
        assertThat(recalls.request(c.list(new FileFilter(FileState.ON_TAPE, null, null, null, 0, 10)).get(1),
                "https://dcache.example/recall/ü")).isTrue();

        // failures, quarantine, missing, forgotten
        List<CatalogFile> rest = c.claim(Stage.SHIP, 4);
        c.fail(rest.get(0), "ship", "HTTP 503 «Service Unavailable»\nretry later", false);
        c.fail(rest.get(1), "ship", "size differs: 1000 ≠ 999", true);
        c.markMissing(rest.get(2), "DAQ file vanished before it was shipped");
        c.markMissing(rest.get(3), "gone too");
        assertThat(c.forget(List.of(rest.get(3).lfn())).forgotten()).hasSize(1);
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(1));
            c.recordEvent(onTape.id(), "check", true, "tape copy still there"); // one event with repeats
        }
        c.recordError(rest.get(0).id(), "clean", "permission denied on /daq/data1 — «ro»");

        // scans, disks, endpoints
        ScanProblem.Finding link = new ScanProblem.Finding("data1", "MIG_x/link.dat", ScanProblem.Kind.SYMLINK, "a symbolic link");
        ScanProblem.Finding bad = new ScanProblem.Finding("data1", "MIG_x/bad\u0007name", ScanProblem.Kind.BAD_NAME,
                "control character in ‘bad\u0007name’");
        c.recordScanProblems("data1", List.of(link, bad), true);
        clock.advance(Duration.ofSeconds(5));
        c.recordScanProblems("data1", List.of(bad), true); // link cleared, bad seen twice
        c.recordScanProblems("data2", List.of(new ScanProblem.Finding("data2", "", ScanProblem.Kind.DISK_UNAVAILABLE,
                "not mounted")), false);
        c.putDisk(new DiskRecord("data2", "/daq/data2", DiskRecord.DiskState.DRAINING, clock.instant(), "note: ünïcode\nline 2"));
        c.rememberDiskRoot("data1", "/daq/data1", 9_123_456_789_012L);
        c.endpointDown("root://store.example//data", "connection refused");
        c.endpointDown("root://store.example//data", "connection refused again");
        c.endpointUp("https://tape.example/tape");
        c.activity().recordSpace(new Activity.SpaceSample("data1", clock.instant(), 9_000_000_000_000L, 16_000_000_000_000L));
        // metrics counters (the failures above are counted by fail itself); 7 h lands in the +Inf bucket (le_ms = max bigint)
        new Counters(c).stageEnded("ship", Duration.ofMillis(2500), List.of(new Counters.Moved("shipped", 10, 5_000_012_345L)));
        new Counters(c).stageEnded("archive", Duration.ofHours(7), List.of(new Counters.Moved("on_tape", 3, 0)));

        // an audit: one finished with findings (one fixed, one about a file), one interrupted with its cursor
        AuditStore.Run audit = c.audit().start();
        c.audit().record(audit.id(), new AuditFinding(0, "UNKNOWN_COPY", "/2208/ünïcode\nstray.dat", "root://store.example//data/2208",
                "a copy the catalog records", "3 bytes", null, "look at it", null));
        c.audit().record(audit.id(), new AuditFinding(0, "TAPE_COPY_MISSING", onTape.compressedName(), "https://tape.example/tape/x",
                "compressed copy", "no file", onTape.id(), "look at the tape", null));
        c.audit().fixed(c.audit().findings(audit.id(), 0, 1).get(0).id(), "fixed: «nothing»");
        c.audit().listingsDone(audit.id());
        c.audit().finish(audit.id());
        c.audit().progress(c.audit().start().id(), 7, 5, 15);

        // notifications: a condition announced and queued for two channels, one of them sent and leased again
        org.migdal.dm.notify.NotifyState notify = new org.migdal.dm.notify.NotifyState(c);
        notify.record(new org.migdal.dm.notify.Evaluation(List.of(new org.migdal.dm.notify.Condition(
                "endpoint-down:root://store.example//data", "DOWN: «connection refused»\nsince ü")), java.util.Set.of(), "host-ü"),
                List.of("smtp", "webhook"), clock.instant());
        assertThat(notify.lease("smtp", "owner-a", clock.instant(), Duration.ZERO, LEASE)).isTrue();
        notify.sent("smtp", "owner-a", notify.pending("smtp").stream().map(org.migdal.dm.notify.Event::id).toList(), clock.instant());
        assertThat(notify.lease("webhook", "owner-a", clock.instant(), Duration.ZERO, LEASE)).isTrue();

        if (bulk > 0) {
            List<NewFile> more = new ArrayList<>();
            for (int i = 0; i < bulk; i++) {
                more.add(file("/2208/220804/MIG_AmBe_220804T101010/MIG_AmBe_220804T101010.CAL." + String.format("%05d", i) + ".dat", i));
            }
            assertThat(c.register(more).added()).isEqualTo(bulk);
        }
    }

    /** Everything the API tells about a catalog, for comparing two. */
    record Snapshot(List<CatalogFile> files, Map<Long, List<FileEvent>> events, Map<Long, List<Recall>> recalls,
                    Map<Long, TapeJob> tapeJobs, List<ScanProblem> scanProblems, List<EndpointStatus> endpoints,
                    List<DiskRecord> disks, Map<String, Long> rootInodes, List<StateCount> counts) {
    }

    static Snapshot snapshot(JdbcCatalog c, MutableClock clock) {
        List<CatalogFile> files = c.list(FileFilter.all(1_000_000));
        Map<Long, List<FileEvent>> events = new LinkedHashMap<>();
        Map<Long, List<Recall>> recalls = new LinkedHashMap<>();
        RecallStore store = new RecallStore(c, clock, LEASE, 3);
        for (CatalogFile f : files) {
            events.put(f.id(), c.events(f.id()));
            if (f.state() == FileState.ON_TAPE) {
                recalls.put(f.id(), store.of(f.id()));
            }
        }
        Map<String, Long> inodes = new LinkedHashMap<>();
        for (String d : List.of("data1", "data2")) {
            c.diskRootInode(d).ifPresent(i -> inodes.put(d, i));
        }
        return new Snapshot(files, events, recalls, c.tapeJobs(files.stream().map(CatalogFile::id).toList()),
                c.openScanProblems(null), c.endpoints(), c.disks(), inodes, c.counts());
    }
}
