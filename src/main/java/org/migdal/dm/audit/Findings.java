package org.migdal.dm.audit;

import org.migdal.dm.catalog.AuditFinding;
import org.migdal.dm.catalog.AuditStore;

/** Where an audit puts what it finds: the catalog ({@link AuditStore}), once per kind and subject. */
final class Findings {
    private final AuditStore store;
    private final long runId;

    Findings(AuditStore store, long runId) {
        this.store = store;
        this.runId = runId;
    }

    long runId() {
        return runId;
    }

    AuditStore store() {
        return store;
    }

    void add(Kind kind, String subject, String url, String expected, String found, Long fileId, String todo) {
        add(kind, subject, url, expected, found, fileId, todo, null);
    }

    void add(Kind kind, String subject, String url, String expected, String found, Long fileId, String todo, String fixed) {
        store.record(runId, new AuditFinding(0, kind.name(), subject, url, expected, found, fileId, todo, fixed));
    }
}
