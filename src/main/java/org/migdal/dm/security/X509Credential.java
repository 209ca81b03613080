package org.migdal.dm.security;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * An X509 credential read from a PEM file: normally an RFC 3820 (or legacy) proxy — proxy certificate(s), the
 * proxy's private key and the user certificate chain — or a plain certificate and key. {@code chain.get(0)} is
 * the certificate whose key this is. {@link #toString()} never shows key material.
 */
public record X509Credential(Path source, PrivateKey key, List<X509Certificate> chain) {
    public X509Credential {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a credential needs at least one certificate");
        }
    }

    /** The certificate presented first (the proxy, for a proxy file). */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** The earliest expiry over the whole chain. */
    public Instant notAfter() {
        return chain.stream().map(c -> c.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    }

    /** True if the first certificate is a proxy (RFC 3820 ProxyCertInfo, or a legacy proxy whose subject extends its issuer's). */
    public boolean isProxy() {
        return Proxies.isProxy(leaf());
    }

    /** The end-entity certificate: the first one in the chain that is not a proxy. */
    public X509Certificate endEntity() {
        return chain.stream().filter(c -> !Proxies.isProxy(c)).findFirst().orElse(chain.get(chain.size() - 1));
    }

    /** The user's identity in the OpenSSL form grid tools print, e.g. {@code /DC=org/DC=test/CN=Test User}. */
    public String identity() {
        return Proxies.openSslName(endEntity().getSubjectX500Principal());
    }

    @Override
    public String toString() {
        return "X509Credential[" + source + ", " + Proxies.openSslName(leaf().getSubjectX500Principal()) + ", key <hidden>]";
    }
}
