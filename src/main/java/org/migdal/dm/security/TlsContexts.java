package org.migdal.dm.security;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.security.auth.x500.X500Principal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CRL;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * TLS for every HTTPS client in migdal-dm: the X509 proxy as client certificate, the grid CA directory as trust store.
 *
 * <p><b>Every HTTPS client must use both {@link #create} and {@link #parameters()}</b>, e.g.
 * <pre>{@code
 * HttpClient http = HttpClient.newBuilder()
 *         .sslContext(TlsContexts.create(Optional.of(proxy), TlsContexts.caDir(cfg, System.getenv()), false))
 *         .sslParameters(TlsContexts.parameters())
 *         .build();
 * }</pre>
 * Host names are always verified: {@link #parameters()} sets the endpoint identification algorithm {@code HTTPS}, and
 * {@code java.net.http.HttpClient} verifies host names by default anyway. Never disable it (no
 * {@code jdk.internal.httpclient.disableHostnameVerification}, no custom {@code HostnameVerifier}, no trust-all
 * {@code TrustManager}); a client that cannot use these parameters must not be written.
 *
 * <p>Trust: the CA certificates in the OpenSSL-hashed directory ({@code <hash>.0}, {@code <hash>.1}, … files; the IGTF
 * bundle installs them in {@code /etc/grid-security/certificates}), optionally plus the JDK's default trust store.
 * Revocation: a CRL file {@code <hash>.r0} (as fetch-crl writes it) that is signed by a CA of the directory is honoured:
 * a certificate it lists is refused, even once the CRL is past its nextUpdate (a stale CRL can only miss newer
 * revocations). A CA with no CRL does not make connections fail. A CRL that does not verify against its CA makes
 * every certificate of that CA be refused (fail closed), with a message naming the file.
 */
public final class TlsContexts {
    /** Where the grid CA certificates are by default. */
    public static final Path DEFAULT_CA_DIR = Path.of("/etc/grid-security/certificates");

    private static final Pattern CA_FILE = Pattern.compile("[0-9a-f]{8}\\.[0-9]+");
    private static final Pattern CRL_FILE = Pattern.compile("[0-9a-f]{8}\\.r[0-9]+");

    private TlsContexts() {
    }

    /** The CA directory: the configured one, else {@code X509_CERT_DIR}, else {@code /etc/grid-security/certificates}. */
    public static Path caDir(Optional<String> configured, Map<String, String> env) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return Path.of(configured.get());
        }
        String fromEnv = env.get("X509_CERT_DIR");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return DEFAULT_CA_DIR;
    }

    /**
     * TLS parameters every HTTPS client must use: host name verification ({@code HTTPS} endpoint identification) and
     * TLS 1.3/1.2 only. A new object on each call, so callers may add to it.
     */
    public static SSLParameters parameters() {
        SSLParameters p = new SSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        return p;
    }

    /**
     * An SSLContext presenting {@code identity}'s whole chain (proxy, user certificate, …) as client certificate when
     * present, and trusting the CA files of {@code caDir} (with their CRLs) plus, when {@code alsoSystemTrust}, the
     * JDK's default trust store.
     */
    public static SSLContext create(Optional<X509Credential> identity, Path caDir, boolean alsoSystemTrust)
            throws CredentialException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(identity.isPresent() ? keyManagers(identity.get()) : null,
                    new TrustManager[] {trustManager(caDir, alsoSystemTrust)}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new CredentialException("cannot set up TLS (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    private static javax.net.ssl.KeyManager[] keyManagers(X509Credential identity) throws GeneralSecurityException {
        // A one-off in-memory store; its password only guards memory this process owns anyway.
        char[] password = randomPassword();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot create an in-memory key store", e);
        }
        ks.setKeyEntry("client", identity.key(), password, identity.chain().toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, password);
        java.util.Arrays.fill(password, '\0');
        return kmf.getKeyManagers();
    }

    private static char[] randomPassword() {
        SecureRandom r = new SecureRandom();
        char[] c = new char[24];
        for (int i = 0; i < c.length; i++) {
            c[i] = (char) ('a' + r.nextInt(26));
        }
        return c;
    }

    private static X509TrustManager trustManager(Path caDir, boolean alsoSystemTrust)
            throws CredentialException, GeneralSecurityException {
        CaDirectory dir = CaDirectory.read(caDir, alsoSystemTrust);
        Set<TrustAnchor> anchors = new HashSet<>();
        for (X509Certificate c : dir.cas) {
            anchors.add(new TrustAnchor(c, null));
        }
        if (alsoSystemTrust) {
            TrustManagerFactory sys = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            sys.init((KeyStore) null);
            for (TrustManager tm : sys.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        anchors.add(new TrustAnchor(c, null));
                    }
                }
            }
        }
        if (anchors.isEmpty()) {
            throw new CredentialException("no CA certificates (<hash>.0 files) in " + caDir
                    + "; install the IGTF CA bundle (e.g. ca-policy-egi-core) there or point X509_CERT_DIR at the grid CA directory");
        }
        PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, new X509CertSelector());
        params.setRevocationEnabled(false); // no network lookups; the CA directory's CRLs are checked below
        params.addCertPathChecker(new CrlChecker(dir.crls, dir.badCrls));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(new CertPathTrustManagerParameters(params));
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x; // an X509ExtendedTrustManager: it also does the host name check
            }
        }
        throw new GeneralSecurityException("no X509 trust manager from the PKIX TrustManagerFactory");
    }

    /** The certificates and CRLs of an OpenSSL-hashed CA directory. */
    private record CaDirectory(List<X509Certificate> cas, Map<X500Principal, List<X509CRL>> crls,
                               Map<X500Principal, String> badCrls) {
        static CaDirectory read(Path dir, boolean systemTrustToo) throws CredentialException {
            List<Path> caFiles = new ArrayList<>();
            List<Path> crlFiles = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    String n = p.getFileName().toString();
                    if (CA_FILE.matcher(n).matches()) {
                        caFiles.add(p);
                    } else if (CRL_FILE.matcher(n).matches()) {
                        crlFiles.add(p);
                    }
                }
            } catch (NoSuchFileException e) {
                if (systemTrustToo) {
                    return new CaDirectory(List.of(), Map.of(), Map.of());
                }
                throw new CredentialException("the CA directory " + dir + " does not exist; install the IGTF CA bundle"
                        + " (e.g. ca-policy-egi-core) or point X509_CERT_DIR at the grid CA directory");
            } catch (IOException e) {
                throw new CredentialException("cannot read the CA directory " + dir + ": " + e.getMessage(), e);
            }
            caFiles.sort(null);
            crlFiles.sort(null);
            CertificateFactory cf;
            try {
                cf = CertificateFactory.getInstance("X.509");
            } catch (GeneralSecurityException e) {
                throw new CredentialException("no X.509 support in this JVM", e);
            }
            List<X509Certificate> cas = new ArrayList<>();
            Map<String, List<X509Certificate>> byHash = new HashMap<>();
            for (Path p : caFiles) {
                try (InputStream in = Files.newInputStream(p)) {
                    for (Certificate c : cf.generateCertificates(in)) {
                        if (c instanceof X509Certificate x) {
                            cas.add(x);
                            byHash.computeIfAbsent(hashOf(p), k -> new ArrayList<>()).add(x);
                        }
                    }
                } catch (IOException | GeneralSecurityException e) {
                    // a broken or unreadable file trusts nothing; the other CAs still work
                }
            }
            Map<X500Principal, List<X509CRL>> crls = new HashMap<>();
            Map<X500Principal, String> bad = new HashMap<>();
            for (Path p : crlFiles) {
                Collection<? extends CRL> read;
                try (InputStream in = Files.newInputStream(p)) {
                    read = cf.generateCRLs(in);
                } catch (IOException | GeneralSecurityException e) {
                    // whose CRL it is cannot be read from it; its name says which CA: refuse that CA's certificates
                    for (X509Certificate ca : byHash.getOrDefault(hashOf(p), List.of())) {
                        bad.put(ca.getSubjectX500Principal(), p + " is not a readable CRL");
                    }
                    continue;
                }
                for (CRL crl : read) {
                    if (!(crl instanceof X509CRL x)) {
                        continue;
                    }
                    X500Principal issuer = x.getIssuerX500Principal();
                    boolean verified = false;
                    boolean issuerKnown = false;
                    for (X509Certificate ca : cas) {
                        if (ca.getSubjectX500Principal().equals(issuer)) {
                            issuerKnown = true;
                            try {
                                x.verify(ca.getPublicKey());
                                verified = true;
                                break;
                            } catch (GeneralSecurityException e) {
                                // try another CA of the same name
                            }
                        }
                    }
                    if (verified) {
                        crls.computeIfAbsent(issuer, k -> new ArrayList<>()).add(x);
                    } else if (issuerKnown) {
                        bad.put(issuer, p + " is not signed by the CA " + Proxies.openSslName(issuer));
                    }
                }
            }
            return new CaDirectory(List.copyOf(cas), crls, bad);
        }

        private static String hashOf(Path file) {
            return file.getFileName().toString().substring(0, 8);
        }
    }

    /** Refuses a certificate that a CRL of the CA directory lists, or whose CA has a CRL that does not verify. */
    private static final class CrlChecker extends PKIXCertPathChecker {
        private final Map<X500Principal, List<X509CRL>> crls;
        private final Map<X500Principal, String> badCrls;

        CrlChecker(Map<X500Principal, List<X509CRL>> crls, Map<X500Principal, String> badCrls) {
            this.crls = crls;
            this.badCrls = badCrls;
        }

        @Override
        public void init(boolean forward) {
            // stateless: each certificate is checked on its own
        }

        @Override
        public boolean isForwardCheckingSupported() {
            return true;
        }

        @Override
        public Set<String> getSupportedExtensions() {
            return null;
        }

        @Override
        public void check(Certificate cert, Collection<String> unresolvedCritExts) throws CertPathValidatorException {
            if (!(cert instanceof X509Certificate x)) {
                return;
            }
            X500Principal issuer = x.getIssuerX500Principal();
            String bad = badCrls.get(issuer);
            if (bad != null) {
                throw new CertPathValidatorException("certificate " + Proxies.openSslName(x.getSubjectX500Principal())
                        + " refused: " + bad + " (fix or refresh it, e.g. with fetch-crl)");
            }
            for (X509CRL crl : crls.getOrDefault(issuer, List.of())) {
                X509CRLEntry entry = crl.getRevokedCertificate(x.getSerialNumber());
                if (entry != null) {
                    throw new CertPathValidatorException("certificate " + Proxies.openSslName(x.getSubjectX500Principal())
                            + " (serial " + x.getSerialNumber().toString(16) + ") is revoked by the CRL of "
                            + Proxies.openSslName(issuer), null, null, -1,
                            CertPathValidatorException.BasicReason.REVOKED);
                }
            }
        }
    }
}
