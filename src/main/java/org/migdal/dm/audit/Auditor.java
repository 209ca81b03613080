package org.migdal.dm.audit;

import org.migdal.dm.catalog.AuditStore;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.EndpointHealth;
import org.migdal.dm.health.Failures;
import org.migdal.dm.storage.CopyCheck;
import org.migdal.dm.storage.Janitor;
import org.migdal.dm.storage.StorageEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code migdal-dm audit}: the catalog against the DAQ disks, the storage and the tape. First the listings
 * ({@link ListingAudit}: files nobody knows), then every file of the catalog in id order ({@link CopyAudit}: every copy
 * its state vouches for), the cursor kept in the catalog after each page so that an interrupted audit continues where it
 * stopped ({@code --resume}); then, with {@code --fix}, the safe repairs ({@link Fixer}). An endpoint that cannot be
 * believed is reported and nothing is concluded from it.
 */
public final class Auditor {
    private static final Logger log = LoggerFactory.getLogger(Auditor.class);
    /** Files read from the catalog and checked between two saves of the cursor. */
    static final int PAGE = 100;

    /**
     * {@code rate}: checksum requests per second (0: no limit); {@code maxFiles}: stop after checking that many files of
     * the catalog in this invocation (0: no limit), leaving the cursor for {@code --resume}.
     */
    public record Settings(double rate, boolean fix, long maxFiles, CopyCheck.Residency tapeResidency, Duration tempMaxAge) {
    }

    /** What an audit found, when it is complete; the findings themselves are in the catalog ({@link AuditStore#findings}). */
    public record Result(AuditStore.Run run, boolean complete, Map<String, Long> counts, long discrepancies, List<String> notAudited,
                         long registered, long reshipped, long temporariesRemoved) {
        /** Complete, and nothing found that is a discrepancy. */
        public boolean consistent() {
            return complete && discrepancies == 0;
        }
    }

    private final JdbcCatalog catalog;
    private final MigdalConfig.Daq daq;
    private final StorageEndpoint storage;
    private final String storageUntrusted;
    private final StorageEndpoint tape;
    private final String tapeUntrusted;
    private final Settings settings;
    private final Clock clock;
    private final RateLimit rate;

    /** {@code storageUntrusted}, {@code tapeUntrusted}: why the endpoint cannot be believed now, or null. */
    public Auditor(JdbcCatalog catalog, MigdalConfig.Daq daq, StorageEndpoint storage, String storageUntrusted, StorageEndpoint tape,
                   String tapeUntrusted, Settings settings, Clock clock) {
        this(catalog, daq, storage, storageUntrusted, tape, tapeUntrusted, settings, clock, RateLimit.of(settings.rate()));
    }

    Auditor(JdbcCatalog catalog, MigdalConfig.Daq daq, StorageEndpoint storage, String storageUntrusted, StorageEndpoint tape,
            String tapeUntrusted, Settings settings, Clock clock, RateLimit rate) {
        this.catalog = catalog;
        this.daq = daq;
        this.storage = storage;
        this.storageUntrusted = storageUntrusted;
        this.tape = tape;
        this.tapeUntrusted = tapeUntrusted;
        this.settings = settings;
        this.clock = clock;
        this.rate = rate;
    }

    /** Audits; {@code resume}: continues the newest unfinished audit (a new one when there is none). */
    public Result run(boolean resume) {
        AuditStore store = catalog.audit();
        AuditStore.Run run = resume ? store.unfinished().orElseGet(store::start) : store.start();
        if (resume && run.afterId() + run.filesChecked() > 0) {
            log.info("audit {}: resumed after file id {} ({} files checked before)", run.id(), run.afterId(), run.filesChecked());
        }
        Findings findings = new Findings(store, run.id());
        Target st = new Target("storage", storage, null);
        Target tp = new Target("tape", tape, null);
        if (storageUntrusted != null) {
            st.distrust(storageUntrusted, findings);
        }
        if (tapeUntrusted != null) {
            tp.distrust(tapeUntrusted, findings);
        }
        ListingAudit listing = new ListingAudit(catalog, findings, clock.instant().minus(settings.tempMaxAge()), settings.fix());
        if (!run.listingsDone()) {
            listing.endpoint(st);
            listing.endpoint(tp);
            listing.daqDisks(daq);
            store.listingsDone(run.id());
            log.info("audit {}: listings compared ({} entries)", run.id(), listing.listed);
        }
        DaqCopies daqCopies = new DaqCopies(daq, catalog);
        CopyAudit copies = new CopyAudit(catalog, st, tp, settings.tapeResidency(), rate, findings,
                new Failures(new EndpointHealth(catalog, clock)), daqCopies);
        long after = run.afterId();
        long checked = run.filesChecked();
        long checksums = run.checksums();
        long budget = settings.maxFiles() > 0 ? settings.maxFiles() : Long.MAX_VALUE;
        boolean complete = false;
        while (true) {
            int n = (int) Math.min(PAGE, budget);
            if (n == 0) {
                break;
            }
            List<CatalogFile> page = catalog.list(FileFilter.all(n).after(after));
            long before = copies.checksums;
            for (CatalogFile f : page) {
                copies.check(f);
                after = f.id();
            }
            checked += page.size();
            budget -= page.size();
            checksums += copies.checksums - before;
            store.progress(run.id(), after, checked, checksums);
            if (page.size() < n) {
                complete = true;
                break;
            }
        }
        long reshipped = 0;
        long removed = 0;
        if (complete) {
            if (settings.fix()) {
                Fixer fixer = new Fixer(catalog, findings, st, tp, daqCopies, new Janitor(settings.tempMaxAge(), clock));
                fixer.fixAll();
                reshipped = fixer.reshipped;
                removed = fixer.temporariesRemoved;
            }
            store.finish(run.id());
        }
        Map<String, Long> counts = store.counts(run.id());
        long discrepancies = counts.entrySet().stream().filter(e -> Kind.valueOf(e.getKey()).discrepancy())
                .mapToLong(Map.Entry::getValue).sum();
        return new Result(store.run(run.id()).orElseThrow(), complete, counts, discrepancies, listing.notAudited, listing.registered,
                reshipped, removed);
    }
}
