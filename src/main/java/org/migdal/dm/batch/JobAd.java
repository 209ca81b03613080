package org.migdal.dm.batch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One job as condor_q or condor_history print it with {@code -json} (reference §3.2/§3.3). Attributes absent from the
 * ad (HTCondor prints only those present) or not of the expected type (an expression, {@code null}) are {@code null}.
 *
 * @param id                   {@code ClusterId.ProcId}
 * @param status               {@code JobStatus}
 * @param migdalJob            {@code MigdalJob}, the job name migdal-dm gave it (null if absent)
 * @param batchName            {@code JobBatchName}
 * @param holdReason           {@code HoldReason} (only while held)
 * @param holdCode             {@code HoldReasonCode}
 * @param holdSubcode          {@code HoldReasonSubCode}
 * @param exitCode             {@code ExitCode} (only after a normal exit)
 * @param exitBySignal         {@code ExitBySignal}
 * @param exitSignal           {@code ExitSignal} (only after an exit by signal)
 * @param removeReason         {@code RemoveReason}
 * @param enteredCurrentStatus {@code EnteredCurrentStatus}, epoch seconds
 * @param completionDate       {@code CompletionDate}, epoch seconds (never set for removed jobs; 0 on old versions)
 * @param attributes           every attribute as read: Long, Double, Boolean, String (an expression is the string
 *                             {@code /Expr(…)/}), or null for UNDEFINED; unmodifiable, in the order printed
 */
public record JobAd(JobId id, JobStatus status, String migdalJob, String batchName, String holdReason, Integer holdCode,
                    Integer holdSubcode, Integer exitCode, Boolean exitBySignal, Integer exitSignal, String removeReason,
                    Long enteredCurrentStatus, Long completionDate, Map<String, Object> attributes) {
    public JobAd {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** An attribute by its exact name, or null. */
    public Object attribute(String name) {
        return attributes.get(name);
    }
}
