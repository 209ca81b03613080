package org.migdal.dm.audit;

import org.migdal.dm.storage.StorageEndpoint;

/**
 * An endpoint the audit looks at ({@code role}: "storage" or "tape"), and whether it can be believed: {@code untrusted}
 * is why not (DOWN, marker missing, unreachable), null while it can. Once untrusted, nothing more is asked of it and
 * nothing is concluded from it.
 */
final class Target {
    final String role;
    final StorageEndpoint endpoint;
    private String untrusted;

    Target(String role, StorageEndpoint endpoint, String untrusted) {
        this.role = role;
        this.endpoint = endpoint;
        this.untrusted = untrusted;
    }

    boolean trusted() {
        return untrusted == null;
    }

    String untrusted() {
        return untrusted;
    }

    /** Marks it untrusted and records why (once). */
    void distrust(String why, Findings findings) {
        if (untrusted == null) {
            untrusted = why;
        }
        findings.add(Kind.UNTRUSTED, role + " " + endpoint.base(), endpoint.base().toString(),
                "an endpoint that shows its marker file and answers", why, null,
                "fix the endpoint (mount, marker, credential: `migdal-dm doctor`, `migdal-dm storage probe`), then audit again;"
                        + " nothing at this endpoint was concluded missing");
    }
}
