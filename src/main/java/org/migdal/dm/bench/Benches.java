package org.migdal.dm.bench;

import java.util.List;

/** Every bench of {@code bench all}, in the order they run. Add a new one here and nowhere else. */
public final class Benches {
    private Benches() {
    }

    public static List<Bench> all() {
        return List.of(
                new ArchiveBench(),
                new ShipBench(),
                new CliBench(),
                new RunsBench(),
                new RegistrationBench(),
                new AuditBench(),
                new MetricsBench(),
                new WebBench());
    }
}
