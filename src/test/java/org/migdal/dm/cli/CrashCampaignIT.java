package org.migdal.dm.cli;

import org.awaitility.Awaitility;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.batch.FakeCondorPool;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.daq.SyntheticRuns;
import org.migdal.dm.storage.FileEndpoint;
import org.migdal.dm.storage.Janitor;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.testinfra.Markers;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.Adler32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10: the crash campaign. Full cycles of both roles run as real child JVMs (sometimes both at once) and are
 * killed with SIGKILL at random instants drawn from a seeded generator; the DAQ refills released disks while the
 * campaign lasts. Then cycles run undisturbed until the work is done, and every file is checked end to end:
 * 0 lost, 0 DAQ copies deleted without a verified copy, 0 stuck, 0 QUARANTINED, 0 temporary files left.
 *
 * <p>It runs with both compression executors: {@code local} (a thread pool in the grid process) and {@code htcondor}
 * (against the stand-in pool of {@link FakeCondorPool}: each grid cycle collects earlier cycles' jobs and submits a new
 * cluster without waiting; the pool's job runners are detached and keep running when the grid process is killed, so kills
 * land in the middle of submissions and collections while jobs go on). With htcondor the undisturbed cycles run until
 * the work is done and no job is in flight, and the spool must be empty of cycles, the jobs' scratch dirs clean.
 *
 * <p>In the suite: {@code campaign.kills}=30 (htcondor: 15) over at least {@code campaign.files}=100 files. By hand,
 * longer: {@code mvn verify -Dit.test=CrashCampaignIT -Dcampaign.kills=100 -Dcampaign.files=300 -Dcampaign.seed=7}.
 */
class CrashCampaignIT {
    private static final int FILE_BYTES = 256 * 256 * 2 * 8;
    private static final int FILES_PER_RUN = 10;
    private static final int JOBS_PER_CYCLE = 40;
    /** The DAQ refills released disks until it has written this many times campaign.files files. */
    private static final int MAX_FILES_FACTOR = 6;

    @TempDir
    Path tmp;

    private final long seed = Long.getLong("campaign.seed", 20261201L);
    private int targetKills;
    private final int targetFiles = Integer.getInteger("campaign.files", 100);

    /** What the DAQ wrote: name → size and adler32, read before migdal-dm ever sees the file. */
    private final Map<String, long[]> written = new HashMap<>();
    private int runsWritten;
    /** Files whose DAQ and raw copies are gone and whose tape copy was found to decompress to the DAQ bytes. */
    private final java.util.Set<String> verifiedOnTape = new java.util.HashSet<>();

    private FakeCondorPool pool;

    @AfterEach
    void stopPool() {
        if (pool != null) {
            pool.close(); // no runner or job process survives the test
        }
    }

    @ParameterizedTest(name = "executor {0}")
    @ValueSource(strings = {"local", "htcondor"})
    void sigkillsAtRandomInstantsLoseNothingAndLeaveNothingStuck(String executor) throws Exception {
        String only = System.getProperty("campaign.executor"); // by hand: run one variant only
        org.junit.jupiter.api.Assumptions.assumeTrue(only == null || only.isEmpty() || only.equals(executor), "campaign.executor=" + only);
        boolean condor = executor.equals("htcondor");
        targetKills = Integer.getInteger("campaign.kills", condor ? 15 : 30);
        Random random = new Random(seed);
        SyntheticRuns synth = new SyntheticRuns(seed);
        List<Path> disks = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            disks.add(Files.createDirectories(tmp.resolve("daq/data" + i)));
        }
        Path storage = Markers.initialised(tmp.resolve("storage"));
        Path tape = Markers.initialised(tmp.resolve("tape"));
        Path work = tmp.resolve("work");
        Path config = tmp.resolve("migdal-dm.yaml");
        Path spool = tmp.resolve("spool");
        Map<String, String> env = Map.of();
        String executorConfig = "executor: {threads: 2}";
        if (condor) {
            pool = FakeCondorPool.create(tmp);
            env = pool.env(); // MIGDAL_FAKE_CONDOR reaches the grid process: the condor_* commands it runs inherit it
            // the launcher as the worker nodes run it: it finds Java only through the JAVA the submit description passes on
            Path worker = tmp.resolve("migdal-dm-worker");
            Files.writeString(worker, "#!/bin/sh\nexec \"$JAVA\" -Xmx256m -XX:TieredStopAtLevel=1 -cp '"
                    + System.getProperty("java.class.path") + "' org.migdal.dm.cli.Main \"$@\"\n");
            Files.setPosixFilePermissions(worker, PosixFilePermissions.fromString("rwxr-xr-x"));
            executorConfig = ("executor: {type: htcondor, htcondor: {commandDir: '%s', executable: '%s', spoolDir: '%s',"
                    + " silentMinutes: 1, reconcileMinutes: 1, commandTimeoutSeconds: 10, jobsPerCycle: %d}}")
                    .formatted(pool.bin(), worker, spool, JOBS_PER_CYCLE);
        }
        Files.writeString(config, """
                catalog: {url: 'sqlite:%1$s/catalog.db'}
                daq:
                  disks:
                    - {name: data1, path: '%2$s'}
                    - {name: data2, path: '%3$s'}
                    - {name: data3, path: '%4$s'}
                storage: {disk: '%5$s', tape: '%6$s'}
                transfer: {threads: 2, retryBackoffSeconds: 0, maxAttempts: 3}
                archive: {workDir: '%7$s', jobsPerCycle: %8$d, cleanupRaw: true, level: 1}
                %9$s
                claims: {leaseSeconds: 10}
                lockDir: '%1$s'
                """.formatted(tmp, disks.get(0), disks.get(1), disks.get(2), storage.toUri(), tape.toUri(), work, JOBS_PER_CYCLE,
                executorConfig));
        int perDisk = Math.max(1, (targetFiles + disks.size() * FILES_PER_RUN - 1) / (disks.size() * FILES_PER_RUN));
        for (Path d : disks) {
            for (int r = 0; r < perDisk; r++) {
                writeRun(synth, d);
            }
            Files.writeString(d.resolve("ReadyToTransfer"), "");
        }

        Path logs = tmp.resolve("logs");
        long started = System.nanoTime();
        int kills = 0;
        int gridKills = 0;
        int gridKillsMidSubmit = 0;
        int gridKillsMidCollect = 0;
        java.util.Set<Long> midSubmit = new java.util.HashSet<>();
        int finished = 0;
        int round = 0;
        while (kills < targetKills) {
            round++;
            List<Process> procs = new ArrayList<>();
            List<String> names = new ArrayList<>();
            boolean both = random.nextBoolean();
            String first = random.nextBoolean() ? "daq" : "grid";
            for (String role : both ? List.of("daq", "grid") : List.of(first)) {
                String name = "r" + round + "-" + role;
                names.add(name);
                procs.add(DaqProcesses.cli(logs, name, env, config, "run", "--role", role));
            }
            for (int i = 0; i < procs.size(); i++) {
                Process p = procs.get(i);
                // the instant is drawn after the process has started working (its first log line), so kills land in cycles
                awaitFirstLogLine(p, logs.resolve(names.get(i) + ".err"));
                // with htcondor a grid cycle's first log line is the first result it applies: half of its kills are drawn
                // early so that they land in the middle of collections, the rest spread over submissions and the tape stage
                long killAfter = condor && names.get(i).endsWith("-grid") && random.nextBoolean() ? random.nextInt(300)
                        : random.nextInt(1500);
                if (p.waitFor(killAfter, TimeUnit.MILLISECONDS)) {
                    finished++;
                    assertThat(p.exitValue()).as("%s: %s", names.get(i), DaqProcesses.err(logs, names.get(i))).isIn(0, 1, 3);
                } else {
                    p.destroyForcibly().waitFor(); // SIGKILL
                    kills++;
                    if (names.get(i).endsWith("-grid")) {
                        gridKills++;
                        if (condor) {
                            // where the kill landed: a cycle recorded without its cluster = in the middle of a submission;
                            // else no summary of the compression stage in its log = in the middle of the collection
                            List<Long> open = openSubmissions();
                            String log = DaqProcesses.err(logs, names.get(i));
                            if (open.stream().anyMatch(id -> !midSubmit.contains(id))) {
                                midSubmit.addAll(open);
                                gridKillsMidSubmit++;
                            } else if (!log.contains("GridCompression: HTCondor:") && !log.contains("GridSubmitter: submitted")) {
                                gridKillsMidCollect++;
                            }
                        }
                    }
                }
            }
            checkNoDaqCopyLostItsVerifiedCopy(disks, storage, tape, config);
            refillReleasedDisks(synth, disks);
            if (kills < targetKills && written.size() >= MAX_FILES_FACTOR * targetFiles && allDone()) {
                // every run written is on tape and no disk may be refilled: more rounds would find nothing to kill
                throw new AssertionError("the campaign ran out of work after " + kills + " of " + targetKills + " SIGKILLs ("
                        + round + " rounds, " + finished + " runs finished before their kill instant, " + written.size()
                        + " files): raise -Dcampaign.files or lower -Dcampaign.kills");
            }
        }
        long campaignMillis = (System.nanoTime() - started) / 1_000_000;

        // undisturbed cycles finish the work
        int cycles = 0;
        if (!condor) {
            int maxCycles = 10 + 2 * written.size() / JOBS_PER_CYCLE; // a grid cycle compresses at most JOBS_PER_CYCLE files
            while (cycles < maxCycles && !allDone()) {
                cycles++;
                for (String role : List.of("daq", "grid")) {
                    String name = "final" + cycles + "-" + role;
                    DaqProcesses.assertExit(logs, name, DaqProcesses.cli(logs, name, config, "run", "--role", role), 0, 600);
                }
            }
        } else {
            // a grid cycle only collects and submits: the jobs finish between cycles, so cycles run (as cron would run
            // them) until the work is done and nothing is in flight; bounded by a deadline generous for every job to run,
            // for a cycle whose condor_submit answer was lost to be looked up, and for silent jobs to be reconciled
            int[] undisturbed = {0};
            Map<String, String> poolEnv = env;
            if (!(allDone() && batchSettled(spool))) {
                try {
                    Awaitility.await("undisturbed cycles until every file is on tape and no job is in flight")
                            .atMost(Duration.ofMinutes(12)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(500))
                            .until(() -> {
                                undisturbed[0]++;
                                for (String role : List.of("daq", "grid")) {
                                    String name = "final" + undisturbed[0] + "-" + role;
                                    DaqProcesses.assertExit(logs, name, DaqProcesses.cli(logs, name, poolEnv, config, "run",
                                            "--role", role), 0, 600);
                                }
                                return allDone() && batchSettled(spool);
                            });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("undisturbed cycles still not done after " + undisturbed[0] + " cycles: " + states()
                            + "; " + batchState(spool), e);
                }
            }
            cycles = undisturbed[0];
        }
        // the temporaries killed workers left are orphans: the janitor removes them once they are older than its age limit
        // (24 h by default); here its clock is a day ahead instead of waiting a day
        Janitor janitor = new Janitor(Duration.ofHours(24), Clock.offset(Clock.systemUTC(), Duration.ofHours(25)));
        int swept = 0;
        for (Path root : List.of(storage, tape)) {
            swept += janitor.sweep(new FileEndpoint(root.toUri()), false).removed().size();
        }
        swept += janitor.sweepWorkDir(work, false).removed().size();

        try (JdbcCatalog catalog = observer()) {
            List<CatalogFile> rows = catalog.list(FileFilter.all(100_000));
            assertThat(rows).as("every file the DAQ wrote is in the catalog").hasSize(written.size());
            long takeovers = 0;
            for (CatalogFile f : rows) {
                long[] orig = written.get(Path.of(f.localPath()).getFileName().toString());
                assertThat(orig).as(f.lfn()).isNotNull();
                assertThat(f.state()).as("%s: %s", f.lfn(), f.lastError()).isEqualTo(FileState.ON_TAPE);
                assertThat(f.size()).isEqualTo(orig[0]);
                assertThat(f.adler32()).isEqualTo(String.format("%08x", orig[1]));
                assertThat(f.localDeletedAt()).as(f.lfn()).isNotNull();
                assertThat(f.rawDeletedAt()).as(f.lfn()).isNotNull();
                Path onTape = tape.resolve(f.compressedName().substring(1));
                assertThat(Files.size(onTape)).isEqualTo(f.compressedSize());
                assertThat(adler32(onTape)).isEqualTo(f.compressedAdler32());
                long[] back = decompressedSum(onTape);
                assertThat(back).as("the tape copy of %s decompresses to the DAQ bytes", f.lfn()).containsExactly(orig);
                takeovers += catalog.events(f.id()).stream().map(FileEvent::action).filter("claim-takeover"::equals).count();
            }
            for (Path d : disks) {
                assertThat(dataFiles(d)).as("DAQ disk %s drained", d).isEmpty();
            }
            List<Path> temps = new ArrayList<>();
            for (Path root : List.of(storage, tape)) {
                try (Stream<Path> s = Files.walk(root)) {
                    s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().startsWith("."))
                            .filter(p -> !p.getFileName().toString().equals(Marker.NAME)).forEach(temps::add);
                }
            }
            if (Files.exists(work)) {
                try (Stream<Path> s = Files.walk(work)) { // scratch files; the janitor's own sweep stamps are not temporaries
                    s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".janitor-")).forEach(temps::add);
                }
            }
            assertThat(temps).as("temporary files left behind").isEmpty();
            String batchFigures = "";
            if (condor) {
                assertThat(catalog.batch().inFlight()).as("batch jobs left in flight").isZero();
                assertThat(catalog.batch().cycles()).as("batch cycles left open").isEmpty();
                assertThat(cycleFolders(spool)).as("cycle folders left in the spool").isEmpty();
                assertThat(pool.leftovers()).as("files jobs left in their scratch folders").isEmpty();
                long submits = 0;
                long adopted = 0;
                long neverQueued = 0;
                long batchTakeovers = 0;
                long resubmitted = 0;
                List<String> charged = new ArrayList<>();
                for (CatalogFile f : rows) {
                    long mine = 0;
                    for (FileEvent e : catalog.events(f.id())) {
                        String m = e.message() == null ? "" : e.message();
                        if (e.action().equals("compress-submit") && m.matches("(?s)HTCondor job \\d+\\.\\d+ \\(.*")) {
                            submits++;
                            mine++;
                            if (m.contains("found in the queue by its batch name")) {
                                adopted++;
                            }
                        }
                        if (m.contains("was never queued")) {
                            neverQueued++;
                        }
                        if (e.action().equals("claim-takeover") && m.contains("handling batch job")) {
                            batchTakeovers++;
                        }
                        if (e.action().equals("compress") && !e.ok()) {
                            charged.add(f.lfn() + ": " + m);
                        }
                    }
                    if (mine > 1) { // not wrong in itself (a job whose result was lost is submitted again): shown for the record
                        resubmitted++;
                        System.out.printf("submitted %d times: %s (%d attempts):%n", mine, f.lfn(), f.attempts());
                        catalog.events(f.id()).forEach(e -> System.out.printf("  %s %s %s %s%n", e.at(), e.actor(), e.action(), e.message()));
                    }
                }
                // the pool injects no fault: every compression failure would be a kill charged to a file
                assertThat(charged).as("compression failures charged to files").isEmpty();
                batchFigures = String.format("; %d files submitted more than once; %d grid SIGKILLs (%d in the middle of a submission, %d in the middle of a"
                        + " collection); %d HTCondor jobs submitted (%d adopted by batch name after their"
                        + " submitter was killed, %d files of cycles never queued put back, %d batch-job files taken over from a killed grid process);"
                        + " 0 compression failures charged, 0 jobs in flight, 0 cycle folders, 0 scratch leftovers", resubmitted, gridKills, gridKillsMidSubmit, gridKillsMidCollect, submits, adopted, neverQueued,
                        batchTakeovers);
            }
            System.out.printf("crash campaign (executor %s, seed %d): %d SIGKILLs and %d runs that finished in %d rounds over %.1f s;"
                            + " %d files (%d DAQ runs); %d takeovers recorded; %d undisturbed cycles to finish; %d orphaned"
                            + " temporaries removed by the janitor; 0 lost, 0 stuck, 0 QUARANTINED, 0 temporary files left%s%n",
                    executor, seed, kills, finished, round, campaignMillis / 1000.0, rows.size(), runsWritten, takeovers, cycles, swept,
                    batchFigures);
        }
    }

    /** Waits (bounded, by watching its log) until a child has started its cycle, or has ended. */
    private static void awaitFirstLogLine(Process p, Path err) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive() && (!Files.exists(err) || Files.size(err) == 0)) {
            p.waitFor(20, TimeUnit.MILLISECONDS);
        }
    }

    private void writeRun(SyntheticRuns synth, Path disk) throws IOException {
        LocalDateTime start = LocalDateTime.of(2026, 1, 1, 0, 0, 0).plusMinutes(7L * runsWritten++);
        for (Path p : synth.writeRun(disk, runsWritten % 2 == 0 ? "Fe55" : "AmBe", start, FILES_PER_RUN, FILE_BYTES)) {
            written.put(p.getFileName().toString(), new long[]{Files.size(p), Long.parseLong(adler32(p), 16)});
        }
    }

    /** The DAQ hands back a released disk: it writes a new run there and flags it full again (until enough files). */
    private void refillReleasedDisks(SyntheticRuns synth, List<Path> disks) throws IOException {
        for (Path d : disks) {
            if (Files.exists(d.resolve("ReadyForData")) && written.size() < MAX_FILES_FACTOR * targetFiles) {
                Files.delete(d.resolve("ReadyForData"));
                writeRun(synth, d);
                Files.writeString(d.resolve("ReadyToTransfer"), "");
            }
        }
    }

    /** After every kill: a DAQ file that is gone has a verified copy in storage, or its compressed copy on tape. */
    private void checkNoDaqCopyLostItsVerifiedCopy(List<Path> disks, Path storage, Path tape, Path config) throws Exception {
        Map<String, Path> onDisk = new HashMap<>();
        for (Path d : disks) {
            for (Path p : dataFiles(d)) {
                onDisk.put(p.getFileName().toString(), p);
            }
        }
        try (JdbcCatalog catalog = observer()) {
            for (CatalogFile f : catalog.list(FileFilter.all(100_000))) {
                String name = Path.of(f.localPath()).getFileName().toString();
                if (onDisk.containsKey(name)) {
                    continue;
                }
                long[] orig = written.get(name);
                Path raw = storage.resolve(f.lfn().substring(1));
                if (Files.exists(raw)) {
                    assertThat(new long[]{Files.size(raw), Long.parseLong(adler32(raw), 16)})
                            .as("storage copy of the deleted DAQ file %s", f.lfn()).containsExactly(orig);
                } else if (!verifiedOnTape.contains(name)) { // a tape copy, once proven, is not rewritten: proven once
                    assertThat(f.state()).as("%s has neither its DAQ nor its storage copy", f.lfn()).isEqualTo(FileState.ON_TAPE);
                    assertThat(decompressedSum(tape.resolve(f.compressedName().substring(1)))).containsExactly(orig);
                    verifiedOnTape.add(name);
                }
            }
        }
    }

    private boolean allDone() {
        try (JdbcCatalog catalog = observer()) {
            List<CatalogFile> rows = catalog.list(FileFilter.all(100_000));
            return rows.size() == written.size()
                    && rows.stream().allMatch(f -> f.state() == FileState.ON_TAPE && f.rawDeletedAt() != null && f.localDeletedAt() != null);
        }
    }

    /** The batch cycles recorded whose cluster is not (yet) known: their submission was cut short. */
    private List<Long> openSubmissions() {
        try (JdbcCatalog catalog = observer()) {
            return catalog.batch().cycles().stream().filter(c -> c.cluster() == null).map(c -> c.id()).toList();
        }
    }

    /** No batch job in flight, no cycle open, and no cycle folder left in the spool. */
    private boolean batchSettled(Path spool) throws IOException {
        try (JdbcCatalog catalog = observer()) {
            return catalog.batch().inFlight() == 0 && catalog.batch().cycles().isEmpty() && cycleFolders(spool).isEmpty();
        }
    }

    private String batchState(Path spool) throws IOException {
        try (JdbcCatalog catalog = observer()) {
            return catalog.batch().inFlight() + " batch jobs in flight, cycles " + catalog.batch().cycles() + ", spool "
                    + cycleFolders(spool);
        }
    }

    private String states() {
        try (JdbcCatalog catalog = observer()) {
            return String.valueOf(catalog.counts());
        }
    }

    private static List<Path> cycleFolders(Path spool) throws IOException {
        if (!Files.exists(spool)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(spool)) {
            return s.toList();
        }
    }

    private JdbcCatalog observer() {
        return JdbcCatalog.open("sqlite:" + tmp.resolve("catalog.db"), null, null,
                new ClaimPolicy("observer:1:0", Duration.ofMinutes(1), 3, Duration.ZERO), Clock.systemUTC(), 2);
    }

    private static List<Path> dataFiles(Path disk) throws IOException {
        try (Stream<Path> s = Files.walk(disk)) {
            return s.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".dat")).toList();
        }
    }

    private static String adler32(Path p) throws IOException {
        Adler32 a = new Adler32();
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                a.update(buf, 0, n);
            }
        }
        return String.format("%08x", a.getValue());
    }

    private static long[] decompressedSum(Path bz2) throws IOException {
        Adler32 a = new Adler32();
        long n = 0;
        try (InputStream in = new BZip2CompressorInputStream(new java.io.BufferedInputStream(Files.newInputStream(bz2), 1 << 16), true)) {
            byte[] buf = new byte[1 << 16];
            int r;
            while ((r = in.read(buf)) > 0) {
                a.update(buf, 0, r);
                n += r;
            }
        }
        return new long[]{n, a.getValue()};
    }
}
