package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One entry of a submission's {@code files} (reference §2.1). Checked when built, the way the server would refuse it:
 * sources and destinations are non-empty lists of URLs with scheme, host and path and never {@code file://};
 * {@code checksum} is {@code "ALG"} or {@code "ALG:hex"}, and an ADLER32 value is normalised to 8 lower-case hex digits;
 * {@code metadata} (any JSON, may be null) is at most 4096 bytes. {@code filesize} and {@code activity} may be null.
 */
public record TransferFile(List<String> sources, List<String> destinations, String checksum, Long filesize,
                           JsonNode metadata, String activity) {
    /** {@code FileMetadataSizeLimit} of the shipped server config. */
    public static final int METADATA_LIMIT = 4096;
    private static final Pattern CHECKSUM = Pattern.compile("([A-Za-z0-9]+)(?::([0-9A-Fa-f]{1,64}))?");

    public TransferFile {
        sources = checkUrls("sources", sources);
        destinations = checkUrls("destinations", destinations);
        if (checksum != null) {
            checksum = normaliseChecksum(checksum);
        }
        if (filesize != null && filesize < 0) {
            throw new IllegalArgumentException("filesize must not be negative: " + filesize);
        }
        if (metadata != null && !metadata.isNull()
                && metadata.toString().getBytes(StandardCharsets.UTF_8).length > METADATA_LIMIT) {
            throw new IllegalArgumentException("file metadata is over the server's " + METADATA_LIMIT + "-byte limit");
        }
    }

    /** A single source to a single destination. */
    public static TransferFile of(String source, String destination, String checksum, Long filesize, JsonNode metadata) {
        return new TransferFile(List.of(source), List.of(destination), checksum, filesize, metadata, null);
    }

    /** {@code "ADLER32:" + 8 lower-case hex digits} for an adler32 value. */
    public static String adler32(long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException("not an adler32 value: " + value);
        }
        return String.format(Locale.ROOT, "ADLER32:%08x", value);
    }

    static String normaliseChecksum(String checksum) {
        var m = CHECKSUM.matcher(checksum.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("checksum must be \"ALG\" or \"ALG:hex\", e.g. \"ADLER32:0a1b2c3d\": " + checksum);
        }
        String alg = m.group(1).toUpperCase(Locale.ROOT);
        String value = m.group(2);
        if (value == null) {
            return alg;
        }
        value = value.toLowerCase(Locale.ROOT);
        if (alg.equals("ADLER32")) {
            if (value.length() > 8) {
                throw new IllegalArgumentException("an adler32 value has at most 8 hex digits: " + checksum);
            }
            value = "0".repeat(8 - value.length()) + value;
        }
        return alg + ":" + value;
    }

    private static List<String> checkUrls(String what, List<String> urls) {
        if (urls == null || urls.isEmpty()) {
            throw new IllegalArgumentException(what + " must name at least one URL");
        }
        for (String u : urls) {
            URI uri;
            try {
                uri = new URI(u);
            } catch (Exception e) {
                throw new IllegalArgumentException(what + ": not a URL: " + u);
            }
            if (uri.getScheme() != null && uri.getScheme().equalsIgnoreCase("file")) {
                throw new IllegalArgumentException(what + ": FTS cannot transfer local files: " + u);
            }
            if (uri.getScheme() == null || uri.getHost() == null || uri.getPath() == null || uri.getPath().isEmpty()) {
                throw new IllegalArgumentException(what + ": a URL needs a scheme, a host and a path: " + u);
            }
            if (uri.getUserInfo() != null) {
                throw new IllegalArgumentException(what + ": a URL must not carry user-info: " + uri.getScheme() + "://" + uri.getHost());
            }
        }
        return List.copyOf(urls);
    }

    ObjectNode toJson() {
        ObjectNode o = FtsJson.MAPPER.createObjectNode();
        ArrayNode s = o.putArray("sources");
        sources.forEach(s::add);
        ArrayNode d = o.putArray("destinations");
        destinations.forEach(d::add);
        if (checksum != null) {
            o.put("checksum", checksum);
        }
        if (filesize != null) {
            o.put("filesize", filesize);
        }
        if (metadata != null && !metadata.isNull()) {
            o.set("metadata", metadata);
        }
        if (activity != null) {
            o.put("activity", activity);
        }
        return o;
    }
}
