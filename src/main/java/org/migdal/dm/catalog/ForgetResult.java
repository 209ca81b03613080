package org.migdal.dm.catalog;

import java.util.List;

/** What {@code forget} did: the LFNs now FORGOTTEN, and for each refused LFN why (it is not MISSING, or unknown). */
public record ForgetResult(List<String> forgotten, List<String> refused) {
}
