package org.migdal.dm.notify;

import org.migdal.dm.config.NotifyConfig;
import org.migdal.dm.health.Overview;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One round of notifications: judges the {@link Conditions} of an {@link Overview}, records what changed
 * ({@link NotifyState}: announced once, cleared once, queued before anything is sent), then sends each channel what it
 * has pending, grouped in one message, unless it sent one less than {@code notify.minIntervalMinutes} ago. A channel that
 * fails keeps its messages for the next round; its failure is logged with the server's reply and returned, never thrown.
 */
public final class Notifier {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    /** A sender that dies holding a channel's lease blocks it at most this long. */
    static final Duration LEASE = Duration.ofMinutes(10);

    /** What a round did on one channel. */
    public record Outcome(String channel, int sent, int held, String error) {
        public boolean failed() {
            return error != null;
        }
    }

    private final NotifyState state;
    private final List<Channel> channels;
    private final Duration minInterval;
    private final String source;
    private final String owner;
    private final Clock clock;

    public Notifier(NotifyState state, List<Channel> channels, Duration minInterval, String source, String owner, Clock clock) {
        this.state = state;
        this.channels = List.copyOf(channels);
        this.minInterval = minInterval;
        this.source = source;
        this.owner = owner;
        this.clock = clock;
    }

    /** The channels {@code config} names (e-mail, webhook). */
    public static List<Channel> channels(NotifyConfig config) {
        List<Channel> out = new ArrayList<>();
        if (config.smtp() != null) {
            out.add(new SmtpChannel(config.smtp()));
        }
        if (config.webhook() != null) {
            out.add(new WebhookChannel(config.webhook()));
        }
        return out;
    }

    /** Records the conditions of {@code overview} and sends what is due; one outcome per channel. */
    public List<Outcome> round(Overview overview) {
        if (channels.isEmpty()) {
            return List.of();
        }
        Evaluation ev = Conditions.evaluate(overview, source);
        List<Event> queued = state.record(ev, channels.stream().map(Channel::name).toList(), clock.instant());
        queued.stream().filter(e -> e.channel().equals(channels.get(0).name())).forEach(e ->
                log.info("notification {} {}{}", e.kind() == Event.Kind.RAISED ? "raised" : "cleared", e.key(),
                        e.kind() == Event.Kind.RAISED ? ": " + e.text() : ""));
        List<Outcome> out = new ArrayList<>();
        for (Channel ch : channels) {
            out.add(send(ch));
        }
        return out;
    }

    private Outcome send(Channel ch) {
        Instant now = clock.instant();
        List<Event> pending = state.pending(ch.name());
        if (pending.isEmpty()) {
            return new Outcome(ch.name(), 0, 0, null);
        }
        if (!state.lease(ch.name(), owner, now, minInterval, LEASE)) {
            log.debug("notification channel {}: {} event(s) held back (rate limit or another sender)", ch.name(), pending.size());
            return new Outcome(ch.name(), 0, pending.size(), null);
        }
        pending = state.pending(ch.name()); // what another sender may have sent before we took the lease is gone
        if (pending.isEmpty()) {
            state.release(ch.name(), owner);
            return new Outcome(ch.name(), 0, 0, null);
        }
        try {
            ch.send(new Message(source, now, pending, false));
        } catch (ChannelException | RuntimeException e) {
            String why = e.getMessage();
            state.failed(ch.name(), owner, why, now);
            log.warn("notification channel {} failed ({} event(s) kept for the next round): {}", ch.name(), pending.size(), why);
            return new Outcome(ch.name(), 0, pending.size(), why);
        }
        state.sent(ch.name(), owner, pending.stream().map(Event::id).toList(), clock.instant());
        log.info("notification sent on {}: {} event(s)", ch.name(), pending.size());
        return new Outcome(ch.name(), pending.size(), 0, null);
    }

    /** A test message on every channel, outside the state and the rate limit; one outcome per channel. */
    public List<Outcome> test() {
        List<Outcome> out = new ArrayList<>();
        for (Channel ch : channels) {
            try {
                ch.send(Message.test(source, clock.instant()));
                out.add(new Outcome(ch.name(), 1, 0, null));
            } catch (ChannelException | RuntimeException e) {
                out.add(new Outcome(ch.name(), 0, 0, e.getMessage()));
            }
        }
        return out;
    }

    /** What a round would send now, per channel, changing nothing: the pending events plus what this evaluation would queue. */
    public List<String> dryRun(Overview overview) {
        Evaluation ev = Conditions.evaluate(overview, source);
        List<Event> fresh = state.preview(ev, clock.instant());
        Instant now = clock.instant();
        List<String> out = new ArrayList<>();
        for (Channel ch : channels) {
            List<Event> all = new ArrayList<>(state.pending(ch.name()));
            all.addAll(fresh);
            if (all.isEmpty()) {
                out.add(ch.name() + ": nothing to send");
                continue;
            }
            Instant last = state.channel(ch.name()).map(NotifyState.ChannelState::lastSentAt).orElse(null);
            String when = last == null || !last.plus(minInterval).isAfter(now) ? "would send now"
                    : "held back until " + Conditions.time(last.plus(minInterval)) + " (notify.minIntervalMinutes)";
            Message m = new Message(source, now, all, false);
            out.add(ch.name() + ": " + when + "\nSubject: " + m.subject() + "\n" + m.text());
        }
        return out;
    }
}
