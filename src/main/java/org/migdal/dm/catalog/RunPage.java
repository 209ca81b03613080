package org.migdal.dm.catalog;

import java.util.List;

/**
 * One page of runs in name order. {@code next} is the cursor for the following page (the last run's name, given as
 * {@code after}), null when this is the last page.
 */
public record RunPage(List<RunSummary> runs, String after, boolean incompleteOnly, String next) {
}
