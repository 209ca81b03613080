package org.migdal.dm.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.migdal.dm.catalog.CatalogFile;
import org.migdal.dm.catalog.FileEvent;
import org.migdal.dm.health.Overview;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON documents of {@code /api/}: times as ISO-8601 text, sizes in bytes, durations in seconds. */
final class Api {
    private final ObjectMapper mapper = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    String status(Status s) {
        Overview o = s.overview();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("at", o.at());
        Map<String, Object> totals = new LinkedHashMap<>();
        o.totals().forEach((state, v) -> totals.put(state.name(), Map.of("files", v[0], "bytes", v[1])));
        doc.put("totals", totals);
        doc.put("waiting", o.waiting());
        doc.put("counts", o.counts());
        doc.put("disks", o.disks());
        doc.put("endpoints", o.endpoints());
        doc.put("credential", o.credential());
        doc.put("lastErrors", o.lastErrors());
        doc.put("lastProgress", o.lastProgress());
        doc.put("runs", s.runs().stream().map(r -> Map.of("run", r.run(), "files", r.files(), "bytes", r.bytes(), "counts", r.counts())).toList());
        doc.put("series", s.series());
        if (s.cycles() != null) {
            doc.put("daemon", Map.of("cycles", s.cycles()));
        }
        return json(doc);
    }

    String files(FileQueryParams q, Dashboard.Page page) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("after", q.filter().afterId());
        doc.put("limit", q.filter().limit());
        doc.put("sort", q.filter().descending() ? "-id" : "id");
        doc.put("next", page.next());
        doc.put("files", page.rows());
        return json(doc);
    }

    String file(CatalogFile f, List<FileEvent> events) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("file", f);
        doc.put("events", events);
        return json(doc);
    }

    /** A page of runs (the records {@code migdal-dm runs --json} prints). */
    String runs(org.migdal.dm.catalog.RunPage page) {
        return json(page);
    }

    String error(String message) {
        return json(Map.of("error", message));
    }

    private String json(Object doc) {
        try {
            return mapper.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
