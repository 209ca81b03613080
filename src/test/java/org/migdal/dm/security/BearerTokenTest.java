package org.migdal.dm.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.config.MigdalConfig;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** WLCG bearer-token discovery order, claim decoding and the expiry policy. */
class BearerTokenTest {
    @TempDir
    Path dir;

    static String jwt(String payloadJson) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        return b.encodeToString("{\"alg\":\"ES256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }

    static final long EXP = 1_900_000_000L;
    static final String PAYLOAD = "{\"iss\":\"https://iam.example\",\"sub\":\"tester\",\"aud\":[\"https://localhost:8444\",\"any\"],"
            + "\"scope\":\"storage.read:/ storage.create:/migdal\",\"exp\":" + EXP + ",\"wlcg.ver\":\"1.0\"}";

    Path tokenFile(String name, String token) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, token + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    @Test
    void decodesTheClaims() throws Exception {
        BearerToken t = BearerToken.parse(jwt(PAYLOAD), "test");
        assertThat(t.claims().issuer()).isEqualTo("https://iam.example");
        assertThat(t.claims().subject()).isEqualTo("tester");
        assertThat(t.claims().scopes()).containsExactly("storage.read:/", "storage.create:/migdal");
        assertThat(t.claims().audience()).containsExactly("https://localhost:8444", "any");
        assertThat(t.claims().expires()).isEqualTo(Instant.ofEpochSecond(EXP));
        assertThat(t.claims().wlcgVersion()).isEqualTo("1.0");
        String single = jwt("{\"aud\":\"one\",\"scp\":[\"a\",\"b\"],\"exp\":1}");
        assertThat(BearerToken.parse(single, "x").claims().audience()).containsExactly("one");
        assertThat(BearerToken.parse(single, "x").claims().scopes()).containsExactly("a", "b");
    }

    @Test
    void discoveryFollowsTheWlcgOrder() throws Exception {
        long uid = ProxyLoader.currentUid();
        Path xdg = Files.createDirectories(dir.resolve("run"));
        tokenFile("run/bt_u" + uid, jwt("{\"sub\":\"from-xdg\"}"));
        Path file = tokenFile("tokenfile", jwt("{\"sub\":\"from-file\"}"));
        String direct = jwt("{\"sub\":\"from-env\"}");

        assertThat(BearerToken.discover(Map.of("BEARER_TOKEN", direct, "BEARER_TOKEN_FILE", file.toString(),
                "XDG_RUNTIME_DIR", xdg.toString()), uid).orElseThrow().claims().subject()).isEqualTo("from-env");
        assertThat(BearerToken.discover(Map.of("BEARER_TOKEN_FILE", file.toString(), "XDG_RUNTIME_DIR", xdg.toString()), uid)
                .orElseThrow().claims().subject()).isEqualTo("from-file");
        assertThat(BearerToken.discover(Map.of("XDG_RUNTIME_DIR", xdg.toString()), uid).orElseThrow().claims().subject())
                .isEqualTo("from-xdg");
        assertThat(BearerToken.discover(Map.of("XDG_RUNTIME_DIR", dir.resolve("nowhere").toString()), 4_000_000_000L)).isEmpty();
    }

    @Test
    void aTokenFileOthersCanReadOrJunkIsRefusedWithoutShowingIt() throws Exception {
        String secret = jwt(PAYLOAD);
        Path open = tokenFile("open", secret);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> BearerToken.discover(Map.of("BEARER_TOKEN_FILE", open.toString()), 0))
                .isInstanceOf(CredentialException.class).hasMessageContaining("chmod 600")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
        assertThatThrownBy(() -> BearerToken.parse("not-a-jwt-secret", "BEARER_TOKEN"))
                .isInstanceOf(CredentialException.class).hasMessageContaining("not a JWT")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("not-a-jwt-secret"));
        BearerToken t = BearerToken.parse(secret, "BEARER_TOKEN");
        assertThat(t.toString()).doesNotContain(secret);
        assertThat(t.describe()).doesNotContain(secret).contains("tester").contains("storage.read:/");
    }

    @Test
    void theExpiryPolicyAppliesToTokensToo() throws Exception {
        BearerToken t = BearerToken.parse(jwt(PAYLOAD), "test");
        MigdalConfig.Credentials cfg = new MigdalConfig.Credentials(null, null, null, null, 48, 15);
        Instant exp = Instant.ofEpochSecond(EXP);
        assertThat(new CredentialStore(cfg, Map.of(), Clock.fixed(exp.minusSeconds(3 * 86400), ZoneOffset.UTC)).check(t).level())
                .isEqualTo(CredentialCheck.Level.OK);
        assertThat(new CredentialStore(cfg, Map.of(), Clock.fixed(exp.minusSeconds(86400), ZoneOffset.UTC)).check(t).level())
                .isEqualTo(CredentialCheck.Level.WARN);
        assertThat(new CredentialStore(cfg, Map.of(), Clock.fixed(exp.minusSeconds(600), ZoneOffset.UTC)).check(t).level())
                .isEqualTo(CredentialCheck.Level.FAIL);
        CredentialStore withToken = new CredentialStore(cfg, Map.of("BEARER_TOKEN", jwt(PAYLOAD)),
                Clock.fixed(exp.minusSeconds(600), ZoneOffset.UTC));
        assertThatThrownBy(() -> withToken.require("davs://localhost:8444/x", CredentialStore.Mode.TOKEN))
                .isInstanceOf(CredentialException.class).hasMessageContaining("refused");
    }
}
