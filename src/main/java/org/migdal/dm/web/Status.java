package org.migdal.dm.web;

import org.migdal.dm.catalog.RecentRuns;
import org.migdal.dm.health.Overview;

import java.util.List;

/**
 * What {@code /} and {@code /api/status} show: the overview, the hourly series, the newest runs, and, inside the
 * daemon, how many cycles it has run ({@code null} under {@code serve}).
 */
public record Status(Overview overview, Series series, List<RecentRuns.Run> runs, Long cycles) {
}
