package org.migdal.dm.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Notifications without Prometheus (the {@code notify:} section): the same conditions as the shipped alerts, sent by
 * e-mail ({@code smtp}) and/or to a webhook, at most one message per channel every {@code minIntervalMinutes}. Both
 * channels are optional; with neither, nothing is evaluated or sent.
 */
public record NotifyConfig(Integer minIntervalMinutes, Smtp smtp, Webhook webhook) {
    /** Hosts a secret may be sent to in clear (a relay or receiver on this machine). */
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "::1", "[::1]");

    public NotifyConfig {
        minIntervalMinutes = MigdalConfig.range(minIntervalMinutes, 15, 0, 7 * 24 * 60, "notify.minIntervalMinutes");
    }

    /** True when at least one channel is configured. */
    public boolean enabled() {
        return smtp != null || webhook != null;
    }

    /**
     * An SMTP relay: {@code starttls} {@code required} (default: the session is refused unless the server upgrades to
     * TLS), {@code optional} (upgrades when offered) or {@code off} (plain, only to a relay on this machine when a password
     * is sent). TLS is verified against the system trust, or {@code caFile} (PEM) when given; never disabled.
     */
    public record Smtp(String host, Integer port, String from, List<String> to, String starttls, String caFile, String username,
                       String passwordFile, Integer timeoutSeconds) {
        public Smtp {
            if (host == null || host.isBlank()) {
                throw new ConfigException("notify.smtp.host: missing; the SMTP relay's host name");
            }
            port = MigdalConfig.range(port, 587, 1, 65535, "notify.smtp.port");
            if (from == null || !address(from)) {
                throw new ConfigException("notify.smtp.from: '" + from + "' must be an e-mail address (name@host)");
            }
            to = to == null ? List.of() : List.copyOf(to);
            if (to.isEmpty()) {
                throw new ConfigException("notify.smtp.to: missing; a list of e-mail addresses");
            }
            for (String t : to) {
                if (!address(t)) {
                    throw new ConfigException("notify.smtp.to: '" + t + "' must be an e-mail address (name@host)");
                }
            }
            starttls = MigdalConfig.oneOf(starttls, "required", "notify.smtp.starttls", "required", "optional", "off");
            if ((username == null) != (passwordFile == null)) {
                throw new ConfigException("notify.smtp." + (username == null ? "username" : "passwordFile")
                        + ": missing; give both username and passwordFile, or neither");
            }
            if (username != null && !"required".equals(starttls) && !LOOPBACK.contains(host)) {
                throw new ConfigException("notify.smtp.starttls: '" + starttls + "' could send the password to " + host
                        + " in clear; use required (or a relay on 127.0.0.1)");
            }
            if (passwordFile != null && !Path.of(passwordFile).isAbsolute()) {
                throw new ConfigException("notify.smtp.passwordFile: '" + passwordFile + "' must be an absolute path");
            }
            if (caFile != null && "off".equals(starttls)) {
                throw new ConfigException("notify.smtp.caFile: given, but notify.smtp.starttls is off (no TLS to verify)");
            }
            timeoutSeconds = MigdalConfig.range(timeoutSeconds, 30, 1, 600, "notify.smtp.timeoutSeconds");
        }

        private static boolean address(String a) {
            return a.matches("[^@\\s<>]+@[^@\\s<>]+");
        }
    }

    /**
     * A webhook: each message is POSTed as JSON to {@code url} (https, verified against the system trust or {@code caFile};
     * http only to this machine), with the headers of {@code headersFile} ({@code Name: value} lines, e.g. an
     * authorization token; their values are never logged).
     */
    public record Webhook(String url, String headersFile, String caFile, Integer timeoutSeconds) {
        public Webhook {
            if (url == null || url.isBlank()) {
                throw new ConfigException("notify.webhook.url: missing; the https URL to POST to");
            }
            URI u;
            try {
                u = new URI(url);
            } catch (URISyntaxException e) {
                // the reason only: a malformed URL may still carry a password
                throw new ConfigException("notify.webhook.url: not a URL: " + e.getReason() + " at index " + e.getIndex());
            }
            if (u.getHost() == null || u.getRawUserInfo() != null
                    || !("https".equals(u.getScheme()) || "http".equals(u.getScheme()) && LOOPBACK.contains(u.getHost()))) {
                String shown = u.getRawUserInfo() == null ? url : url.replace(u.getRawUserInfo() + "@", "<user-info>@");
                throw new ConfigException("notify.webhook.url: '" + shown + "' must be https://HOST/… (http:// only to"
                        + " 127.0.0.1), without user:password (put secrets in notify.webhook.headersFile)");
            }
            if (headersFile != null && !Path.of(headersFile).isAbsolute()) {
                throw new ConfigException("notify.webhook.headersFile: '" + headersFile + "' must be an absolute path");
            }
            timeoutSeconds = MigdalConfig.range(timeoutSeconds, 10, 1, 600, "notify.webhook.timeoutSeconds");
        }
    }
}
