package org.migdal.dm.security;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds and reads X509 proxy files (PEM: certificates and an unencrypted PKCS#1 or PKCS#8 key, in any order).
 * Refuses a file that others can read or that belongs to another user, saying how to fix it.
 */
public final class ProxyLoader {
    private ProxyLoader() {
    }

    /** Where the proxy is: the configured path, else {@code X509_USER_PROXY}, else {@code /tmp/x509up_u<uid>}. */
    public static Path locate(Optional<String> configured, Map<String, String> env, long uid) {
        if (configured.isPresent() && !configured.get().isBlank()) {
            return Path.of(configured.get());
        }
        String fromEnv = env.get("X509_USER_PROXY");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return Path.of("/tmp/x509up_u" + uid);
    }

    /** This process's numeric user id. */
    public static long currentUid() {
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    public static X509Credential load(Path file) throws CredentialException {
        checkFileSafety(file);
        List<X509Certificate> certs = new ArrayList<>();
        PrivateKey key = null;
        JcaX509CertificateConverter certConverter = new JcaX509CertificateConverter();
        JcaPEMKeyConverter keyConverter = new JcaPEMKeyConverter();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(r)) {
            Object o;
            while ((o = pem.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    certs.add(certConverter.getCertificate(h));
                } else if (o instanceof PEMKeyPair kp) {
                    key = keyConverter.getPrivateKey(kp.getPrivateKeyInfo());
                } else if (o instanceof PrivateKeyInfo pki) {
                    key = keyConverter.getPrivateKey(pki);
                } else if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new CredentialException(file + " holds an encrypted private key; a proxy's key must be unencrypted"
                            + " (make a proxy with voms-proxy-init)");
                }
            }
        } catch (NoSuchFileException e) {
            throw new CredentialException("no proxy file at " + file + "; create one with"
                    + " `voms-proxy-init --voms gridpp:/gridpp/migdal/Role=production --valid 168:0` or set X509_USER_PROXY");
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new CredentialException(file + " is not a readable PEM proxy file (" + e.getClass().getSimpleName() + ")", e);
        }
        if (certs.isEmpty()) {
            throw new CredentialException(file + " holds no certificate; is it a proxy file?");
        }
        if (key == null) {
            throw new CredentialException(file + " holds no private key; a proxy file has the proxy certificate, its key and the user certificate");
        }
        if (!matches(key, certs.get(0))) {
            throw new CredentialException(file + ": the private key does not belong to the first certificate ("
                    + Proxies.openSslName(certs.get(0).getSubjectX500Principal()) + ")");
        }
        return new X509Credential(file, key, certs);
    }

    /** A proxy must be private to its owner: mode 0600 (or 0400) and owned by this user. */
    static void checkFileSafety(Path file) throws CredentialException {
        try {
            if (Files.isSymbolicLink(file)) {
                file = file.toRealPath();
            }
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> open = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);
            open.retainAll(perms);
            if (!open.isEmpty()) {
                throw new CredentialException("proxy file " + file + " is accessible by group or others ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); fix it with: chmod 600 " + file);
            }
            long owner = ((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            long me = currentUid();
            if (owner != me) {
                throw new CredentialException("proxy file " + file + " belongs to uid " + owner + ", not to this user (uid " + me
                        + "); make your own proxy with voms-proxy-init, or chown it");
            }
        } catch (NoSuchFileException e) {
            throw new CredentialException("no proxy file at " + file + "; create one with"
                    + " `voms-proxy-init --voms gridpp:/gridpp/migdal/Role=production --valid 168:0` or set X509_USER_PROXY");
        } catch (IOException e) {
            throw new CredentialException("cannot check proxy file " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean matches(PrivateKey key, X509Certificate cert) {
        try {
            String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256with" + key.getAlgorithm();
            byte[] probe = "migdal-dm key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(cert.getPublicKey());
            v.update(probe);
            return v.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
