package org.migdal.dm.notify;

import org.migdal.dm.security.TestPki;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.security.KeyStore;
import java.security.cert.Certificate;

/** TEST ONLY: a server-side TLS context with the test PKI's localhost certificate. */
final class TestTls {
    private TestTls() {
    }

    static SSLContext serverContext(TestPki.Layout pki) throws Exception {
        char[] pw = "test-only".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("host", pki.host().key(), pw, new Certificate[] {pki.host().cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
