package org.migdal.dm.security;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.config.MigdalConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Proxies with a real VOMS attribute certificate, made by the real {@code voms-proxy-fake} (Debian voms-clients)
 * from a CA, host and user certificate made by openssl: our reader must parse them, and the policy must judge them.
 */
class VomsProxyFakeIT {
    @TempDir
    static Path dir;
    static Path production;
    static Path plainVo;

    @BeforeAll
    static void makeProxies() throws Exception {
        production = dir.resolve("x509up_production");
        plainVo = dir.resolve("x509up_plain");
        mk(24, "/gridpp/migdal/Role=production", production);
        mk(24, "/gridpp/Role=NULL/Capability=NULL", plainVo);
    }

    static void mk(int hours, String fqan, Path out) throws IOException, InterruptedException {
        Path script = Path.of("src/test/resources/pki/mk-voms-proxy.sh").toAbsolutePath();
        Process p = new ProcessBuilder("bash", script.toString(), dir.resolve("pki").toString(), String.valueOf(hours), fqan, out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("mk-voms-proxy.sh: " + log).isZero();
    }

    static CredentialStore store(Instant now, int warnHours, String requiredFqan) {
        return new CredentialStore(new MigdalConfig.Credentials(null, null, null, requiredFqan, warnHours, 15),
                Map.of(), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void readsTheVomsAttributesThatVomsProxyFakeWrote() throws Exception {
        X509Credential proxy = ProxyLoader.load(production);

        assertThat(proxy.isProxy()).isTrue();
        assertThat(proxy.identity()).isEqualTo("/DC=org/DC=test/CN=Test User");
        assertThat(proxy.chain()).hasSizeGreaterThanOrEqualTo(2);
        VomsAttributes voms = VomsAttributes.of(proxy.chain()).orElseThrow();
        assertThat(voms.vo()).isEqualTo("gridpp");
        assertThat(voms.fqans()).anySatisfy(f -> assertThat(f).startsWith("/gridpp/migdal/Role=production"));
        assertThat(voms.issuer()).isEqualTo("localhost:15000");
        assertThat(voms.has("/gridpp/migdal/Role=production")).isTrue();
        assertThat(Duration.between(Instant.now(), voms.notAfter())).isBetween(Duration.ofHours(23), Duration.ofHours(25));
        assertThat(proxy.toString()).doesNotContain("PRIVATE").contains("<hidden>");
    }

    @Test
    void thePolicyJudgesTimeLeftAndTheRequiredFqan() throws Exception {
        X509Credential proxy = ProxyLoader.load(production);
        Instant now = Instant.now();

        assertThat(store(now, 12, "/gridpp/migdal/Role=production").check(proxy).level()).isEqualTo(CredentialCheck.Level.OK);
        CredentialCheck warn = store(now, 48, "/gridpp/migdal/Role=production").check(proxy);
        assertThat(warn.level()).isEqualTo(CredentialCheck.Level.WARN);
        assertThat(warn.summary()).contains("under 48 hours").contains("voms-proxy-init");

        CredentialCheck late = store(proxy.notAfter().minus(Duration.ofMinutes(10)), 48, "/gridpp/migdal/Role=production").check(proxy);
        assertThat(late.level()).isEqualTo(CredentialCheck.Level.FAIL);
        assertThat(late.summary()).contains("under 15 minutes").contains("refused");

        CredentialCheck expired = store(proxy.notAfter().plusSeconds(1), 48, "").check(proxy);
        assertThat(expired.level()).isEqualTo(CredentialCheck.Level.FAIL);
        assertThat(expired.summary()).contains("EXPIRED");

        CredentialCheck noRole = store(now, 12, "/gridpp/migdal/Role=production").check(ProxyLoader.load(plainVo));
        assertThat(noRole.level()).isEqualTo(CredentialCheck.Level.FAIL);
        assertThat(noRole.summary()).contains("required FQAN /gridpp/migdal/Role=production is missing");
        assertThat(store(now, 12, "").check(ProxyLoader.load(plainVo)).level()).isEqualTo(CredentialCheck.Level.OK);
    }

    @Test
    void requireRefusesBeforeAnyTransferAndNeedsNothingForFileUrls() throws Exception {
        Map<String, String> env = Map.of("X509_USER_PROXY", plainVo.toString());
        CredentialStore s = new CredentialStore(new MigdalConfig.Credentials(null, null, null, null, null, null), env, Clock.systemUTC());

        assertThat(s.require("file:///tmp/x", CredentialStore.Mode.X509).proxy()).isEmpty();
        assertThatThrownBy(() -> s.require("root://localhost:1094//data", CredentialStore.Mode.AUTO))
                .isInstanceOf(CredentialException.class)
                .hasMessageContaining("root://localhost:1094//data").hasMessageContaining("FQAN");

        CredentialStore good = new CredentialStore(new MigdalConfig.Credentials(production.toString(), null, null, null, 12, null),
                Map.of(), Clock.systemUTC());
        assertThat(good.require("https://localhost:8443/x", CredentialStore.Mode.X509).proxy()).isPresent();
    }

    @Test
    void aProxyOthersCanReadIsRefusedWithTheFix() throws Exception {
        Path open = dir.resolve("x509up_open");
        Files.copy(production, open);
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ProxyLoader.load(open)).isInstanceOf(CredentialException.class)
                .hasMessageContaining("chmod 600 " + open);
    }
}
