package org.migdal.dm.notify;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.Overview;
import org.migdal.dm.health.Overviews;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The notification state on each dialect: announced once, silent while it holds, cleared once; the rate limit groups
 * what it holds back; a failing or crashing channel loses nothing; the state outlives the process; two processes
 * evaluating at once announce each change once. Conditions come from the real catalog (endpoints recorded DOWN).
 */
public abstract class NotifyStateContract {
    static final String A = "root://a.example.org//store";
    static final String B = "root://b.example.org//store";
    static final String C = "https://c.example.org/tape";

    protected final TestClock clock = new TestClock(Instant.parse("2024-03-01T12:00:00Z"));
    private final List<JdbcCatalog> opened = new ArrayList<>();
    private final MigdalConfig config = ConfigLoader.parse("""
            storage:
              disk: file:///nonexistent/storage
              tape: file:///nonexistent/tape
            """, "test.yaml");

    protected abstract JdbcCatalog openCatalog(Clock clock);

    protected JdbcCatalog handle() {
        JdbcCatalog c = openCatalog(clock);
        opened.add(c);
        return c;
    }

    @AfterEach
    void closeHandles() {
        opened.forEach(JdbcCatalog::close);
    }

    Notifier notifier(JdbcCatalog c, Duration minInterval, String owner, Channel... channels) {
        return new Notifier(new NotifyState(c), List.of(channels), minInterval, "test-host", owner, clock);
    }

    Overview overview(JdbcCatalog c) {
        return new Overviews(c, config, null, clock).now();
    }

    @Test
    void aConditionIsAnnouncedOnceSilentWhileItHoldsAndClearedOnce() {
        JdbcCatalog c = handle();
        RecordingChannel mail = new RecordingChannel("smtp");
        Notifier n = notifier(c, Duration.ofMinutes(15), "p1", mail);
        assertThat(n.round(overview(c))).singleElement().satisfies(o -> assertThat(o.sent()).isZero());

        c.endpointDown(A, "TRANSIENT: connection refused");
        n.round(overview(c));
        assertThat(mail.lines()).containsExactly("RAISED endpoint-down:" + A);
        assertThat(mail.received.get(0).text()).contains("connection refused");

        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(20));
            c.endpointDown(A, "TRANSIENT: still refused");
            n.round(overview(c));
        }
        assertThat(mail.lines()).as("nothing while it holds").hasSize(1);

        c.endpointUp(A);
        clock.advance(Duration.ofMinutes(20));
        n.round(overview(c));
        clock.advance(Duration.ofMinutes(20));
        n.round(overview(c));
        assertThat(mail.lines()).containsExactly("RAISED endpoint-down:" + A, "CLEARED endpoint-down:" + A);
        assertThat(mail.received.get(1).text()).contains("cleared after 1 h 20 min").contains("connection refused");
    }

    @Test
    void theRateLimitHoldsBackAndGroupsInTheNextMessage() {
        JdbcCatalog c = handle();
        RecordingChannel mail = new RecordingChannel("smtp");
        RecordingChannel hook = new RecordingChannel("webhook");
        Notifier n = notifier(c, Duration.ofMinutes(15), "p1", mail, hook);
        c.endpointDown(A, "NO_SPACE: full");
        n.round(overview(c));
        clock.advance(Duration.ofMinutes(1));
        c.endpointDown(B, "TRANSIENT: timed out");
        assertThat(n.round(overview(c))).allSatisfy(o -> {
            assertThat(o.sent()).isZero();
            assertThat(o.held()).isEqualTo(1);
        });
        clock.advance(Duration.ofMinutes(13));
        c.endpointDown(C, "DENIED: 403");
        c.endpointUp(A);
        n.round(overview(c));
        assertThat(mail.received).as("within 15 minutes of the first message: held back").hasSize(1);

        clock.advance(Duration.ofMinutes(1)); // 15 minutes after the first message
        n.round(overview(c));
        for (RecordingChannel ch : List.of(mail, hook)) {
            assertThat(ch.lines()).containsExactly("RAISED endpoint-down:" + A,
                    "RAISED endpoint-down:" + B + ",RAISED endpoint-down:" + C + ",CLEARED endpoint-down:" + A);
        }
        assertThat(mail.received.get(1).subject()).isEqualTo("[migdal-dm] 2 new, 1 cleared: endpoint-down:" + B
                + ", endpoint-down:" + C + ", endpoint-down:" + A);
    }

    @Test
    void aChannelThatIsDownIsRetriedAndLosesNothingWhileTheOtherSends() {
        JdbcCatalog c = handle();
        RecordingChannel mail = new RecordingChannel("smtp");
        RecordingChannel hook = new RecordingChannel("webhook");
        mail.down = true;
        Notifier n = notifier(c, Duration.ofMinutes(15), "p1", mail, hook);
        c.endpointDown(A, "NO_SPACE: full");
        List<Notifier.Outcome> first = n.round(overview(c));
        assertThat(first.get(0).error()).contains("421 service not available");
        assertThat(first.get(1).sent()).isEqualTo(1);
        assertThat(new NotifyState(c).channel("smtp").orElseThrow().lastError()).contains("421");

        clock.advance(Duration.ofMinutes(5));
        c.endpointDown(B, "TRANSIENT: timed out");
        n.round(overview(c)); // still down; the webhook is held back by its rate limit
        mail.down = false;
        clock.advance(Duration.ofMinutes(5));
        n.round(overview(c));
        assertThat(mail.lines()).as("a channel that never sent is not rate limited; both events, nothing lost")
                .containsExactly("RAISED endpoint-down:" + A + ",RAISED endpoint-down:" + B);
        assertThat(new NotifyState(c).channel("smtp").orElseThrow().lastError()).isNull();
        assertThat(hook.lines()).containsExactly("RAISED endpoint-down:" + A);
    }

    @Test
    void aProcessKilledBetweenSendingAndRecordingMakesTheNextOneSendAgainNotDrop() {
        JdbcCatalog first = handle();
        RecordingChannel mail = new RecordingChannel("smtp");
        mail.crashAfterDelivery = true;
        first.endpointDown(A, "NO_SPACE: full");
        assertThatThrownBy(() -> notifier(first, Duration.ofMinutes(15), "p1", mail).round(overview(first)))
                .isInstanceOf(RecordingChannel.Killed.class);
        first.close();

        mail.crashAfterDelivery = false;
        JdbcCatalog second = handle();
        Notifier next = notifier(second, Duration.ofMinutes(15), "p2", mail);
        next.round(overview(second));
        assertThat(mail.received).as("the dead sender's lease holds the channel a while").hasSize(1);
        clock.advance(Notifier.LEASE.plusSeconds(1));
        next.round(overview(second));
        assertThat(mail.lines()).containsExactly("RAISED endpoint-down:" + A, "RAISED endpoint-down:" + A);
        clock.advance(Duration.ofHours(1));
        next.round(overview(second));
        assertThat(mail.received).hasSize(2);
    }

    @Test
    void theStateOutlivesTheProcess() {
        JdbcCatalog first = handle();
        RecordingChannel mail = new RecordingChannel("smtp");
        first.endpointDown(A, "NO_SPACE: full");
        notifier(first, Duration.ofMinutes(15), "p1", mail).round(overview(first));
        first.close();

        JdbcCatalog second = handle();
        Notifier n = notifier(second, Duration.ofMinutes(15), "p2", mail);
        clock.advance(Duration.ofMinutes(5));
        second.endpointUp(A);
        n.round(overview(second));
        assertThat(mail.received).as("a new process neither re-announces nor forgets the rate limit").hasSize(1);
        clock.advance(Duration.ofMinutes(10));
        n.round(overview(second));
        assertThat(mail.lines()).containsExactly("RAISED endpoint-down:" + A, "CLEARED endpoint-down:" + A);
    }

    @Test
    void twoProcessesEvaluatingAtOnceAnnounceEachChangeOnce() throws Exception {
        JdbcCatalog one = handle();
        JdbcCatalog two = handle();
        RecordingChannel mail = new RecordingChannel("smtp");
        Notifier n1 = notifier(one, Duration.ZERO, "p1", mail);
        Notifier n2 = notifier(two, Duration.ZERO, "p2", mail);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 8; i++) {
                String url = "root://host" + i + ".example.org//store";
                one.endpointDown(url, "TRANSIENT: refused");
                if (i > 0) {
                    one.endpointUp("root://host" + (i - 1) + ".example.org//store");
                }
                Future<?> f1 = pool.submit(() -> n1.round(overview(one)));
                Future<?> f2 = pool.submit(() -> n2.round(overview(two)));
                f1.get();
                f2.get();
                clock.advance(Duration.ofMinutes(1));
            }
        } finally {
            pool.shutdown();
        }
        List<String> events = mail.received.stream().flatMap(m -> m.events().stream()).map(e -> e.kind() + " " + e.key()).toList();
        assertThat(events).doesNotHaveDuplicates().hasSize(15);
        assertThat(events).filteredOn(e -> e.startsWith("RAISED")).hasSize(8);
    }

    @Test
    void aHostClearsOnlyWhatItCanJudgeNotAnotherHostsCredentialNorADiskItDoesNotSee() {
        JdbcCatalog c = handle();
        NotifyState state = new NotifyState(c);
        Condition proxyOnDaq = new Condition(Conditions.credentialKey("daq-host"), "the x509 proxy on daq-host runs out");
        Condition disk = new Condition("disk-full:data1", "DAQ disk data1 will be full");
        assertThat(state.record(new Evaluation(List.of(proxyOnDaq, disk), java.util.Set.of(), "daq-host"), List.of("smtp"),
                clock.instant())).hasSize(2);

        clock.advance(Duration.ofMinutes(5));
        Evaluation onGrid = new Evaluation(List.of(), java.util.Set.of("disk-full:data1"), "grid-host");
        assertThat(state.preview(onGrid, clock.instant())).isEmpty();
        assertThat(state.record(onGrid, List.of("smtp"), clock.instant())).isEmpty();
        assertThat(state.holding()).containsOnlyKeys(proxyOnDaq.key(), disk.key());

        Evaluation onDaq = new Evaluation(List.of(), java.util.Set.of(), "daq-host");
        assertThat(state.record(onDaq, List.of("smtp"), clock.instant())).extracting(Event::key, Event::kind)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(proxyOnDaq.key(), Event.Kind.CLEARED),
                        org.assertj.core.groups.Tuple.tuple(disk.key(), Event.Kind.CLEARED));
        assertThat(state.holding()).isEmpty();
    }
}
