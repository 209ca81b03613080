package org.migdal.dm.security;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.AttCertValidityPeriod;
import org.bouncycastle.asn1.x509.Attribute;
import org.bouncycastle.asn1.x509.AttributeCertificate;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.IetfAttrSyntax;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The VOMS attribute certificate carried in a proxy (extension 1.3.6.1.4.1.8005.100.100.5): the VO, its FQANs
 * ({@code /gridpp/migdal/Role=production}), the issuing VOMS server and the AC's validity. Read, not verified:
 * the servers verify it; the client needs it to report and to check the required FQAN and expiry.
 */
public record VomsAttributes(String vo, List<String> fqans, String issuer, Instant notBefore, Instant notAfter) {
    /** The extension that holds the VOMS ACs. */
    public static final String AC_EXTENSION = "1.3.6.1.4.1.8005.100.100.5";
    /** The AC attribute whose values are the FQANs. */
    public static final String FQAN_ATTRIBUTE = "1.3.6.1.4.1.8005.100.100.4";

    public VomsAttributes {
        fqans = List.copyOf(fqans);
    }

    /** The first VOMS AC found in the chain (normally in the newest proxy), or empty if there is none. */
    public static Optional<VomsAttributes> of(List<X509Certificate> chain) throws CredentialException {
        for (X509Certificate c : chain) {
            byte[] ext = c.getExtensionValue(AC_EXTENSION);
            if (ext != null) {
                try {
                    ASN1Primitive value = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(ext).getOctets());
                    List<AttributeCertificate> acs = new ArrayList<>();
                    collect(value, acs, 0);
                    for (AttributeCertificate ac : acs) {
                        Optional<VomsAttributes> v = parse(ac);
                        if (v.isPresent()) {
                            return v;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    throw new CredentialException("the VOMS extension of " + Proxies.openSslName(c.getSubjectX500Principal())
                            + " cannot be decoded (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
                }
            }
        }
        return Optional.empty();
    }

    /** The extension is a SEQUENCE OF SEQUENCE OF AttributeCertificate; accept any nesting of sequences. */
    private static void collect(ASN1Encodable e, List<AttributeCertificate> out, int depth) {
        if (!(e instanceof ASN1Sequence seq) || depth > 4) {
            return;
        }
        if (seq.size() == 3 && seq.getObjectAt(0) instanceof ASN1Sequence info && info.size() >= 6) {
            out.add(AttributeCertificate.getInstance(seq));
            return;
        }
        for (ASN1Encodable child : seq) {
            collect(child, out, depth + 1);
        }
    }

    private static Optional<VomsAttributes> parse(AttributeCertificate ac) throws IOException {
        var info = ac.getAcinfo();
        for (ASN1Encodable a : info.getAttributes()) {
            Attribute attr = Attribute.getInstance(a);
            if (!attr.getAttrType().getId().equals(FQAN_ATTRIBUTE)) {
                continue;
            }
            IetfAttrSyntax syntax = IetfAttrSyntax.getInstance(attr.getAttrValues().getObjectAt(0));
            String vo = null;
            String server = null;
            if (syntax.getPolicyAuthority() != null) {
                for (GeneralName g : syntax.getPolicyAuthority().getNames()) {
                    String s = g.getName().toString(); // "<vo>://<host>:<port>"
                    int sep = s.indexOf("://");
                    if (sep > 0) {
                        vo = s.substring(0, sep);
                        server = s.substring(sep + 3);
                    }
                }
            }
            List<String> fqans = new ArrayList<>();
            for (Object v : syntax.getValues()) {
                if (v instanceof ASN1OctetString os) {
                    fqans.add(new String(os.getOctets(), StandardCharsets.UTF_8));
                } else {
                    fqans.add(String.valueOf(v));
                }
            }
            if (vo == null && !fqans.isEmpty()) {
                String f = fqans.get(0);
                vo = f.substring(1).split("/")[0];
            }
            AttCertValidityPeriod period = info.getAttrCertValidityPeriod();
            try {
                return Optional.of(new VomsAttributes(vo, fqans, server,
                        period.getNotBeforeTime().getDate().toInstant(), period.getNotAfterTime().getDate().toInstant()));
            } catch (ParseException e) {
                throw new IOException("bad AC validity time", e);
            }
        }
        return Optional.empty();
    }

    /** Does an FQAN grant {@code required}? {@code /gridpp/migdal/Role=production} matches itself and its {@code /Capability=NULL} form. */
    public boolean has(String required) {
        String want = strip(required);
        return fqans.stream().map(VomsAttributes::strip).anyMatch(want::equals);
    }

    private static String strip(String fqan) {
        return fqan.replace("/Capability=NULL", "").replace("/Role=NULL", "");
    }
}
