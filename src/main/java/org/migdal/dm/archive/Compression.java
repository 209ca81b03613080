package org.migdal.dm.archive;

import org.migdal.dm.batch.BatchExecutor;
import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.compress.CompressionJob;
import org.migdal.dm.compress.Engine;
import org.migdal.dm.compress.Compressor;
import org.migdal.dm.compress.JobResult;
import org.migdal.dm.compress.JobRunner;
import org.migdal.dm.compress.Toolbox;
import org.migdal.dm.health.EndpointHealth;
import org.migdal.dm.health.Failures;
import org.migdal.dm.storage.StorageEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * The compression stage on this host (executor {@code local}). Each of the executor's slots claims one file, makes its
 * {@link CompressionJob} — the very job an HTCondor worker would run — runs it with {@link JobRunner} (stream the raw copy
 * from storage, compress and verify by decompressing the same bytes as they are made, upload to a temporary), and applies
 * the result under the claim with {@link CompressionResults} (rename into place under the fence, confirm once, COMPRESSED).
 */
public final class Compression implements CompressionStage {
    private static final Logger log = LoggerFactory.getLogger(Compression.class);

    private final Catalog catalog;
    private final StorageEndpoint disk;
    private final CompressionJob.Settings settings;
    private final BatchExecutor executor;
    private final Path workDir;
    private final int jobsPerCycle;
    private final CompressionResults results;
    private final JobRunner runner;
    private final String method;
    /** Set when the storage fails as a whole during a run: no slot claims another file. */
    private final AtomicBoolean halted = new AtomicBoolean();

    public Compression(Catalog catalog, StorageEndpoint disk, Compressor compressor, BatchExecutor executor, Path workDir,
                       int jobsPerCycle) {
        this(catalog, disk, new CompressionJob.Settings(disk.base().toString(), "auto", null, false, "", compressor.codec(),
                compressor.level()), Toolbox.system(Engine.AUTO), executor, workDir, jobsPerCycle);
    }

    /** {@code toolbox} makes each job's compressor (system programs or in-process, {@code archive.engine}). */
    public Compression(Catalog catalog, StorageEndpoint disk, CompressionJob.Settings settings, Toolbox toolbox, BatchExecutor executor,
                       Path workDir, int jobsPerCycle) {
        this.runner = new JobRunner(JobRunner.thisHost(), toolbox, false); // the copy is confirmed once, in place (CompressionResults)
        this.method = toolbox.describe(settings.codec(), settings.level());
        this.catalog = catalog;
        this.disk = disk;
        this.settings = settings;
        this.executor = executor;
        this.workDir = workDir;
        this.jobsPerCycle = jobsPerCycle;
        this.results = new CompressionResults(catalog, disk, new Failures(new EndpointHealth(catalog, Clock.systemUTC())));
    }

    /**
     * Compresses up to {@code jobsPerCycle} files on the executor. Each of the executor's slots claims one file at a time,
     * when it can start it: a file is never held under a claim while it waits in a queue, so a crash costs at most one
     * claim per slot.
     */
    @Override
    public ArchiveReport run(LongConsumer progress) {
        AtomicInteger budget = new AtomicInteger(jobsPerCycle);
        log.debug("compressing with {}", method);
        halted.set(false);
        Set<Long> passed = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<ArchiveReport>> slots = new ArrayList<>();
        for (int i = 0; i < Math.max(1, Math.min(executor.slots(), jobsPerCycle)); i++) {
            slots.add(executor.submit("compress", () -> {
                ArchiveReport done = new ArchiveReport(0, 0, 0, 0, 0, 0);
                while (!halted.get() && budget.getAndDecrement() > 0) {
                    List<CatalogFile> claimed = catalog.claim(Stage.COMPRESS, 1, null, List.copyOf(passed));
                    if (claimed.isEmpty()) {
                        break;
                    }
                    CatalogFile f = claimed.get(0);
                    if (!passed.add(f.id())) {
                        // another slot tried it this run and failed it with no wait before a retry; this slot's claim was
                        // asked with the list of tried files as it was before: at most one attempt per file and run
                        catalog.putBack(f, "compress", "already tried in this run by another slot; left for the next run");
                        continue;
                    }
                    done = done.plus(compressOne(f));
                    progress.accept(f.size());
                }
                return done;
            }));
        }
        ArchiveReport total = new ArchiveReport(0, 0, 0, 0, 0, 0);
        for (CompletableFuture<ArchiveReport> slot : slots) {
            try {
                total = total.plus(slot.join());
            } catch (RuntimeException e) {
                log.error("a compression worker died", e);
                total = total.plus(new ArchiveReport(0, 0, 1, 0, 0, 0));
            }
        }
        return total;
    }

    ArchiveReport compressOne(CatalogFile f) {
        CompressionJob job = CompressionResults.jobFor(f, f.claimToken(), settings);
        JobResult result = runner.run(job, disk, workDir);
        CompressionResults.Applied applied = results.apply(f, job, result, CompressionResults.LOCAL);
        if (applied == CompressionResults.Applied.ENDPOINT_DOWN) {
            halted.set(true);
        }
        return report(applied, f, result);
    }

    static ArchiveReport report(CompressionResults.Applied applied, CatalogFile f, JobResult result) {
        return switch (applied) {
            case COMPRESSED -> new ArchiveReport(1, 0, 0, 0, f.size(), result.compressedBytes());
            case QUARANTINED -> new ArchiveReport(0, 0, 0, 1, 0, 0);
            case FAILED, ENDPOINT_DOWN, LOST_CLAIM -> new ArchiveReport(0, 0, 1, 0, 0, 0);
        };
    }
}
