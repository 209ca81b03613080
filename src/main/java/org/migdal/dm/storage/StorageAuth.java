package org.migdal.dm.storage;

import javax.net.ssl.SSLContext;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How an endpoint authenticates: a TLS context presenting the X509 proxy (HTTPS), the proxy file and CA directory
 * for the XRootD client tools, and/or a bearer token. {@link #toString()} never shows the token.
 */
public record StorageAuth(Optional<SSLContext> sslContext, Optional<Path> proxyFile, Optional<Path> certDir,
                          Optional<String> bearerToken) {

    public static StorageAuth none() {
        return new StorageAuth(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    @Override
    public String toString() {
        return "StorageAuth[tls=" + sslContext.isPresent() + ", proxy=" + proxyFile.orElse(null) + ", certDir="
                + certDir.orElse(null) + ", token=" + (bearerToken.isPresent() ? "<hidden>" : "none") + "]";
    }
}
