package org.migdal.dm.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** How {@code --json} is written: indented, times as ISO-8601 text. Apart from {@link Main} so that its start loads no Jackson. */
final class JsonOutput {
    private JsonOutput() {
    }

    static ObjectMapper mapper() {
        return new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** Writes {@code doc} as the one JSON document of a command's standard output. */
    static void print(PrintWriter out, Object doc) {
        try {
            out.println(mapper().writeValueAsString(doc));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write the JSON output: " + e.getOriginalMessage(), e);
        }
    }
}
