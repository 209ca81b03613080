package org.migdal.dm.fts;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.migdal.dm.security.X509Credential;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * The signing half of X509 proxy delegation (reference §5 steps 3–5): read and verify the server's CSR, sign an RFC 3820
 * proxy for its public key with the client's own proxy key, and write the PEM chain to upload. Nothing here does I/O.
 */
public final class ProxyDelegation {
    /** ProxyCertInfo (RFC 3820). */
    public static final String PROXY_CERT_INFO_OID = "1.3.6.1.5.5.7.1.14";
    /** id-ppl-inheritAll (RFC 3820). */
    public static final String INHERIT_ALL_OID = "1.3.6.1.5.5.7.21.1";

    private ProxyDelegation() {
    }

    /** A signed proxy and the moment its lifetime was decided. */
    public record SignedProxy(X509Certificate certificate, boolean cappedByChain) {
    }

    /**
     * Parses a PEM {@code CERTIFICATE REQUEST} and checks its self-signature.
     *
     * @throws IllegalArgumentException if the text is not a CSR or its signature does not verify
     */
    public static PKCS10CertificationRequest parseAndVerifyCsr(String pem) {
        Object o;
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            o = p.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the delegation request is not a PEM certificate request", e);
        }
        if (!(o instanceof PKCS10CertificationRequest csr)) {
            throw new IllegalArgumentException("the delegation request is not a PEM certificate request");
        }
        boolean ok;
        try {
            ok = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()));
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot check the delegation request's signature: " + e.getMessage(), e);
        }
        if (!ok) {
            throw new IllegalArgumentException("the delegation request's self-signature does not verify");
        }
        return csr;
    }

    /**
     * Signs an RFC 3820 proxy for the CSR's public key with {@code credential}'s key, exactly as reference §5 step 4:
     * version 3; serial = the signing certificate's serial; issuer = its subject; subject = its subject +
     * {@code CN=<unix seconds>}; notBefore = now; notAfter = now + lifetime, lowered to the chain's earliest notAfter;
     * basicConstraints critical CA:false; keyUsage critical digitalSignature, keyEncipherment; authorityKeyIdentifier
     * keyid (non-critical); proxyCertInfo critical with inheritAll and no path length; sha256WithRSAEncryption.
     */
    public static SignedProxy sign(X509Credential credential, PKCS10CertificationRequest csr, Duration lifetime, Instant now)
            throws GeneralSecurityException {
        if (!"RSA".equals(credential.key().getAlgorithm())) {
            throw new GeneralSecurityException("delegation signs with sha256WithRSAEncryption, but the proxy key is "
                    + credential.key().getAlgorithm() + "; use an RSA proxy");
        }
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("the delegation lifetime must be positive: " + lifetime);
        }
        X509Certificate signer = credential.leaf();
        Instant start = now.truncatedTo(ChronoUnit.SECONDS);
        Instant wanted = start.plus(lifetime);
        Instant chainEnd = credential.notAfter();
        boolean capped = chainEnd.isBefore(wanted);
        Instant end = capped ? chainEnd : wanted;
        if (!end.isAfter(start)) {
            throw new GeneralSecurityException("the proxy chain expired at " + chainEnd + "; make a new proxy with voms-proxy-init");
        }
        X500Name issuer = X500Name.getInstance(signer.getSubjectX500Principal().getEncoded());
        List<RDN> rdns = new ArrayList<>(List.of(issuer.getRDNs()));
        rdns.add(new RDN(BCStyle.CN, new DERPrintableString(Long.toString(start.getEpochSecond()))));
        X500Name subject = new X500Name(rdns.toArray(RDN[]::new));
        X509v3CertificateBuilder b = new X509v3CertificateBuilder(issuer, signer.getSerialNumber(), Date.from(start),
                Date.from(end), subject, csr.getSubjectPublicKeyInfo());
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(signer));
            ASN1EncodableVector policy = new ASN1EncodableVector();
            policy.add(new ASN1ObjectIdentifier(INHERIT_ALL_OID));
            ASN1EncodableVector info = new ASN1EncodableVector();
            info.add(new DERSequence(policy)); // ProxyCertInfo ::= SEQUENCE { pCPathLenConstraint OPTIONAL, proxyPolicy }
            b.addExtension(new ASN1ObjectIdentifier(PROXY_CERT_INFO_OID), true, new DERSequence(info));
            ContentSigner s = new JcaContentSignerBuilder("SHA256withRSA").build(credential.key());
            X509CertificateHolder h = b.build(s);
            return new SignedProxy(new JcaX509CertificateConverter().getCertificate(h), capped);
        } catch (IOException | org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign the delegated proxy: " + e.getMessage(), e);
        }
    }

    private static AuthorityKeyIdentifier authorityKeyId(X509Certificate signer) throws GeneralSecurityException, IOException {
        byte[] ski = signer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski != null) {
            byte[] inner = ASN1OctetString.getInstance(ski).getOctets();
            return new AuthorityKeyIdentifier(SubjectKeyIdentifier.getInstance(inner).getKeyIdentifier());
        }
        AuthorityKeyIdentifier computed = new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(signer.getPublicKey());
        return new AuthorityKeyIdentifier(computed.getKeyIdentifier()); // keyid only
    }

    /** The upload body: the new proxy PEM, then every certificate of the client chain, and no private key. */
    public static String chainPem(X509Certificate proxy, List<X509Certificate> clientChain) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(proxy);
            for (X509Certificate c : clientChain) {
                w.writeObject(c);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write PEM", e);
        }
        return sw.toString();
    }
}
