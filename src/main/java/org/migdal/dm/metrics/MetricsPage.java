package org.migdal.dm.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import org.migdal.dm.catalog.Counters;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.health.Overviews;

import java.io.IOException;
import java.io.OutputStream;

/**
 * {@code /metrics}: the Prometheus text exposition (format 0.0.4) of one {@link org.migdal.dm.health.Overview} and the
 * catalog's cumulative counters, made afresh at every {@link #write}. Read-only; the same text whichever process writes
 * it (the daemon, {@code serve}, or {@code migdal-dm metrics} from cron), because every value comes from the catalog,
 * the DAQ disks and the credential files.
 */
public final class MetricsPage {
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private final Overviews overviews;
    private final Counters counters;

    public MetricsPage(Overviews overviews, JdbcCatalog catalog) {
        this.overviews = overviews;
        this.counters = new Counters(catalog);
    }

    /** {@code text/plain; version=0.0.4; charset=utf-8}. */
    public String contentType() {
        return WRITER.getContentType();
    }

    /** Writes every metric now; {@code out} is flushed, not closed. */
    public void write(OutputStream out) throws IOException {
        Families.Counted counted = new Families.Counted(counters.stageDurations(), counters.steps(), counters.errors());
        WRITER.write(out, Families.of(overviews.now(), counted));
        out.flush();
    }
}
