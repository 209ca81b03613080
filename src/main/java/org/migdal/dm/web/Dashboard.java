package org.migdal.dm.web;

import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.catalog.FileFilter;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.RecentRuns;
import org.migdal.dm.health.Overview;
import org.migdal.dm.health.Overviews;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The dashboard's data, read-only: the status (overview, series, newest runs) and the catalog's files. Nothing here
 * writes to the catalog. The status is never shown older than {@code fresh} (3 s): a request finds it built by the
 * previous one or, while someone has asked for it in the last {@link #WATCHED}, by a background refresh (so an open
 * dashboard answers at once, and an idle one costs nothing); otherwise the request builds it. The background thread also
 * fills the LFN search index with newly registered files ({@link org.migdal.dm.catalog.LfnIndex}), a batch a tick.
 */
public final class Dashboard implements AutoCloseable {
    /** The longest a status is shown after it was built. */
    static final Duration FRESH = Duration.ofSeconds(3);
    /** How long after the last request the status is kept fresh in the background. */
    static final Duration WATCHED = Duration.ofSeconds(30);
    static final int HOURS = 48;
    static final int RUNS = 10;

    private final JdbcCatalog catalog;
    private final Overviews overviews;
    private final RecentRuns runs;
    private final org.migdal.dm.catalog.LfnIndex lfnIndex;
    private final Clock clock;
    private final LongSupplier cycles;
    private final long freshNanos;
    private final java.util.concurrent.ScheduledExecutorService refresher;
    private final Object building = new Object();
    private volatile Status cached;
    private volatile long builtAt;
    private volatile long askedAt;

    /** {@code cycles}: the daemon's finished cycles, or null outside the daemon. */
    public Dashboard(JdbcCatalog catalog, Overviews overviews, Clock clock, LongSupplier cycles) {
        this(catalog, overviews, clock, cycles, FRESH);
    }

    /** {@code fresh}: how long a status is reused (zero: built for every request, no background refresh). */
    public Dashboard(JdbcCatalog catalog, Overviews overviews, Clock clock, LongSupplier cycles, Duration fresh) {
        this.catalog = catalog;
        this.overviews = overviews;
        this.runs = new RecentRuns(catalog);
        this.lfnIndex = new org.migdal.dm.catalog.LfnIndex(catalog);
        this.clock = clock;
        this.cycles = cycles;
        this.freshNanos = fresh.toNanos();
        if (freshNanos > 0) {
            refresher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dashboard-refresh");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, freshNanos / 3);
            refresher.scheduleWithFixedDelay(this::refreshIfWatched, every, every, java.util.concurrent.TimeUnit.NANOSECONDS);
        } else {
            refresher = null;
        }
    }

    /** The status, at most {@code fresh} old. */
    public Status status() {
        long now = System.nanoTime();
        askedAt = now;
        Status s = cached;
        if (s == null || now - builtAt >= freshNanos) {
            synchronized (building) {
                s = cached;
                if (s == null || System.nanoTime() - builtAt >= freshNanos) {
                    s = build();
                }
            }
        }
        return cycles == null ? s : new Status(s.overview(), s.series(), s.runs(), cycles.getAsLong());
    }

    private Status build() {
        long started = System.nanoTime();
        Overview o = overviews.now();
        Status s = new Status(o, Series.of(catalog.activity(), o.at(), HOURS, o.waiting()), runs.newest(RUNS), null);
        cached = s;
        builtAt = started; // its age counts from when its reading began
        return s;
    }

    /** Files the LFN index takes per background tick (about 0.1 s of work; nothing when none wait). */
    static final int INDEX_BATCH = 20_000;

    private void refreshIfWatched() {
        try {
            lfnIndex.catchUp(INDEX_BATCH);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Dashboard.class).warn("dashboard: filling the LFN index failed: {}", e.getMessage());
        }
        long now = System.nanoTime();
        if (now - askedAt < WATCHED.toNanos() && now - builtAt >= freshNanos / 3) {
            try {
                synchronized (building) {
                    build();
                }
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Dashboard.class).warn("dashboard: refreshing the status failed: {}", e.getMessage());
            }
        }
    }

    /**
     * Stops the background refresh and waits for a refresh under way to end (it reads the catalog, and fills the LFN
     * index: the catalog is closed after this).
     */
    @Override
    public void close() {
        if (refresher != null) {
            refresher.shutdown();
            try {
                if (!refresher.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    refresher.shutdownNow();
                }
            } catch (InterruptedException e) {
                refresher.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One page of files: the rows and the cursor of the next page (null on the last). Matches are not counted: counting
     * every match of a common substring reads a million rows (the overview has the exact counts per state and disk).
     */
    public record Page(List<CatalogFile> rows, Long next) {
    }

    public Page files(FileFilter f) {
        List<CatalogFile> rows = catalog.list(new FileFilter(f.state(), f.disk(), f.run(), f.lfnLike(), 0, f.limit() + 1, f.afterId(),
                f.descending()));
        Long next = rows.size() > f.limit() ? rows.get(f.limit() - 1).id() : null;
        rows = rows.subList(0, Math.min(rows.size(), f.limit()));
        return new Page(rows, next);
    }

    /** The id of the first row of the last page in this order (so "last" is one keyset step away), or 0 when none. */
    public long lastPageCursor(FileFilter f) {
        // the last page in one order is the first page of the other, read backwards
        List<CatalogFile> tail = catalog.list(new FileFilter(f.state(), f.disk(), f.run(), f.lfnLike(), 0, f.limit() + 1, 0,
                !f.descending()));
        return tail.size() <= f.limit() ? 0 : tail.get(f.limit()).id();
    }

    /** Per-run completeness, for {@code /runs}. */
    public org.migdal.dm.catalog.Runs runs() {
        return new org.migdal.dm.catalog.Runs(catalog);
    }

    public Optional<CatalogFile> file(long id) {
        return catalog.get(id);
    }

    public List<FileEvent> events(long id) {
        return catalog.events(id);
    }

    Instant now() {
        return clock.instant();
    }
}
