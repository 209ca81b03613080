package org.migdal.dm.catalog;

/**
 * One discrepancy an audit found, as the catalog keeps it ({@link AuditStore}): its kind, what it is about ({@code subject}:
 * an LFN, a path at an endpoint, a DAQ file, an endpoint), the URL looked at, what was expected and what was found, the
 * file's id when the catalog has one, what an operator would do ({@code todo}), and what {@code audit --fix} did
 * ({@code fixed}, null when it did nothing). {@code id} is 0 until stored.
 */
public record AuditFinding(long id, String kind, String subject, String url, String expected, String found, Long fileId,
                           String todo, String fixed) {

    public AuditFinding withFixed(String note) {
        return new AuditFinding(id, kind, subject, url, expected, found, fileId, todo, note);
    }
}
