package org.migdal.dm.notify;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/** The TLS trust of a notification channel: the system's, or the CA certificates of one PEM file. Always verified. */
final class Trust {
    private Trust() {
    }

    /** An SSL context trusting the system's CAs ({@code caFile} null) or only those in {@code caFile}. */
    static SSLContext context(String caFile, String key) throws ChannelException {
        try {
            if (caFile == null) {
                return SSLContext.getDefault();
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) {
                throw new ChannelException(key + ": " + caFile + " holds no PEM certificate");
            }
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new ChannelException(key + ": cannot read " + caFile + ": " + e, e);
        } catch (GeneralSecurityException e) {
            throw new ChannelException(key + ": " + caFile + " is not usable as CA certificates: " + e.getMessage(), e);
        }
    }
}
