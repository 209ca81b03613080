package org.migdal.dm.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/**
 * One message to a channel: the events held back since the last one, grouped, oldest first; as a subject and plain
 * text (e-mail) or JSON (webhook).
 */
public record Message(String source, Instant at, List<Event> events, boolean test) {
    public Message {
        events = List.copyOf(events);
    }

    /** A test message ({@code notify --test}): no event, says so. */
    public static Message test(String source, Instant at) {
        return new Message(source, at, List.of(), true);
    }

    public String subject() {
        if (test) {
            return "[migdal-dm] test message from " + source;
        }
        long raised = events.stream().filter(e -> e.kind() == Event.Kind.RAISED).count();
        long cleared = events.size() - raised;
        if (events.size() == 1) {
            Event e = events.get(0);
            return "[migdal-dm] " + (e.kind() == Event.Kind.RAISED ? "" : "cleared: ") + e.key();
        }
        return "[migdal-dm] " + raised + " new, " + cleared + " cleared: "
                + String.join(", ", events.stream().map(Event::key).distinct().toList());
    }

    public String text() {
        StringBuilder t = new StringBuilder();
        if (test) {
            return t.append("A test message from migdal-dm on ").append(source).append(" at ").append(Conditions.time(at))
                    .append(": this channel works.\n").toString();
        }
        t.append("migdal-dm on ").append(source).append(", ").append(Conditions.time(at)).append(":\n\n");
        for (Event e : events) {
            t.append(e.kind() == Event.Kind.RAISED ? "NEW     " : "CLEARED ").append(e.key()).append(" (")
                    .append(Conditions.time(e.at())).append(")\n  ").append(e.text()).append("\n\n");
        }
        t.append("Each condition is announced once, and once more when it clears. `migdal-dm status` and `migdal-dm doctor`"
                + " show the whole state.\n");
        return t.toString();
    }

    public String json(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("source", source);
        root.put("at", at.toString());
        root.put("test", test);
        root.put("subject", subject());
        ArrayNode list = root.putArray("events");
        for (Event e : events) {
            ObjectNode n = list.addObject();
            n.put("key", e.key());
            n.put("kind", e.kind().name());
            n.put("at", e.at().toString());
            n.put("text", e.text());
        }
        root.put("text", text());
        return root.toString();
    }
}
