package org.migdal.dm.security;

import org.migdal.dm.config.MigdalConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The grid credentials of this process and the policy on them: which credential an endpoint uses
 * ({@code x509}, {@code token} or {@code auto}), and whether it may be used now — warn when less than
 * {@code warnHours} are left, refuse under {@code refuseMinutes} or without the required FQAN.
 */
public final class CredentialStore {
    private static final Logger log = LoggerFactory.getLogger(CredentialStore.class);

    public enum Mode { AUTO, X509, TOKEN, NONE }

    /** What an endpoint authenticates with: nothing (file://), an X509 proxy, or a bearer token. */
    public record Resolved(Optional<X509Credential> proxy, Optional<BearerToken> token) {
        public static Resolved none() {
            return new Resolved(Optional.empty(), Optional.empty());
        }
    }

    private final MigdalConfig.Credentials config;
    private final Map<String, String> env;
    private final Clock clock;
    private final long uid;
    private Loaded proxy; // the proxy last read, with the stamp of its file then

    /** A proxy read from a file, and the file's stamp before it was read. */
    private record Loaded(FileStamp stamp, X509Credential credential) {
    }

    public CredentialStore(MigdalConfig.Credentials config, Map<String, String> env, Clock clock) {
        this.config = config;
        this.env = Map.copyOf(env);
        this.clock = clock;
        this.uid = ProxyLoader.currentUid();
    }

    public static Mode mode(String text) {
        return Mode.valueOf(text.toUpperCase(Locale.ROOT));
    }

    /** Where the proxy is looked for. */
    public Path proxyPath() {
        return ProxyLoader.locate(Optional.ofNullable(config.proxy()), env, uid);
    }

    /** The CA directory for TLS trust. */
    public Path certDir() {
        if (config.certDir() != null) {
            return Path.of(config.certDir());
        }
        String e = env.get("X509_CERT_DIR");
        return Path.of(e != null && !e.isBlank() ? e : "/etc/grid-security/certificates");
    }

    /**
     * Every file the credentials are read from: the proxy file, the bearer token files ({@code BEARER_TOKEN} itself
     * cannot change under a running process) and the CA directory, whose CA and CRL files it holds.
     */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        out.add(proxyPath());
        out.addAll(BearerToken.files(env, uid));
        out.add(certDir());
        return List.copyOf(out);
    }

    public boolean systemTrust() {
        return config.systemTrust();
    }

    /**
     * The proxy, read again only when its file changed (was replaced, rewritten, or had its mode or owner changed) since
     * it was last read; a file that cannot be read is tried again on each call.
     */
    public synchronized X509Credential loadProxy() throws CredentialException {
        Path path = proxyPath();
        FileStamp now = FileStamp.of(path);
        if (proxy != null && now.exists() && proxy.stamp().equals(now)) {
            return proxy.credential();
        }
        proxy = null;
        X509Credential read = ProxyLoader.load(path);
        proxy = new Loaded(now, read);
        return read;
    }

    public Optional<BearerToken> token() throws CredentialException {
        return BearerToken.discover(env, uid);
    }

    /** When a proxy stops being usable: its own end, or its VOMS attributes' end if earlier. */
    public static Instant usableUntil(X509Credential proxy) throws CredentialException {
        Instant expires = proxy.notAfter();
        Optional<VomsAttributes> voms = VomsAttributes.of(proxy.chain());
        return voms.isPresent() && voms.get().notAfter().isBefore(expires) ? voms.get().notAfter() : expires;
    }

    /** The policy's verdict on a proxy, with subject, time left, VO and FQANs in the summary. */
    public CredentialCheck check(X509Credential proxy) {
        Instant now = clock.instant();
        List<String> parts = new ArrayList<>();
        Instant expires;
        Optional<VomsAttributes> voms;
        try {
            voms = VomsAttributes.of(proxy.chain());
            expires = usableUntil(proxy);
        } catch (CredentialException e) {
            return new CredentialCheck(CredentialCheck.Level.FAIL, e.getMessage());
        }
        Duration left = Duration.between(now, expires);
        parts.add(proxy.identity() + (proxy.isProxy() ? " (proxy)" : ""));
        parts.add("issuer chain " + String.join(" ← ", proxy.chain().stream()
                .map(c -> Proxies.openSslName(c.getIssuerX500Principal())).toList()));
        parts.add(left.isNegative() ? "EXPIRED at " + expires : human(left) + " left (until " + expires + ")");
        voms.ifPresentOrElse(v -> parts.add("VO " + v.vo() + ", FQANs " + v.fqans() + ", AC until " + v.notAfter()),
                () -> parts.add("no VOMS attributes"));
        String text = String.join("; ", parts);
        String renew = "renew with `voms-proxy-init --voms gridpp:/gridpp/migdal/Role=production --valid 168:0`";
        if (left.isNegative()) {
            return new CredentialCheck(CredentialCheck.Level.FAIL, text + " — expired: transfers refused; " + renew);
        }
        if (left.minusMinutes(config.refuseMinutes()).compareTo(Duration.ZERO) <= 0) {
            return new CredentialCheck(CredentialCheck.Level.FAIL, text + " — under " + config.refuseMinutes()
                    + " minutes: transfers refused; " + renew);
        }
        String required = config.requiredFqan();
        if (!required.isEmpty() && (voms.isEmpty() || !voms.get().has(required))) {
            return new CredentialCheck(CredentialCheck.Level.FAIL, text + " — the required FQAN " + required
                    + " is missing: transfers refused; " + renew);
        }
        if (left.minusHours(config.warnHours()).isNegative()) {
            return new CredentialCheck(CredentialCheck.Level.WARN, text + " — under " + config.warnHours() + " hours left; " + renew);
        }
        return new CredentialCheck(CredentialCheck.Level.OK, text);
    }

    /** The policy's verdict on a bearer token. */
    public CredentialCheck check(BearerToken token) {
        Instant exp = token.claims().expires();
        if (exp == null) {
            return new CredentialCheck(CredentialCheck.Level.WARN, token.describe() + " — no expiry claim");
        }
        Duration left = Duration.between(clock.instant(), exp);
        String text = token.describe() + "; " + (left.isNegative() ? "EXPIRED" : human(left) + " left");
        if (left.minusMinutes(config.refuseMinutes()).compareTo(Duration.ZERO) <= 0) {
            return new CredentialCheck(CredentialCheck.Level.FAIL, text + " — under " + config.refuseMinutes()
                    + " minutes: transfers refused; get a new token");
        }
        if (left.minusHours(config.warnHours()).isNegative()) {
            return new CredentialCheck(CredentialCheck.Level.WARN, text);
        }
        return new CredentialCheck(CredentialCheck.Level.OK, text);
    }

    /**
     * The credential an endpoint uses, checked against the policy. {@code file://} needs none. Throws, with the
     * reason and how to fix it, when the policy refuses: the caller must not start any transfer.
     */
    public Resolved require(String url, Mode mode) throws CredentialException {
        if (mode == Mode.NONE || url.startsWith("file:") || url.startsWith("http:") || url.startsWith("dav:")) {
            return Resolved.none(); // no credential for local files, and none is ever sent over plain HTTP
        }
        Mode m = mode;
        if (m == Mode.AUTO) {
            m = java.nio.file.Files.exists(proxyPath()) || token().isEmpty() ? Mode.X509 : Mode.TOKEN;
        }
        if (m == Mode.X509) {
            X509Credential proxy = loadProxy();
            CredentialCheck c = check(proxy);
            verdict(url, c);
            return new Resolved(Optional.of(proxy), Optional.empty());
        }
        BearerToken t = token().orElseThrow(() -> new CredentialException("no bearer token for " + url
                + ": set BEARER_TOKEN or BEARER_TOKEN_FILE, or put it in $XDG_RUNTIME_DIR/bt_u" + uid));
        verdict(url, check(t));
        return new Resolved(Optional.empty(), Optional.of(t));
    }

    private static void verdict(String url, CredentialCheck c) throws CredentialException {
        switch (c.level()) {
            case FAIL -> throw new CredentialException("credential for " + url + " refused: " + c.summary());
            case WARN -> log.warn("credential for {}: {}", url, c.summary());
            case OK -> log.debug("credential for {}: {}", url, c.summary());
        }
    }

    /** "3 d 4 h", "5 h 12 min", "42 min": a time left as a person reads it. */
    public static String human(Duration d) {
        long m = d.toMinutes();
        if (m >= 48 * 60) {
            return (m / (24 * 60)) + " d " + (m / 60 % 24) + " h";
        }
        if (m >= 60) {
            return (m / 60) + " h " + (m % 60) + " min";
        }
        return m + " min";
    }
}
