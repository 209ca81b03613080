package org.migdal.dm.fts;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * The body of {@code POST /jobs}: {@code {"files": [...], "params": {...}}} (reference §2). At least one file;
 * {@code overwrite_when_only_on_disk} only when every destination is {@code https://} or {@code davs://}.
 */
public record Submission(List<TransferFile> files, JobParams params) {
    public Submission {
        if (files == null || files.isEmpty()) {
            throw new IllegalArgumentException("a submission needs at least one file");
        }
        files = List.copyOf(files);
        if (params == null) {
            params = JobParams.builder().build();
        }
        if (Boolean.TRUE.equals(params.overwriteWhenOnlyOnDisk())) {
            for (TransferFile f : files) {
                for (String d : f.destinations()) {
                    if (!isHttpLike(d)) {
                        throw new IllegalArgumentException("overwrite_when_only_on_disk needs https:// or davs:// destinations: "
                                + d.replaceAll("^([a-zA-Z0-9+.-]+://[^/]*).*$", "$1/…"));
                    }
                }
            }
        }
    }

    static boolean isHttpLike(String url) {
        String u = url.toLowerCase(Locale.ROOT);
        return u.startsWith("https://") || u.startsWith("davs://");
    }

    /** The sid of a deterministic submission, or null. */
    public String sid() {
        return params.sid();
    }

    /** The JSON body. */
    public String toJson() {
        ObjectNode o = FtsJson.MAPPER.createObjectNode();
        ArrayNode a = o.putArray("files");
        files.forEach(f -> a.add(f.toJson()));
        o.set("params", params.toJson());
        return o.toString();
    }
}
