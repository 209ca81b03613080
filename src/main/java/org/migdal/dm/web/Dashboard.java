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
 * The dashboard's data, read-only: the status (overview, series, newest runs), cached for at most {@link #FRESH} so that
 * many viewers cost one build, and the catalog's files. Nothing here writes to the catalog.
 */
public final class Dashboard {
    /** The longest a status is shown after it was built. */
    static final Duration FRESH = Duration.ofSeconds(3);
    static final int HOURS = 48;
    static final int RUNS = 10;

    private final JdbcCatalog catalog;
    private final Overviews overviews;
    private final RecentRuns runs;
    private final Clock clock;
    private final LongSupplier cycles;
    private final Duration fresh;
    private Status cached;
    private Instant cachedAt;

    /** {@code cycles}: the daemon's finished cycles, or null outside the daemon. */
    public Dashboard(JdbcCatalog catalog, Overviews overviews, Clock clock, LongSupplier cycles) {
        this(catalog, overviews, clock, cycles, FRESH);
    }

    /** {@code fresh}: how long a status is reused (zero: built for every request, as the bench measures it). */
    public Dashboard(JdbcCatalog catalog, Overviews overviews, Clock clock, LongSupplier cycles, Duration fresh) {
        this.fresh = fresh;
        this.catalog = catalog;
        this.overviews = overviews;
        this.runs = new RecentRuns(catalog);
        this.clock = clock;
        this.cycles = cycles;
    }

    /** The status, built again when the cached one is older than {@code fresh}. */
    public synchronized Status status() {
        Instant now = clock.instant();
        if (cached == null || !cachedAt.plus(fresh).isAfter(now) || now.isBefore(cachedAt)) {
            Overview o = overviews.now();
            cached = new Status(o, Series.of(catalog.activity(), o.at(), HOURS, o.waiting()), runs.newest(RUNS),
                    cycles == null ? null : cycles.getAsLong());
            cachedAt = now;
        } else if (cycles != null) {
            cached = new Status(cached.overview(), cached.series(), cached.runs(), cycles.getAsLong());
        }
        return cached;
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
