package org.migdal.dm.web;

import java.io.IOException;
import java.io.OutputStream;

/** What {@code /metrics} serves (Prometheus text exposition); the dashboard only mounts the route. */
public interface MetricsSource {
    /** The response's content type, e.g. {@code text/plain; version=0.0.4; charset=utf-8}. */
    String contentType();

    /** Writes the current metrics. */
    void write(OutputStream out) throws IOException;
}
