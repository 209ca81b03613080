package org.migdal.dm.catalog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Renews this process's claims every third of the lease while long work goes on. */
public final class LeaseKeeper implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);
    private final ScheduledExecutorService timer;

    public LeaseKeeper(Catalog catalog, Duration lease) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lease-keeper");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1000, lease.toMillis() / 3);
        timer.scheduleAtFixedRate(() -> {
            try {
                catalog.renewClaims();
            } catch (RuntimeException e) {
                log.warn("could not renew claims: {}", e.getMessage());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
