package org.migdal.dm.security;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway grid PKI for tests, made with BouncyCastle: a CA with an OpenSSL-hashed CA directory (and optional CRL),
 * host certificates, user certificates and RFC 3820 proxies written as proxy files. Every instance has its own CA key;
 * there is no shared or static mutable state.
 *
 * <p>The CA directory's {@code <hash>.0} name is computed by {@code openssl x509 -hash} (OpenSSL must be installed),
 * so it is exactly what OpenSSL-based servers (xrootd) and grid tools look for.
 */
public final class TestPki {
    /** id-ppl-inheritAll (RFC 3820). */
    public static final String ID_PPL_INHERIT_ALL = "1.3.6.1.5.5.7.21.1";

    /** A certificate and its private key. */
    public record Issued(X509Certificate cert, PrivateKey key) {
        public String openSslSubject() {
            return Proxies.openSslName(cert.getSubjectX500Principal());
        }

        @Override
        public String toString() {
            return "Issued[" + openSslSubject() + ", key <hidden>]";
        }
    }

    /** How the key is written into a proxy or key file. */
    public enum KeyFormat {
        /** {@code -----BEGIN RSA PRIVATE KEY-----}, as voms-proxy-init writes it. */
        PKCS1,
        /** {@code -----BEGIN PRIVATE KEY-----}, as {@code openssl req -newkey} writes it. */
        PKCS8
    }

    private static final Duration BACKDATE = Duration.ofMinutes(5);

    private final SecureRandom random = new SecureRandom();
    private final Issued ca;
    private final X500Name caName;

    private TestPki(String caCommonName) {
        this.caName = name("org", "test", caCommonName);
        try {
            KeyPair kp = newKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(Duration.ofDays(3650))), caName, kp.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            this.ca = new Issued(sign(b, kp.getPrivate()), kp.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make the test CA", e);
        }
    }

    /** A new CA {@code /DC=org/DC=test/CN=Test CA}. */
    public static TestPki create() {
        return new TestPki("Test CA");
    }

    /** A new CA {@code /DC=org/DC=test/CN=<caCommonName>}; the same name twice gives two CAs with different keys. */
    public static TestPki create(String caCommonName) {
        return new TestPki(caCommonName);
    }

    public Issued ca() {
        return ca;
    }

    // ---------------------------------------------------------------- certificates

    /** A host certificate for {@code localhost} (SAN DNS:localhost, IP:127.0.0.1), valid a year. */
    public Issued hostCert() {
        return hostCert("localhost", List.of(new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    }

    /** A host certificate for another name ({@code otherhost.invalid}, SAN DNS only): wrong for a client of localhost. */
    public Issued wrongHostCert() {
        return hostCert("otherhost.invalid", List.of(new GeneralName(GeneralName.dNSName, "otherhost.invalid")));
    }

    public Issued hostCert(String cn, List<GeneralName> subjectAltNames) {
        try {
            KeyPair kp = newKeyPair();
            Instant now = Instant.now();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minus(BACKDATE)),
                    Date.from(now.plus(Duration.ofDays(365))), name("org", "test", cn), kp.getPublic());
            endEntityExtensions(b, kp, KeyUsage.digitalSignature | KeyUsage.keyEncipherment,
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(subjectAltNames.toArray(GeneralName[]::new)));
            return new Issued(sign(b, ca.key()), kp.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a host certificate", e);
        }
    }

    /** A user certificate {@code /DC=org/DC=test/CN=Test User}, valid a year. */
    public Issued userCert() {
        return userCert("Test User", Instant.now().minus(BACKDATE), Instant.now().plus(Duration.ofDays(365)));
    }

    public Issued userCert(String cn, Instant notBefore, Instant notAfter) {
        try {
            KeyPair kp = newKeyPair();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(notBefore),
                    Date.from(notAfter), name("org", "test", cn), kp.getPublic());
            endEntityExtensions(b, kp, KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.dataEncipherment,
                    new KeyPurposeId[] {KeyPurposeId.id_kp_clientAuth});
            return new Issued(sign(b, ca.key()), kp.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a user certificate", e);
        }
    }

    /**
     * An RFC 3820 proxy of {@code user}: subject = user DN + {@code /CN=<serial number>}, issued and signed (SHA-256) by the
     * user's key, ProxyCertInfo critical with id-ppl-inheritAll, its own new key.
     */
    public Issued proxy(Issued user, Instant notBefore, Instant notAfter) {
        try {
            KeyPair kp = newKeyPair();
            BigInteger serial = serial();
            X500Name issuer = X500Name.getInstance(user.cert().getSubjectX500Principal().getEncoded());
            List<RDN> rdns = new ArrayList<>(List.of(issuer.getRDNs()));
            rdns.add(new RDN(BCStyle.CN, new org.bouncycastle.asn1.DERUTF8String(serial.toString())));
            X500Name subject = new X500Name(rdns.toArray(RDN[]::new));
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore),
                    Date.from(notAfter), subject, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            ASN1EncodableVector policy = new ASN1EncodableVector();
            policy.add(new ASN1ObjectIdentifier(ID_PPL_INHERIT_ALL));
            ASN1EncodableVector info = new ASN1EncodableVector();
            info.add(new DERSequence(policy)); // ProxyCertInfo ::= SEQUENCE { pCPathLenConstraint OPTIONAL, proxyPolicy }
            b.addExtension(new ASN1ObjectIdentifier(Proxies.PROXY_CERT_INFO), true, new DERSequence(info));
            return new Issued(sign(b, user.key()), kp.getPrivate());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot make a proxy", e);
        }
    }

    /** A proxy valid from 5 minutes ago for 24 hours. */
    public Issued proxy(Issued user) {
        Instant now = Instant.now();
        return proxy(user, now.minus(BACKDATE), now.plus(Duration.ofHours(24)));
    }

    /** A CRL of this CA, issued now and valid a week, revoking the given certificates. */
    public X509CRL crl(List<X509Certificate> revoked) {
        return crl(revoked, Instant.now().minus(BACKDATE), Instant.now().plus(Duration.ofDays(7)));
    }

    public X509CRL crl(List<X509Certificate> revoked, Instant thisUpdate, Instant nextUpdate) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(caName, Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            for (X509Certificate c : revoked) {
                b.addCRLEntry(c.getSerialNumber(), Date.from(thisUpdate), CRLReason.keyCompromise);
            }
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.cert()));
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.valueOf(Instant.now().getEpochSecond())));
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withRSA").build(ca.key());
            return new JcaX509CRLConverter().getCRL(b.build(signer));
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a CRL", e);
        }
    }

    /** Everything {@link #writeAll(Path)} wrote; proxies are mode 0600 except {@code worldReadableProxy} (0644). */
    public record Layout(Path dir, Path caDir, Path caCert, Issued host, Path hostCert, Path hostKey, Issued wrongHost,
                         Path wrongHostCert, Path wrongHostKey, Issued user, Path userCert, Path userKey, Issued proxy,
                         Path proxyPkcs1, Path proxyPkcs8, Issued expired, Path expiredProxy, Issued shortUser,
                         Issued longProxy, Path userExpiresFirstProxy, Path worldReadableProxy) {
    }

    /**
     * Writes the whole PKI into {@code dir}: {@code certificates/} (hashed CA dir, no CRL), {@code ca.pem},
     * {@code hostcert.pem}/{@code hostkey.pem} (localhost), {@code otherhostcert.pem}/{@code otherhostkey.pem}
     * (otherhost.invalid), {@code usercert.pem}/{@code userkey.pem}, and proxy files: {@code x509up} (24 h, PKCS#1 key),
     * {@code x509up-pkcs8} (the same proxy, PKCS#8 key), {@code x509up-expired} (expired yesterday),
     * {@code x509up-user-expires-first} (the user cert expires in 1 h, the proxy in 24 h) and {@code x509up-0644}.
     */
    public Layout writeAll(Path dir) {
        try {
            Files.createDirectories(dir);
            Instant now = Instant.now();
            Path caDir = writeCaDir(dir.resolve("certificates"));
            Path caCert = writePublic(dir.resolve("ca.pem"), pem(ca.cert()));
            Issued host = hostCert();
            writeCertAndKey(host, dir.resolve("hostcert.pem"), dir.resolve("hostkey.pem"));
            Issued wrong = wrongHostCert();
            writeCertAndKey(wrong, dir.resolve("otherhostcert.pem"), dir.resolve("otherhostkey.pem"));
            Issued user = userCert();
            writeCertAndKey(user, dir.resolve("usercert.pem"), dir.resolve("userkey.pem"));
            Issued proxy = proxy(user);
            Path p1 = writeProxyFile(dir.resolve("x509up"), proxy, user, KeyFormat.PKCS1);
            Path p8 = writeProxyFile(dir.resolve("x509up-pkcs8"), proxy, user, KeyFormat.PKCS8);
            Issued expired = proxy(user, now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)));
            Path pe = writeProxyFile(dir.resolve("x509up-expired"), expired, user, KeyFormat.PKCS1);
            Issued shortUser = userCert("Short User", now.minus(BACKDATE), now.plus(Duration.ofHours(1)));
            Issued longProxy = proxy(shortUser, now.minus(BACKDATE), now.plus(Duration.ofHours(24)));
            Path pu = writeProxyFile(dir.resolve("x509up-user-expires-first"), longProxy, shortUser, KeyFormat.PKCS1);
            Path pw = writeProxyFile(dir.resolve("x509up-0644"), proxy, user, KeyFormat.PKCS1);
            Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-r--r--"));
            return new Layout(dir, caDir, caCert, host, dir.resolve("hostcert.pem"), dir.resolve("hostkey.pem"), wrong,
                    dir.resolve("otherhostcert.pem"), dir.resolve("otherhostkey.pem"), user, dir.resolve("usercert.pem"),
                    dir.resolve("userkey.pem"), proxy, p1, p8, expired, pe, shortUser, longProxy, pu, pw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- files

    /**
     * Writes the CA certificate into {@code dir} (created if needed) as {@code <hash>.0}, the OpenSSL subject hash, plus
     * {@code <hash>.r0} holding {@code crl} when it is not null. Files are world-readable (a CA dir is public).
     * Returns the dir.
     */
    public Path writeCaDir(Path dir, X509CRL crl) {
        try {
            Files.createDirectories(dir);
            Path pem = dir.resolve("testca.pem");
            writePublic(pem, pem(ca.cert()));
            String hash = opensslHash(pem);
            Files.move(pem, dir.resolve(hash + ".0"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path r0 = dir.resolve(hash + ".r0");
            if (crl != null) {
                writePublic(r0, pem(crl));
            } else {
                Files.deleteIfExists(r0);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path writeCaDir(Path dir) {
        return writeCaDir(dir, null);
    }

    /** The OpenSSL subject hash of this CA (8 hex digits), as {@code openssl x509 -hash} prints it. */
    public String caHash(Path scratchDir) {
        try {
            Path pem = Files.createTempFile(scratchDir, "ca", ".pem");
            try {
                Files.writeString(pem, pem(ca.cert()));
                return opensslHash(pem);
            } finally {
                Files.deleteIfExists(pem);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a proxy file: proxy certificate, proxy key, user certificate (mode 0600). */
    public Path writeProxyFile(Path file, Issued proxy, Issued user, KeyFormat format) {
        return writePrivate(file, pem(proxy.cert()) + pemKey(proxy.key(), format) + pem(user.cert()));
    }

    /** Writes {@code cert} (mode 0644) and {@code key} (mode 0600, PKCS#8) PEM files, e.g. for a server. */
    public static void writeCertAndKey(Issued issued, Path certFile, Path keyFile) {
        writePublic(certFile, pem(issued.cert()));
        writePrivate(keyFile, pemKey(issued.key(), KeyFormat.PKCS8));
    }

    /** Writes {@code text} into a new or truncated file that is created with mode 0600 (never readable by others). */
    public static Path writePrivate(Path file, String text) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path writePublic(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PEM text of a certificate or CRL. */
    public static String pem(Object certOrCrl) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(certOrCrl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    /** PEM text of a private key: PKCS#1 ({@code RSA PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}). */
    public static String pemKey(PrivateKey key, KeyFormat format) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            if (format == KeyFormat.PKCS8) {
                w.writeObject(new JcaPKCS8Generator(key, null));
            } else {
                w.writeObject(key); // BouncyCastle writes an RSA key as PKCS#1
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String text = sw.toString();
        String expected = format == KeyFormat.PKCS8 ? "-----BEGIN PRIVATE KEY-----" : "-----BEGIN RSA PRIVATE KEY-----";
        if (!text.startsWith(expected)) {
            throw new IllegalStateException("unexpected key PEM type for " + format);
        }
        return text;
    }

    static String opensslHash(Path pem) throws IOException {
        Process p = new ProcessBuilder("openssl", "x509", "-hash", "-noout", "-in", pem.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || !out.matches("[0-9a-f]{8}")) {
                p.destroyForcibly();
                throw new IOException("openssl x509 -hash failed on " + pem + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private void endEntityExtensions(X509v3CertificateBuilder b, KeyPair kp, int keyUsage, KeyPurposeId[] purposes)
            throws GeneralSecurityException, IOException {
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.cert()));
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            ContentSigner s = new JcaContentSignerBuilder("SHA256withRSA").build(signer);
            X509CertificateHolder h = b.build(s);
            return new JcaX509CertificateConverter().getCertificate(h);
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, random);
        return g.generateKeyPair();
    }

    private BigInteger serial() {
        return new BigInteger(63, random).add(BigInteger.ONE);
    }

    private static X500Name name(String dc1, String dc2, String cn) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.DC, dc1).addRDN(BCStyle.DC, dc2).addRDN(BCStyle.CN, cn)
                .build();
    }
}
