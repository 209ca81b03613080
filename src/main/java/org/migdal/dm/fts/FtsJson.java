package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** JSON helpers: FTS3 objects are read field by field, so unknown keys are ignored and nulls are tolerated everywhere. */
final class FtsJson {
    static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    /** The FTS3 datetime format: UTC without a zone suffix (reference §0). */
    static final DateTimeFormatter FTS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    private FtsJson() {
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        return v.isValueNode() ? v.asText() : v.toString();
    }

    /** A reason: {@code null} and {@code ""} are the same thing (no reason) and both read as {@code ""}. */
    static String reason(JsonNode n, String field) {
        String s = text(n, field);
        return s == null ? "" : s;
    }

    static Long longOrNull(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asLong();
        }
        if (v.isTextual()) {
            try {
                return Long.parseLong(v.asText().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static Integer intOrNull(JsonNode n, String field) {
        Long l = longOrNull(n, field);
        return l == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l));
    }

    static Double doubleOrNull(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() || !v.isNumber() ? null : v.asDouble();
    }

    static Boolean boolOrNull(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isNumber()) {
            return v.asInt() != 0;
        }
        return null;
    }

    /** A JSON sub-value, never null (JSON null when absent). */
    static JsonNode node(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null ? NullNode.getInstance() : v;
    }

    static List<String> strings(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        List<String> out = new ArrayList<>();
        if (v != null && v.isArray()) {
            v.forEach(x -> out.add(x.isNull() ? null : x.asText()));
        }
        // fts-rest-flask sends [""] for "none" (an empty string split on "\n"): blank entries are no entries
        return List.copyOf(out.stream().filter(x -> x != null && !x.isBlank()).toList());
    }

    /** Parses an FTS3 datetime ({@code yyyy-MM-dd'T'HH:mm:ss}, UTC); null or empty gives null. */
    static Instant time(JsonNode n, String field) throws DateTimeParseException {
        String s = text(n, field);
        return parseTime(s);
    }

    static Instant parseTime(String s) throws DateTimeParseException {
        if (s == null || s.isBlank()) {
            return null;
        }
        String t = s.strip();
        try {
            return LocalDateTime.parse(t, FTS_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException exact) {
            // Tolerate fractional seconds or an explicit offset, which some deployments add; anything else is an error.
            try {
                return LocalDateTime.parse(t, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                return java.time.OffsetDateTime.parse(t, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            }
        }
    }

    static String formatTime(Instant i) {
        return FTS_TIME.format(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
    }
}
