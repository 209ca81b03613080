package org.migdal.dm.health;

import org.migdal.dm.catalog.Failure;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;

import java.util.Optional;

/**
 * The one place that classifies a storage failure: the file's own (checksum or size mismatch, exists, not found), or
 * the whole endpoint's (no space, read-only, marker missing — and refused, timed out, TLS, authentication whenever a
 * probe of the endpoint fails too). An endpoint failure marks the endpoint DOWN and is charged to no file; a refusal the
 * endpoint does not confirm on probe is the file's.
 */
public final class Failures {
    private final EndpointHealth health;

    public Failures(EndpointHealth health) {
        this.health = health;
    }

    /**
     * Classifies {@code e}, raised while a step worked with several endpoints: charged to the endpoint whose URL the error
     * names (the first one when none matches).
     */
    public Failure of(StorageException e, String message, StorageEndpoint first, StorageEndpoint... others) {
        StorageEndpoint at = first;
        String url = String.valueOf(e.url());
        for (StorageEndpoint o : others) {
            if (url.startsWith(o.base().toString()) && !url.startsWith(first.base().toString())) {
                at = o;
            }
        }
        return of(e, at, message);
    }

    /** Classifies {@code e}, raised while working on a file at {@code endpoint}; {@code message} says what was being done. */
    public Failure of(StorageException e, StorageEndpoint endpoint, String message) {
        String full = message + " (" + e.kind() + "): " + e.getMessage();
        return switch (e.kind()) {
            case CORRUPT, EXISTS, NOT_FOUND -> Failure.file(full);
            case NAME_TOO_LONG -> Failure.permanent(full);
            case NO_SPACE, READ_ONLY, MARKER_MISSING -> endpointDown(endpoint, e.kind() + ": " + e.getMessage(), full);
            case DENIED, TRANSIENT, OTHER -> unlessProbeFails(e, endpoint, full, "");
        };
    }

    /**
     * Classifies a failure another host reported (a batch job on a worker node): what only that host saw — its mount
     * missing, its disk full, its credential refused — is not the endpoint's as a whole unless a probe from here fails
     * too; otherwise it is charged to the file, so that one bad worker node cannot stop the work nor retry it for ever.
     */
    public Failure reportedElsewhere(StorageException e, StorageEndpoint endpoint, String message) {
        return switch (e.kind()) {
            case NO_SPACE, READ_ONLY, MARKER_MISSING -> unlessProbeFails(e, endpoint, message + " (" + e.kind() + "): "
                    + e.getMessage(), " from here");
            default -> of(e, endpoint, message);
        };
    }

    /** The endpoint's failure if a probe of it fails now (it goes DOWN), else the file's. */
    private Failure unlessProbeFails(StorageException e, StorageEndpoint endpoint, String full, String where) {
        Optional<String> probe = health.probe(endpoint);
        return probe.isPresent()
                ? endpointDown(endpoint, e.kind() + ": " + e.getMessage() + "; probe" + where + ": " + probe.get(), full)
                : Failure.file(full + " (the endpoint answers its probe" + where + ", so this is the file's failure)");
    }

    private Failure endpointDown(StorageEndpoint endpoint, String reason, String full) {
        health.down(endpoint, reason);
        return Failure.endpoint(endpoint.base().toString(), full);
    }
}
