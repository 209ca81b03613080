package org.migdal.dm.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A WLCG bearer token (a JWT), found in the standard order: {@code BEARER_TOKEN}, {@code BEARER_TOKEN_FILE},
 * {@code $XDG_RUNTIME_DIR/bt_u<uid>}, {@code /tmp/bt_u<uid>}. Its claims are decoded for reporting and expiry;
 * the signature is the server's business. {@link #toString()} and {@link #describe()} never show the token.
 */
public final class BearerToken {
    private final String token;
    private final String source;
    private final Claims claims;

    /** What the token says about itself. */
    public record Claims(String issuer, String subject, List<String> scopes, List<String> audience, Instant expires,
                         String wlcgVersion) {
    }

    private BearerToken(String token, String source, Claims claims) {
        this.token = token;
        this.source = source;
        this.claims = claims;
    }

    /** The raw token for an {@code Authorization: Bearer} header or a child's environment. Never log it. */
    public String value() {
        return token;
    }

    /** Where it was found: {@code BEARER_TOKEN}, or a file path. */
    public String source() {
        return source;
    }

    public Claims claims() {
        return claims;
    }

    /** Discovers a token in the WLCG order; empty when none is set. A token that is found but unreadable is an error. */
    public static Optional<BearerToken> discover(Map<String, String> env, long uid) throws CredentialException {
        String direct = env.get("BEARER_TOKEN");
        if (direct != null && !direct.isBlank()) {
            return Optional.of(parse(direct.strip(), "BEARER_TOKEN"));
        }
        for (TokenFile f : tokenFiles(env, uid)) {
            if (f.named() || Files.exists(f.path())) {
                return Optional.of(fromFile(f.path(), f.how()));
            }
        }
        return Optional.empty();
    }

    /** The files a token may come from, after {@code BEARER_TOKEN}, in discovery order (what a watcher must look at). */
    public static List<Path> files(Map<String, String> env, long uid) {
        return tokenFiles(env, uid).stream().map(TokenFile::path).toList();
    }

    /** A token file candidate; {@code named}: set by {@code BEARER_TOKEN_FILE}, so it must exist. */
    private record TokenFile(Path path, String how, boolean named) {
    }

    private static List<TokenFile> tokenFiles(Map<String, String> env, long uid) {
        String file = env.get("BEARER_TOKEN_FILE");
        if (file != null && !file.isBlank()) {
            return List.of(new TokenFile(Path.of(file), "BEARER_TOKEN_FILE", true));
        }
        List<TokenFile> out = new ArrayList<>();
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            out.add(new TokenFile(Path.of(xdg, "bt_u" + uid), "$XDG_RUNTIME_DIR/bt_u" + uid, false));
        }
        out.add(new TokenFile(Path.of("/tmp", "bt_u" + uid), "/tmp/bt_u" + uid, false));
        return out;
    }

    private static BearerToken fromFile(Path p, String how) throws CredentialException {
        ProxyLoader.checkFileSafety(p);
        try {
            return parse(Files.readString(p, StandardCharsets.US_ASCII).strip(), p.toString());
        } catch (IOException e) {
            throw new CredentialException("cannot read the bearer token file " + p + " (" + how + "): " + e.getMessage(), e);
        }
    }

    /** Decodes a JWT's claims (header.payload.signature, base64url). */
    public static BearerToken parse(String token, String source) throws CredentialException {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            throw new CredentialException("the bearer token from " + source + " is not a JWT (expected header.payload.signature)");
        }
        JsonNode payload;
        try {
            payload = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | IllegalArgumentException e) {
            throw new CredentialException("the bearer token from " + source + " has an undecodable payload");
        }
        List<String> scopes = new ArrayList<>();
        JsonNode scope = payload.has("scope") ? payload.get("scope") : payload.get("scp");
        if (scope != null && scope.isTextual()) {
            for (String s : scope.asText().split("\\s+")) {
                if (!s.isEmpty()) {
                    scopes.add(s);
                }
            }
        } else if (scope != null && scope.isArray()) {
            scope.forEach(s -> scopes.add(s.asText()));
        }
        List<String> audience = new ArrayList<>();
        JsonNode aud = payload.get("aud");
        if (aud != null && aud.isArray()) {
            aud.forEach(a -> audience.add(a.asText()));
        } else if (aud != null) {
            audience.add(aud.asText());
        }
        Instant exp = payload.has("exp") ? Instant.ofEpochSecond(payload.get("exp").asLong()) : null;
        return new BearerToken(token, source, new Claims(text(payload, "iss"), text(payload, "sub"), scopes, audience, exp,
                text(payload, "wlcg.ver")));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null ? null : v.asText();
    }

    /** For logs and reports: issuer, subject, scopes, audience and expiry; never the token. */
    public String describe() {
        return "token from " + source + ": issuer " + claims.issuer() + ", subject " + claims.subject() + ", scopes "
                + claims.scopes() + ", audience " + claims.audience() + ", expires " + claims.expires();
    }

    @Override
    public String toString() {
        return "BearerToken[" + source + ", <hidden>]";
    }
}
