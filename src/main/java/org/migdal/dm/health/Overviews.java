package org.migdal.dm.health;

import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.security.BearerToken;
import org.migdal.dm.security.CredentialCheck;
import org.migdal.dm.security.CredentialException;
import org.migdal.dm.security.CredentialStore;
import org.migdal.dm.security.X509Credential;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Builds the {@link Overview}: the one place that gathers what the dashboard, /metrics and the notifications show. */
public final class Overviews {
    private final JdbcCatalog catalog;
    private final MigdalConfig config;
    private final CredentialStore credentials;
    private final DiskSpace disks;
    private final Clock clock;

    /** {@code credentials} may be null: no credential is then shown. */
    public Overviews(JdbcCatalog catalog, MigdalConfig config, CredentialStore credentials, Clock clock) {
        this.catalog = catalog;
        this.config = config;
        this.credentials = credentials;
        this.disks = new DiskSpace(catalog, config.daq(), clock);
        this.clock = clock;
    }

    public Overview now() {
        Instant at = clock.instant();
        return new Overview(at, catalog.counts(), disks.outlooks(), catalog.endpoints(), credential(at),
                catalog.activity().lastErrors(), catalog.activity().lastProgress().orElse(null));
    }

    /** The credential the remote endpoints use, or null when every endpoint is local or no credential is configured. */
    Overview.CredentialLife credential(Instant now) {
        if (credentials == null || !needsCredential()) {
            return null;
        }
        if (Files.exists(credentials.proxyPath())) {
            try {
                X509Credential proxy = credentials.loadProxy();
                Instant until = CredentialStore.usableUntil(proxy);
                CredentialCheck check = credentials.check(proxy);
                return new Overview.CredentialLife("x509 proxy", until, secondsLeft(now, until), check.level().name(), check.summary());
            } catch (CredentialException e) {
                return new Overview.CredentialLife("x509 proxy", null, 0, CredentialCheck.Level.FAIL.name(), e.getMessage());
            }
        }
        try {
            Optional<BearerToken> token = credentials.token();
            if (token.isPresent()) {
                Instant until = token.get().claims().expires();
                CredentialCheck check = credentials.check(token.get());
                return new Overview.CredentialLife("bearer token", until, until == null ? -1 : secondsLeft(now, until),
                        check.level().name(), check.summary());
            }
        } catch (CredentialException e) {
            return new Overview.CredentialLife("bearer token", null, 0, CredentialCheck.Level.FAIL.name(), e.getMessage());
        }
        return new Overview.CredentialLife("none", null, 0, CredentialCheck.Level.FAIL.name(),
                "no proxy at " + credentials.proxyPath() + " and no bearer token found");
    }

    private boolean needsCredential() {
        MigdalConfig.Storage s = config.storage();
        return !(s.disk().startsWith("file:") && s.tape().startsWith("file:"));
    }

    private static long secondsLeft(Instant now, Instant until) {
        return Math.max(0, Duration.between(now, until).getSeconds());
    }
}
