package org.migdal.dm.security;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;
import java.security.cert.X509Certificate;

/** Small facts about grid proxy certificates and names. */
public final class Proxies {
    /** RFC 3820 ProxyCertInfo. */
    public static final String PROXY_CERT_INFO = "1.3.6.1.5.5.7.1.14";
    /** The pre-RFC (GT3) ProxyCertInfo. */
    public static final String PROXY_CERT_INFO_DRAFT = "1.3.6.1.4.1.3536.1.222";

    private Proxies() {
    }

    public static boolean isProxy(X509Certificate c) {
        if (c.getExtensionValue(PROXY_CERT_INFO) != null || c.getExtensionValue(PROXY_CERT_INFO_DRAFT) != null) {
            return true;
        }
        // legacy (GT2) proxy: subject = issuer + /CN=proxy or /CN=limited proxy
        String subject = openSslName(c.getSubjectX500Principal());
        String issuer = openSslName(c.getIssuerX500Principal());
        return subject.equals(issuer + "/CN=proxy") || subject.equals(issuer + "/CN=limited proxy");
    }

    /** {@code CN=Test User,DC=test,DC=org} → {@code /DC=org/DC=test/CN=Test User}, as OpenSSL and the grid tools print it. */
    public static String openSslName(X500Principal p) {
        try {
            StringBuilder sb = new StringBuilder();
            for (Rdn rdn : new LdapName(p.getName(X500Principal.RFC2253)).getRdns()) {
                sb.append('/').append(rdn.getType()).append('=').append(rdn.getValue());
            }
            return sb.toString();
        } catch (InvalidNameException e) {
            return p.getName();
        }
    }
}
