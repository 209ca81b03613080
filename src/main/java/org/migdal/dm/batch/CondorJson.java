package org.migdal.dm.batch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code -json} output of condor_q and condor_history (reference §3.2/§3.3): an array of ads, or nothing at all.
 * condor_q prints 0 bytes when no job matches; condor_history prints {@code [\n]\n}. Both are read as no jobs.
 */
public final class CondorJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);

    private CondorJson() {
    }

    /**
     * The ads in {@code stdout}.
     *
     * @throws IllegalArgumentException if it is not JSON, not an array of objects, or an ad lacks ClusterId/ProcId
     */
    public static List<JobAd> ads(String stdout) {
        if (stdout == null || stdout.isBlank()) {
            return List.of();
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(stdout);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not HTCondor -json output (" + e.getOriginalMessage() + "): " + excerpt(stdout), e);
        }
        List<JobAd> ads = new ArrayList<>();
        if (root.isObject()) {
            ads.add(ad(root));
        } else if (root.isArray()) {
            for (JsonNode n : root) {
                if (!n.isObject()) {
                    throw new IllegalArgumentException("HTCondor -json output holds a non-object: " + excerpt(n.toString()));
                }
                ads.add(ad(n));
            }
        } else {
            throw new IllegalArgumentException("HTCondor -json output is not an array of ads: " + excerpt(stdout));
        }
        return List.copyOf(ads);
    }

    static JobAd ad(JsonNode n) {
        Map<String, Object> attrs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            attrs.put(e.getKey(), value(e.getValue()));
        }
        Long cluster = longOf(attrs, "ClusterId");
        Long proc = longOf(attrs, "ProcId");
        if (cluster == null || proc == null || proc < -1 || proc > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("HTCondor ad without an integer ClusterId and ProcId: " + excerpt(n.toString()));
        }
        Long status = longOf(attrs, "JobStatus");
        return new JobAd(new JobId(cluster, proc.intValue()), status == null ? JobStatus.UNKNOWN : JobStatus.of(status.intValue()),
                stringOf(attrs, "MigdalJob"), stringOf(attrs, "JobBatchName"), stringOf(attrs, "HoldReason"),
                intOf(attrs, "HoldReasonCode"), intOf(attrs, "HoldReasonSubCode"), intOf(attrs, "ExitCode"),
                attrs.get("ExitBySignal") instanceof Boolean b ? b : null, intOf(attrs, "ExitSignal"),
                stringOf(attrs, "RemoveReason"), longOf(attrs, "EnteredCurrentStatus"), longOf(attrs, "CompletionDate"), attrs);
    }

    private static Object value(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isTextual()) {
            return v.asText();
        }
        return v.toString(); // nested lists/ads: kept as their JSON text
    }

    private static Long longOf(Map<String, Object> attrs, String name) {
        return attrs.get(name) instanceof Long l ? l : null;
    }

    private static Integer intOf(Map<String, Object> attrs, String name) {
        Long l = longOf(attrs, name);
        return l == null || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE ? null : l.intValue();
    }

    private static String stringOf(Map<String, Object> attrs, String name) {
        return attrs.get(name) instanceof String s ? s : null;
    }

    static String excerpt(String s) {
        String t = s.strip();
        return t.length() <= 300 ? t : t.substring(0, 300) + "…";
    }
}
