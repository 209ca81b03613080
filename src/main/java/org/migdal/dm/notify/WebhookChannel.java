package org.migdal.dm.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.migdal.dm.config.NotifyConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A webhook: each message POSTed as JSON ({@link Message#json}); https verified (system trust or the configured CA file,
 * host name checked). Headers come from {@code headersFile} ({@code Name: value} per line, {@code #} comments), read at
 * each send; their values are never logged and are cut out of any reply quoted in an error.
 */
public final class WebhookChannel implements Channel {
    private static final int REPLY_CHARS = 500;

    private final NotifyConfig.Webhook config;
    private final ObjectMapper mapper = new ObjectMapper();

    public WebhookChannel(NotifyConfig.Webhook config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public void send(Message message) throws ChannelException {
        Map<String, String> headers = headers();
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(config.timeoutSeconds()))
                .sslContext(Trust.context(config.caFile(), "notify.webhook.caFile"))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(config.url()))
                .timeout(Duration.ofSeconds(config.timeoutSeconds()))
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(message.json(mapper), StandardCharsets.UTF_8));
        headers.forEach(rb::header);
        HttpResponse<String> response;
        try {
            response = client.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ChannelException("webhook " + config.url() + " not reached: " + redact(ChannelException.describe(e), headers), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ChannelException("webhook " + config.url() + ": interrupted", e);
        } catch (IllegalArgumentException e) {
            throw new ChannelException("webhook " + config.url() + ": bad request: " + redact(e.getMessage(), headers), e);
        }
        if (response.statusCode() / 100 != 2) {
            String body = response.body() == null ? "" : response.body().strip();
            if (body.length() > REPLY_CHARS) {
                body = body.substring(0, REPLY_CHARS) + "…";
            }
            throw new ChannelException("webhook " + config.url() + " answered HTTP " + response.statusCode()
                    + (body.isEmpty() ? "" : ": " + redact(body, headers)));
        }
    }

    /** The headers of {@code headersFile}, or none. */
    Map<String, String> headers() throws ChannelException {
        Map<String, String> out = new LinkedHashMap<>();
        if (config.headersFile() == null) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of(config.headersFile()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ChannelException("notify.webhook.headersFile: cannot read " + config.headersFile() + ": " + e.getClass().getSimpleName(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int colon = l.indexOf(':');
            if (colon <= 0 || !l.substring(0, colon).strip().matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                // the line itself may be a secret: name only the file and the line number
                throw new ChannelException("notify.webhook.headersFile: " + config.headersFile() + " line " + (i + 1)
                        + " is not 'Name: value'");
            }
            out.put(l.substring(0, colon).strip(), l.substring(colon + 1).strip());
        }
        return out;
    }

    private static String redact(String text, Map<String, String> headers) {
        String out = text;
        for (String v : headers.values()) {
            if (v.length() >= 4) {
                out = out.replace(v, "<redacted>");
            }
        }
        return out;
    }
}
