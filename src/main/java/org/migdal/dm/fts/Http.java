package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** URL building, error-body parsing and redaction shared by the FTS3 client. */
final class Http {
    static final int EXCERPT = 300;

    private static final Pattern PEM = Pattern.compile("-----BEGIN [A-Z0-9 ]+-----.*?(-----END [A-Z0-9 ]+-----|$)", Pattern.DOTALL);
    private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");
    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+[^\\s\"',;]+");
    private static final Pattern HTML_P = Pattern.compile("(?is)<p>(.*?)(</p>|$)");
    private static final Pattern HTML_TITLE = Pattern.compile("(?is)<title>(.*?)</title>");
    private static final Pattern TAG = Pattern.compile("<[^>]*>");

    private Http() {
    }

    /** The URL without user-info, query or fragment: what may appear in messages and logs. */
    static URI safe(URI u) {
        try {
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null);
        } catch (URISyntaxException e) {
            return URI.create(u.getScheme() + "://" + u.getHost());
        }
    }

    /**
     * {@code base} + {@code path} with exactly one slash between them and never a {@code //} in the path, whatever
     * trailing slashes the configured endpoint has.
     */
    static URI join(URI base, String path, String rawQuery) {
        String basePath = base.getRawPath() == null ? "" : base.getRawPath();
        String p = (basePath + "/" + path).replaceAll("/{2,}", "/");
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        String s = base.getScheme() + "://" + base.getRawAuthority() + p + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery);
        return URI.create(s);
    }

    /**
     * The server's message from an error body: JSON {@code message} (Flask errors), JSON {@code http_message} (per-job
     * errors), the text of an HTML error page (Werkzeug, Apache), or an excerpt of whatever else came; redacted.
     */
    static String serverMessage(byte[] body, String contentType, String secret) {
        if (body == null || body.length == 0) {
            return null;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        String trimmed = text.strip();
        String msg = null;
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            try {
                JsonNode n = FtsJson.MAPPER.readTree(trimmed);
                if (n.isArray() && n.size() > 0) {
                    StringBuilder sb = new StringBuilder();
                    for (JsonNode item : n) {
                        String m = FtsJson.text(item, "http_message");
                        if (m != null && !m.isEmpty()) {
                            sb.append(sb.length() == 0 ? "" : "; ").append(m);
                        }
                    }
                    msg = sb.length() == 0 ? null : sb.toString();
                } else if (n.isObject()) {
                    msg = FtsJson.text(n, "message");
                    if (msg == null) {
                        msg = FtsJson.text(n, "http_message");
                    }
                    if (msg == null) {
                        msg = FtsJson.text(n, "status");
                    }
                } else if (n.isTextual()) {
                    msg = n.asText();
                }
            } catch (java.io.IOException e) {
                msg = null;
            }
        }
        boolean html = (contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).contains("html"))
                || trimmed.startsWith("<");
        if (msg == null && html) {
            StringBuilder sb = new StringBuilder();
            Matcher m = HTML_P.matcher(trimmed);
            while (m.find()) {
                String part = unescape(TAG.matcher(m.group(1)).replaceAll(" ")).strip();
                if (!part.isEmpty()) {
                    sb.append(sb.length() == 0 ? "" : " ").append(part);
                }
            }
            if (sb.length() == 0) {
                Matcher t = HTML_TITLE.matcher(trimmed);
                if (t.find()) {
                    sb.append(unescape(TAG.matcher(t.group(1)).replaceAll(" ")).strip());
                } else {
                    sb.append(unescape(TAG.matcher(trimmed).replaceAll(" ")).strip());
                }
            }
            msg = sb.toString();
        }
        if (msg == null) {
            msg = trimmed;
        }
        msg = msg.replaceAll("\\s+", " ").strip();
        msg = redact(msg, secret);
        if (msg.length() > EXCERPT) {
            msg = msg.substring(0, EXCERPT) + "…";
        }
        return msg.isEmpty() ? null : msg;
    }

    /** Removes PEM blocks, JWT-like strings, bearer header values and the given secret from text. */
    static String redact(String s, String secret) {
        if (s == null) {
            return null;
        }
        String out = s;
        if (secret != null && secret.length() >= 8) {
            out = out.replace(secret, "<credential removed>");
        }
        out = PEM.matcher(out).replaceAll("<PEM removed>");
        out = JWT.matcher(out).replaceAll("<token removed>");
        out = BEARER.matcher(out).replaceAll("Bearer <removed>");
        return out;
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&#34;", "\"").replace("&#39;", "'").replace("&#x27;", "'")
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
