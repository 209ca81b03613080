package org.migdal.dm.batch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an HTCondor job event log (text format) incrementally, following reference §4.7: events end with a line
 * {@code ...} (a trailing {@code \r} is tolerated); an event without its closing {@code ...} is incomplete and not
 * consumed (the returned offset stays before it, so the next read sees it whole); blank lines between events are
 * ignored; unknown codes and body lines are kept. Stateless and safe for concurrent use; the caller keeps the offset.
 */
public final class EventLog {
    /** Reference §4.1, with the text after the time optional (an empty description loses its separating space). */
    static final Pattern HEADER = Pattern.compile("^(\\d{3}) \\((-?\\d+)\\.(-?\\d+)\\.(-?\\d+)\\) "
            + "(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{3})?Z?|\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d)(?: (.*))?$");
    private static final String END = "...";

    private EventLog() {
    }

    /**
     * What one read found.
     *
     * @param events    the complete events after the offset, in file order
     * @param offset    the byte offset after the last complete event's {@code ...} line (unchanged when none was complete)
     * @param malformed complete blocks (up to their {@code ...}) whose first line is not an event header: consumed and
     *                  reported here (to be logged), never silently dropped
     */
    public record Chunk(List<JobEvent> events, long offset, List<String> malformed) {
        public Chunk {
            events = List.copyOf(events);
            malformed = List.copyOf(malformed);
        }
    }

    /**
     * The complete events of {@code log} after byte {@code offset}. A missing file has no events (offset unchanged).
     *
     * @throws IOException if the file cannot be read, or is shorter than {@code offset} (it was truncated or replaced)
     */
    public static Chunk read(Path log, long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative event log offset " + offset + " for " + log);
        }
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < offset) {
                throw new IOException("event log " + log + " has " + size + " bytes, fewer than the saved offset " + offset
                        + " (truncated or replaced?)");
            }
            if (size - offset > Integer.MAX_VALUE - 16) {
                throw new IOException("event log " + log + " has " + (size - offset) + " unread bytes, too many to read at once");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) (size - offset));
            ch.position(offset);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read up to the size seen at open; bytes appended meanwhile are left for the next read
            }
            buf.flip();
            bytes = new byte[buf.remaining()];
            buf.get(bytes);
        } catch (NoSuchFileException e) {
            return new Chunk(List.of(), offset, List.of());
        }
        return parse(bytes, offset);
    }

    /** Parses {@code bytes}, which start at byte {@code base} of the log. */
    static Chunk parse(byte[] bytes, long base) {
        List<JobEvent> events = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        List<String> block = new ArrayList<>();
        int consumed = 0;
        int pos = 0;
        while (pos < bytes.length) {
            int nl = indexOf(bytes, (byte) '\n', pos);
            int end = nl < 0 ? bytes.length : nl;
            String line = new String(bytes, pos, end - pos, StandardCharsets.UTF_8);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (nl < 0 && !line.equals(END)) {
                break; // a line still being written
            }
            pos = nl < 0 ? bytes.length : nl + 1;
            if (line.equals(END)) {
                if (!block.isEmpty()) {
                    toEvent(block, events, malformed);
                    block.clear();
                }
                consumed = pos;
            } else if (!block.isEmpty() || !line.isBlank()) {
                block.add(line);
            }
        }
        return new Chunk(events, base + consumed, malformed);
    }

    private static void toEvent(List<String> block, List<JobEvent> events, List<String> malformed) {
        StringBuilder raw = new StringBuilder();
        block.forEach(l -> raw.append(l).append('\n'));
        Matcher m = HEADER.matcher(block.get(0));
        if (!m.matches()) {
            malformed.add(raw.toString());
            return;
        }
        List<String> body = new ArrayList<>(block.size() - 1);
        for (String l : block.subList(1, block.size())) {
            body.add(l.startsWith("\t") ? l.substring(1) : l);
        }
        try {
            events.add(new JobEvent(Integer.parseInt(m.group(1)), Long.parseLong(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), m.group(5), m.group(6) == null ? "" : m.group(6), body, raw.toString()));
        } catch (IllegalArgumentException e) { // ids out of range
            malformed.add(raw.toString());
        }
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
