package org.migdal.dm.health;

import org.migdal.dm.catalog.Catalog;
import org.migdal.dm.catalog.EndpointStatus;
import org.migdal.dm.storage.Marker;
import org.migdal.dm.storage.StorageEndpoint;
import org.migdal.dm.storage.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Optional;

/**
 * Whether an endpoint may be used now. An endpoint that failed as a whole is DOWN (kept in the catalog, so every process
 * and host sees it): nothing is sent to it and nothing is deleted on its word until a probe — its marker file, read with
 * the same credential — proves it again; probes back off while it stays down.
 */
public final class EndpointHealth {
    private static final Logger log = LoggerFactory.getLogger(EndpointHealth.class);

    /** How a DOWN record caused by a credential this side refuses (missing, expired, lacking the FQAN) begins. */
    public static final String CREDENTIAL_REFUSED = "credential refused: ";

    private final Catalog catalog;
    private final Clock clock;

    public EndpointHealth(Catalog catalog, Clock clock) {
        this.catalog = catalog;
        this.clock = clock;
    }

    /**
     * Empty when the endpoint may be used now (it was probed, and proved itself); otherwise why not, naming the endpoint,
     * the reason, since when and the next probe.
     */
    public Optional<String> unavailable(StorageEndpoint endpoint) {
        String url = endpoint.base().toString();
        Optional<EndpointStatus> known = catalog.endpoint(url);
        // a credential refused on this side is checked again at once when the credential is good again: renewing the
        // proxy must not wait for the probe backoff
        boolean credentialWasTheReason = known.map(s -> s.down() && s.reason() != null
                && s.reason().startsWith(CREDENTIAL_REFUSED)).orElse(false);
        if (known.isPresent() && known.get().down() && !credentialWasTheReason
                && clock.instant().isBefore(known.get().nextProbeAt())) {
            return Optional.of(describe(known.get()));
        }
        return probeNow(endpoint);
    }

    /**
     * Probes the endpoint now, whatever the backoff, and records the outcome: DOWN with the probe's reason, or UP (an
     * outage that ends is logged). Empty when it proved itself; otherwise why not.
     */
    public Optional<String> probeNow(StorageEndpoint endpoint) {
        String url = endpoint.base().toString();
        Optional<String> failed = probe(endpoint);
        if (failed.isPresent()) {
            return Optional.of(describe(down(endpoint, failed.get())));
        }
        catalog.endpointUp(url).filter(EndpointStatus::down).ifPresent(was ->
                log.info("endpoint {} is back (DOWN since {}: {})", url, was.since(), was.reason()));
        return Optional.empty();
    }

    /** Probes the endpoint: its marker file, with the endpoint's own credential. Empty when it proves itself. */
    public Optional<String> probe(StorageEndpoint endpoint) {
        try {
            Marker.require(endpoint);
            return Optional.empty();
        } catch (StorageException e) {
            return Optional.of(e.kind() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            return Optional.of(e.toString());
        }
    }

    /** Marks the endpoint at {@code url} DOWN because this side refuses its credential; probed at once when it is good again. */
    public EndpointStatus credentialRefused(String url, String why) {
        EndpointStatus s = catalog.endpointDown(url, CREDENTIAL_REFUSED + why);
        if (s.failures() == 1) {
            log.error("endpoint {} is DOWN: {}", url, s.reason());
        }
        return s;
    }

    /** Marks the endpoint DOWN (no file is charged for it) and logs it. */
    public EndpointStatus down(StorageEndpoint endpoint, String reason) {
        EndpointStatus s = catalog.endpointDown(endpoint.base().toString(), reason);
        log.error("endpoint {} is DOWN since {}: {}; next probe at {}", s.url(), s.since(), s.reason(), s.nextProbeAt());
        return s;
    }

    public static String describe(EndpointStatus s) {
        return "endpoint " + s.url() + " is DOWN since " + s.since() + " (" + s.failures() + " failed probe"
                + (s.failures() == 1 ? "" : "s") + "): " + s.reason() + "; next probe at " + s.nextProbeAt();
    }
}
