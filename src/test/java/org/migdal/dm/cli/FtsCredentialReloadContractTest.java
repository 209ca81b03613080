package org.migdal.dm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.fts.DelegationStatus;
import org.migdal.dm.fts.FtsClient;
import org.migdal.dm.fts.FtsContractServer;
import org.migdal.dm.security.TestPki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 defect 5, FTS3 side, against the FTS3 contract server (recorded formats of {@code ../shared/reference/fts3.md}):
 * after the proxy file is renewed under a running process, {@link Context#reloadCredentialsIfChanged()} makes the next
 * cycle's FTS client present the renewed proxy as its TLS identity, and the existing delegation rule (delegate when the
 * server's copy has under 2 h left) delegates the renewed proxy, with its new lifetime. Before the fix the client kept
 * the old proxy and delegated it again and again, capped at its old end.
 */
class FtsCredentialReloadContractTest {
    @TempDir
    Path dir;

    @Test
    void aRenewedProxyIsTheFtsClientsIdentityAndIsDelegatedWithItsNewLifetime() throws Exception {
        TestPki pki = TestPki.create();
        TestPki.Layout files = pki.writeAll(dir.resolve("pki"));
        Path proxy = dir.resolve("x509up");
        Instant now = Instant.now();
        TestPki.Issued old = pki.proxy(files.user(), now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofMinutes(90)));
        pki.writeProxyFile(proxy, old, files.user(), TestPki.KeyFormat.PKCS1);
        try (FtsContractServer server = FtsContractServer.start(files, "gridpp")) {
            Path config = dir.resolve("migdal-dm.yaml");
            Files.writeString(config, String.join("\n",
                    "catalog: {url: 'sqlite:" + dir.resolve("catalog.db") + "'}",
                    "storage: {disk: 'root://dcache.test:1094//pnfs/migdal', tape: 'root://antares.test:1094//eos/migdal',"
                            + " diskAuth: none, tapeAuth: none}",
                    "archive: {mover: fts}",
                    "fts: {url: '" + server.uri() + "', auth: x509}",
                    "credentials: {proxy: '" + proxy + "', certDir: '" + files.caDir() + "', requiredFqan: ''}",
                    "lockDir: '" + dir + "'", ""));
            try (Context ctx = new Context(ConfigLoader.load(config))) {
                // cycle 1: the old proxy (90 min left) is delegated, capped at its end
                FtsClient first = ctx.fts();
                DelegationStatus d1 = first.ensureDelegated();
                assertThat(d1.delegated()).isTrue();
                assertThat(d1.terminationTime()).isBeforeOrEqualTo(old.cert().getNotAfter().toInstant());
                assertThat(server.lastClientChain().get(0)).isEqualTo(old.cert());
                assertThat(server.lastUploadedChain()).contains(old.cert());

                // nothing changed: the same client, nothing rebuilt
                assertThat(ctx.reloadCredentialsIfChanged()).isFalse();
                assertThat(ctx.fts()).isSameAs(first);

                // the proxy file is renewed (a week) under the running process
                TestPki.Issued renewed = pki.proxy(files.user(), now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofDays(7)));
                pki.writeProxyFile(proxy, renewed, files.user(), TestPki.KeyFormat.PKCS1);
                assertThat(ctx.reloadCredentialsIfChanged()).isTrue();

                // cycle 2: the new client presents the renewed proxy, and the delegation (under 2 h left) is renewed from it
                FtsClient second = ctx.fts();
                assertThat(second).isNotSameAs(first);
                DelegationStatus d2 = second.ensureDelegated();
                assertThat(server.lastClientChain().get(0)).isEqualTo(renewed.cert());
                assertThat(d2.delegated()).isTrue();
                assertThat(server.lastUploadedChain()).contains(renewed.cert()).doesNotContain(old.cert());
                assertThat(d2.terminationTime()).as("72 h, no longer capped by the old proxy")
                        .isAfter(now.plus(Duration.ofHours(71))).isBeforeOrEqualTo(Instant.now().plus(Duration.ofHours(72)).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1));

                // cycle 3: the delegation has 72 h left: nothing delegated again
                assertThat(ctx.reloadCredentialsIfChanged()).isFalse();
                assertThat(ctx.fts().ensureDelegated().delegated()).isFalse();
            }
        }
    }
}
