package org.migdal.dm.fts;

import org.migdal.dm.security.BearerToken;
import org.migdal.dm.security.ProxyLoader;
import org.migdal.dm.security.TestPki;
import org.migdal.dm.security.X509Credential;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** Shared set-up for the FTS3 contract tests: a test PKI, a contract server, clients in X509 and token mode. */
final class FtsFixture {
    static final String VO = "gridpp";
    static final String USER_DN = "/DC=org/DC=test/CN=Test User";

    final TestPki.Layout pki;
    final FtsContractServer server;

    FtsFixture(Path dir) {
        this(TestPki.create().writeAll(dir));
    }

    /** A new server on an existing PKI (making a PKI takes a second). */
    FtsFixture(TestPki.Layout pki) {
        this.pki = pki;
        this.server = FtsContractServer.start(pki, VO);
    }

    X509Credential proxy() throws Exception {
        return ProxyLoader.load(pki.proxyPkcs1());
    }

    FtsClient.Settings settings() {
        return FtsClient.Settings.of(server.uri()).withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    FtsClient x509() throws Exception {
        return FtsClient.create(settings(), new FtsClient.X509Auth(proxy()), pki.caDir(), false);
    }

    FtsClient x509(FtsClient.Settings s, Path proxyFile) throws Exception {
        return FtsClient.create(s, new FtsClient.X509Auth(ProxyLoader.load(proxyFile)), pki.caDir(), false);
    }

    FtsClient token(String jwt) throws Exception {
        BearerToken t = BearerToken.parse(jwt, "test");
        return FtsClient.create(settings(), new FtsClient.TokenAuth(() -> t), pki.caDir(), false);
    }

    /** A JWT-shaped token (unsigned; the contract server accepts tokens by value). */
    static String jwt(String sub) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        String header = b.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b.encodeToString(("{\"iss\":\"https://iam.example.org/\",\"sub\":\"" + sub
                + "\",\"aud\":\"https://wlcg.cern.ch/jwt/v1/any\",\"scope\":\"fts\",\"exp\":4102444800}")
                .getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + ".c2lnbmF0dXJlLXBsYWNlaG9sZGVy";
    }

    /** {@code n} tape files of run {@code run}, davs source to root:// (or davs://) tape, attempt {@code attempt}. */
    static List<TapeSubmissionBuilder.TapeFile> tapeFiles(String run, int n, int attempt, boolean davsTape) {
        List<TapeSubmissionBuilder.TapeFile> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String lfn = String.format(Locale.ROOT, "/2208/220803/%s/MIG_Fe55_data_220803T145447.CAL.%04d.dat.bz2", run, i);
            String tape = davsTape ? "davs://antares.stfc.ac.uk:8443/eos/antares/prod/migdal" : "root://antares.stfc.ac.uk/eos/antares/prod/migdal";
            out.add(new TapeSubmissionBuilder.TapeFile(lfn, run + "-" + i, attempt,
                    "davs://mover.pp.rl.ac.uk:2880/pnfs/pp.rl.ac.uk/data/gridpp/migdal" + lfn, tape + lfn,
                    Integer.toHexString(0x1000 + i), 1000L + i));
        }
        return out;
    }

    void close() {
        server.close();
    }

    URI uri() {
        return server.uri();
    }
}
