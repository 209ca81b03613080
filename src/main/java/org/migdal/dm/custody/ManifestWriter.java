package org.migdal.dm.custody;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.migdal.dm.catalog.FileState;
import org.migdal.dm.catalog.RunSummary;
import org.migdal.dm.catalog.Runs;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * A run's custody manifest, streamed from one snapshot of the catalog (a run of 100,000 files is never held in memory):
 * a header (run, when, by what, which catalog, files, bytes, complete or not), the files NOT on tape first when there
 * are any, then every file in LFN order with its size and adler32, its compressed copy's name, size and adler32, its
 * tape URL, when and by what evidence the tape copy was confirmed, and when it was registered and shipped; last a
 * SHA-256 digest over the files' {@link ManifestEntry#canonicalLine() canonical lines}, the same for both formats.
 */
public final class ManifestWriter {
    /** The manifest's format, named in both forms; raise it when a field changes. */
    public static final String FORMAT = "migdal-dm custody manifest 1";

    public enum Format { TEXT, JSON }

    /** Who writes the manifest, and from where: printed in its header. */
    public record About(Instant generatedAt, String generatedBy, String catalog, String tape) {
    }

    private ManifestWriter() {
    }

    /**
     * Writes the manifest of {@code run} to {@code out} (flushed, not closed); empty, with nothing written, when the catalog has no
     * file of that run. {@code tapeUrl} gives the tape URL of a compressed name.
     */
    public static Optional<RunSummary> write(Runs runs, String run, Format format, About about, UnaryOperator<String> tapeUrl,
                                             Writer out) throws IOException {
        return runs.read(run, 0, (summary, notOnTape, files) -> {
            Sink sink = format == Format.JSON ? new JsonSink(out) : new TextSink(out);
            MessageDigest sha = sha256();
            sink.header(summary, about);
            if (!summary.complete()) {
                sink.notOnTapeStart(summary);
                notOnTape.forEach(f -> sink.notOnTape(f.lfn(), f.state(), f.lastError()));
            }
            sink.filesStart(summary);
            long[] lines = {0};
            files.forEach(f -> {
                ManifestEntry e = ManifestEntry.of(f, tapeUrl);
                sha.update((e.canonicalLine() + "\n").getBytes(StandardCharsets.UTF_8));
                lines[0]++;
                sink.file(e);
            });
            if (lines[0] != summary.files()) { // one snapshot: cannot happen unless the catalog's reads are not isolated
                throw new IllegalStateException("run " + run + ": the catalog counted " + summary.files() + " files but listed "
                        + lines[0]);
            }
            sink.end(HexFormat.of().formatHex(sha.digest()), lines[0]);
            return summary;
        });
    }

    /** SHA-256 over the canonical lines (each followed by LF) of {@code entries} in the order given: what a manifest's digest is. */
    public static String digest(Iterable<ManifestEntry> entries) {
        MessageDigest sha = sha256();
        for (ManifestEntry e : entries) {
            sha.update((e.canonicalLine() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    private interface Sink {
        void header(RunSummary s, About about) throws IOException;

        void notOnTapeStart(RunSummary s) throws IOException;

        void notOnTape(String lfn, FileState state, String lastError) throws IOException;

        void filesStart(RunSummary s) throws IOException;

        void file(ManifestEntry e) throws IOException;

        void end(String sha256, long lines) throws IOException;
    }

    /** Aligned text, one file per line (its values escaped: no line break, no TAB inside a value). */
    private static final class TextSink implements Sink {
        private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        private static final String FILE_COLUMNS = "%-15s %14s %-8s  %14s %-13s  %-19s  %-19s  %-19s  ";
        private final Writer w;

        TextSink(Writer out) {
            w = new BufferedWriter(out, 1 << 16);
        }

        private void field(String name, Object value) throws IOException {
            w.write(String.format(Locale.ROOT, "%-17s %s%n", name, value));
        }

        @Override
        public void header(RunSummary s, About about) throws IOException {
            w.write("# " + FORMAT + "\n");
            field("run", ManifestEntry.escape(s.run()));
            field("generated at", about.generatedAt());
            field("generated by", about.generatedBy());
            field("catalog", ManifestEntry.escape(about.catalog()));
            field("tape", ManifestEntry.escape(about.tape()));
            field("files", s.files());
            field("bytes", s.bytes() + (s.bytes() < 1L << 30 ? String.format(Locale.ROOT, " (%.1f MiB)", s.bytes() / 1048576.0)
                    : String.format(Locale.ROOT, " (%.2f GiB)", s.bytes() / 1073741824.0)));
            field("files per state", s.states().entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                    .collect(Collectors.joining(", ")));
            if (s.complete()) {
                field("complete", "yes: every file's compressed copy is confirmed on tape"
                        + (s.allOnTapeSince() == null ? "" : ", all since " + s.allOnTapeSince()));
            } else {
                field("complete", "NO: " + s.notOnTape() + " of " + s.files() + " files are NOT on tape (" + s.notOnTapeStates() + ")");
            }
        }

        @Override
        public void notOnTapeStart(RunSummary s) throws IOException {
            w.write("\nNOT ON TAPE (" + s.notOnTape() + " files; state, LFN, last error)\n");
        }

        @Override
        public void notOnTape(String lfn, FileState state, String lastError) throws IOException {
            w.write(String.format(Locale.ROOT, "%-15s %s%s%n", state, ManifestEntry.escape(lfn),
                    lastError == null ? "" : "\tlast error: " + ManifestEntry.escape(lastError)));
        }

        @Override
        public void filesStart(RunSummary s) throws IOException {
            w.write("\nFILES (" + s.files() + ", LFN order; times UTC; in values \\t \\n \\r \\\\ \\xHH stand for TAB, line feed,"
                    + " carriage return, backslash, control characters; - for none)\n");
            w.write(String.format(Locale.ROOT, FILE_COLUMNS, "state", "size", "adler32", "comp. size", "comp. adler32", "registered",
                    "shipped", "on tape") + "LFN\tcompressed name\ttape URL\ttape evidence\n");
        }

        @Override
        public void file(ManifestEntry e) throws IOException {
            w.write(String.format(Locale.ROOT, FILE_COLUMNS, e.state(), e.size(), ManifestEntry.escape(e.adler32()),
                    e.compressedSize() == null ? "-" : e.compressedSize().toString(), ManifestEntry.escape(e.compressedAdler32()),
                    time(e.registeredAt()), time(e.shippedAt()), time(e.onTapeAt())));
            w.write(ManifestEntry.escape(e.lfn()) + "\t" + ManifestEntry.escape(e.compressedName()) + "\t" + ManifestEntry.escape(e.tapeUrl())
                    + "\t" + ManifestEntry.escape(e.tapeEvidence()) + "\n");
        }

        private static String time(Instant t) {
            return t == null ? "-" : SECONDS.format(t);
        }

        @Override
        public void end(String sha256, long lines) throws IOException {
            w.write("\n");
            field("digest", "sha256:" + sha256 + " over the " + lines + " files' canonical lines (see the README, \"Runs and manifests\")");
            w.write("# end of manifest\n");
            w.flush();
        }
    }

    /** JSON with stable field names, written as it goes. */
    private static final class JsonSink implements Sink {
        private final JsonGenerator g;

        JsonSink(Writer out) throws IOException {
            g = new JsonFactory().createGenerator(out);
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
        }

        private void time(String name, Instant t) throws IOException {
            if (t == null) {
                g.writeNullField(name);
            } else {
                g.writeStringField(name, t.toString());
            }
        }

        private void text(String name, String v) throws IOException {
            if (v == null) {
                g.writeNullField(name);
            } else {
                g.writeStringField(name, v);
            }
        }

        @Override
        public void header(RunSummary s, About about) throws IOException {
            g.writeStartObject();
            g.writeStringField("format", FORMAT);
            g.writeStringField("run", s.run());
            time("generatedAt", about.generatedAt());
            text("generatedBy", about.generatedBy());
            text("catalog", about.catalog());
            text("tape", about.tape());
            g.writeNumberField("fileCount", s.files());
            g.writeNumberField("bytes", s.bytes());
            g.writeObjectFieldStart("states");
            for (Map.Entry<FileState, Long> e : s.states().entrySet()) {
                g.writeNumberField(e.getKey().name(), e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("onTape", s.onTape());
            g.writeNumberField("notOnTape", s.notOnTape());
            g.writeNumberField("givenUp", s.givenUp());
            g.writeBooleanField("complete", s.complete());
            time("allOnTapeSince", s.allOnTapeSince());
        }

        @Override
        public void notOnTapeStart(RunSummary s) throws IOException {
            g.writeArrayFieldStart("filesNotOnTape");
        }

        @Override
        public void notOnTape(String lfn, FileState state, String lastError) throws IOException {
            g.writeStartObject();
            g.writeStringField("lfn", lfn);
            g.writeStringField("state", state.name());
            text("lastError", lastError);
            g.writeEndObject();
        }

        @Override
        public void filesStart(RunSummary s) throws IOException {
            if (!s.complete()) {
                g.writeEndArray();
            } else {
                g.writeArrayFieldStart("filesNotOnTape");
                g.writeEndArray();
            }
            g.writeArrayFieldStart("files");
        }

        @Override
        public void file(ManifestEntry e) throws IOException {
            g.writeStartObject();
            g.writeStringField("lfn", e.lfn());
            g.writeStringField("state", e.state().name());
            g.writeNumberField("size", e.size());
            text("adler32", e.adler32());
            text("compressedName", e.compressedName());
            if (e.compressedSize() == null) {
                g.writeNullField("compressedSize");
            } else {
                g.writeNumberField("compressedSize", e.compressedSize());
            }
            text("compressedAdler32", e.compressedAdler32());
            text("tapeUrl", e.tapeUrl());
            time("onTapeAt", e.onTapeAt());
            text("tapeEvidence", e.tapeEvidence());
            time("registeredAt", e.registeredAt());
            time("shippedAt", e.shippedAt());
            g.writeEndObject();
        }

        @Override
        public void end(String sha256, long lines) throws IOException {
            g.writeEndArray();
            g.writeObjectFieldStart("digest");
            g.writeStringField("algorithm", "SHA-256");
            g.writeStringField("over", "the canonical line of each file, in the order of \"files\", each followed by a line feed");
            g.writeNumberField("lines", lines);
            g.writeStringField("value", sha256);
            g.writeEndObject();
            g.writeEndObject();
            g.writeRaw('\n');
            g.flush();
        }
    }
}
