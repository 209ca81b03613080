package org.migdal.dm.notify;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.catalog.ClaimPolicy;
import org.migdal.dm.catalog.JdbcCatalog;
import org.migdal.dm.catalog.Stage;
import org.migdal.dm.config.ConfigLoader;
import org.migdal.dm.config.MigdalConfig;
import org.migdal.dm.health.Overview;
import org.migdal.dm.health.Overviews;
import org.migdal.dm.security.TestPki;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * E-mail notifications to a real SMTP server (GreenMail) on 127.0.0.1, from real catalog states: a quarantined file, an
 * endpoint recorded DOWN, a DAQ disk whose free-space samples forecast it full within 6 hours.
 */
class SmtpNotificationsTest {
    private static final String PASSWORD = "pa55-w0rd-never-logged";

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private GreenMail mail;
    private JdbcCatalog catalog;
    private Path disk;
    private String storage;

    @AfterEach
    void stop() {
        if (mail != null) {
            mail.stop();
        }
        if (catalog != null) {
            catalog.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private GreenMail startMail(int port) {
        GreenMail g = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("ops@example.org", "ops", PASSWORD));
        g.start();
        return g;
    }

    private MigdalConfig config(int port, String password) throws IOException {
        return config(port, password, "off");
    }

    private MigdalConfig config(int port, String password, String starttls) throws IOException {
        return config(port, password, starttls, "127.0.0.1", null);
    }

    private MigdalConfig config(int port, String password, String starttls, String host, String caFile) throws IOException {
        disk = Files.createDirectories(dir.resolve("data1"));
        storage = "file://" + dir.resolve("storage");
        Path pw = Files.writeString(dir.resolve("smtp-password"), password + "\n");
        MigdalConfig c = ConfigLoader.parse("""
                catalog:
                  url: sqlite:%s
                daq:
                  disks:
                    - {name: data1, path: %s}
                storage:
                  disk: %s
                  tape: file://%s
                notify:
                  minIntervalMinutes: 15
                  smtp:
                    host: %s
                    port: %d
                    from: migdal-dm@example.org
                    to: [ops@example.org, shifter@example.org]
                    starttls: %s
                    username: ops
                    passwordFile: %s
                    timeoutSeconds: 5
                %s
                """.formatted(dir.resolve("c.db"), disk, storage, dir.resolve("tape"), host, port, starttls, pw,
                caFile == null ? "" : "    caFile: " + caFile), "test.yaml");
        catalog = JdbcCatalog.open(c.catalog().url(), null, null, new ClaimPolicy("t", Duration.ofMinutes(5), 1,
                Duration.ofSeconds(1)), clock, 2);
        return c;
    }

    private Notifier notifier(MigdalConfig c) {
        return new Notifier(new NotifyState(catalog), Notifier.channels(c.notifications()),
                Duration.ofMinutes(c.notifications().minIntervalMinutes()), "daq-host", "p1", clock);
    }

    private Overview overview(MigdalConfig c) {
        return new Overviews(catalog, c, null, clock).now();
    }

    /** A quarantined file, the storage endpoint DOWN, and data1 full in about 2 hours. */
    private void trouble() throws Exception {
        catalog.register(ConditionsTest.files(disk, 2));
        catalog.fail(catalog.claim(Stage.SHIP, 1).get(0), "ship", "checksum mismatch", true);
        catalog.endpointDown(storage, "NO_SPACE: quota exceeded");
        ConditionsTest.fillingSamples(catalog, "data1", disk, clock.instant(), Duration.ofHours(2));
    }

    /** The decoded text (the mail is quoted-printable on the wire). */
    private static String body(MimeMessage m) throws Exception {
        return (String) m.getContent();
    }

    private static List<String> subjects(MimeMessage[] messages) {
        return Arrays.stream(messages).map(m -> {
            try {
                return m.getSubject();
            } catch (jakarta.mail.MessagingException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void aMailNamesTheDiskAndTheEndpointIsSentOnceAndAgainWhenItClears() throws Exception {
        int port = freePort();
        mail = startMail(port);
        MigdalConfig c = config(port, PASSWORD);
        trouble();
        Notifier n = notifier(c);

        assertThat(n.round(overview(c))).singleElement().satisfies(o -> assertThat(o.sent()).isEqualTo(3));
        assertThat(mail.waitForIncomingEmail(5000, 2)).isTrue();
        MimeMessage[] first = mail.getReceivedMessages();
        assertThat(first).as("one copy per recipient").hasSize(2);
        assertThat(first[0].getSubject()).isEqualTo("[migdal-dm] 3 new, 0 cleared: disk-full:data1, files-quarantined, endpoint-down:" + storage);
        assertThat(first[0].getFrom()[0].toString()).isEqualTo("migdal-dm@example.org");
        String body = body(first[0]);
        assertThat(body).contains("DAQ disk data1 (" + disk + ") will be full in about").contains("endpoint " + storage + " is DOWN since")
                .contains("NO_SPACE: quota exceeded").contains("migdal-dm storage probe").contains("migdal-dm ls --state QUARANTINED");

        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMinutes(20));
            n.round(overview(c));
        }
        assertThat(mail.getReceivedMessages()).as("nothing while the conditions hold").hasSize(2);

        catalog.retry(List.of("/r/f0.dat"));
        catalog.endpointUp(storage);
        clock.advance(Duration.ofMinutes(20));
        n.round(overview(c));
        assertThat(mail.waitForIncomingEmail(5000, 4)).isTrue();
        assertThat(subjects(mail.getReceivedMessages())).last()
                .isEqualTo("[migdal-dm] 0 new, 2 cleared: endpoint-down:" + storage + ", files-quarantined");
        assertThat(body(mail.getReceivedMessages()[3])).contains("CLEARED endpoint-down:" + storage);
    }

    @Test
    void whileTheRelayIsDownNothingIsLostAndTheNextMailCarriesItAll() throws Exception {
        int port = freePort(); // nothing listens there yet
        MigdalConfig c = config(port, PASSWORD);
        trouble();
        Notifier n = notifier(c);

        Notifier.Outcome down = n.round(overview(c)).get(0);
        assertThat(down.error()).contains("SMTP relay 127.0.0.1:" + port).contains("Connection refused").doesNotContain(PASSWORD);
        assertThat(down.held()).isEqualTo(3);

        clock.advance(Duration.ofMinutes(5));
        catalog.endpointUp(storage); // cleared while the relay is down: both the announcement and the clearing go out
        assertThat(n.round(overview(c)).get(0).failed()).isTrue();

        mail = startMail(port);
        clock.advance(Duration.ofMinutes(5));
        assertThat(n.round(overview(c)).get(0).sent()).isEqualTo(4);
        assertThat(mail.waitForIncomingEmail(5000, 2)).isTrue();
        String body = body(mail.getReceivedMessages()[0]);
        assertThat(body).contains("NEW     disk-full:data1").contains("NEW     files-quarantined")
                .contains("NEW     endpoint-down:" + storage).contains("CLEARED endpoint-down:" + storage);
    }

    @Test
    void theRateLimitGroupsWhatItHeldBackInOneMail() throws Exception {
        int port = freePort();
        mail = startMail(port);
        MigdalConfig c = config(port, PASSWORD);
        catalog.endpointDown(storage, "NO_SPACE: quota exceeded");
        Notifier n = notifier(c);
        n.round(overview(c));
        clock.advance(Duration.ofMinutes(5));
        catalog.endpointDown("root://tape.example.org//migdal", "TRANSIENT: timed out");
        n.round(overview(c));
        clock.advance(Duration.ofMinutes(5));
        catalog.endpointUp(storage);
        n.round(overview(c));
        assertThat(mail.getReceivedMessages()).as("one mail (two recipients) in the first 15 minutes").hasSize(2);
        clock.advance(Duration.ofMinutes(5));
        n.round(overview(c));
        assertThat(mail.waitForIncomingEmail(5000, 4)).isTrue();
        assertThat(subjects(mail.getReceivedMessages())).last()
                .isEqualTo("[migdal-dm] 1 new, 1 cleared: endpoint-down:root://tape.example.org//migdal, endpoint-down:" + storage);
    }

    @Test
    void aRefusedLoginNamesTheRelayAndItsReplyButNeverThePassword() throws Exception {
        int port = freePort();
        mail = startMail(port);
        MigdalConfig c = config(port, "wrong-" + PASSWORD);
        Notifier.Outcome o = notifier(c).test().get(0);
        assertThat(o.error()).contains("SMTP relay 127.0.0.1:" + port).containsIgnoringCase("auth").doesNotContain(PASSWORD);
        assertThat(mail.getReceivedMessages()).isEmpty();

        MigdalConfig good = config(port, PASSWORD);
        assertThat(notifier(good).test().get(0).failed()).isFalse();
        assertThat(mail.waitForIncomingEmail(5000, 2)).isTrue();
        assertThat(mail.getReceivedMessages()[0].getSubject()).isEqualTo("[migdal-dm] test message from daq-host");
    }

    @Test
    void starttlsRequiredRefusesARelayThatDoesNotOfferItAndSendsNothingInClear() throws Exception {
        int port = freePort();
        mail = startMail(port); // GreenMail's SMTP offers no STARTTLS
        MigdalConfig c = config(port, PASSWORD, "required");
        Notifier.Outcome o = notifier(c).test().get(0);
        assertThat(o.error()).contains("SMTP relay 127.0.0.1:" + port).contains("STARTTLS").doesNotContain(PASSWORD);
        assertThat(mail.getReceivedMessages()).isEmpty();
    }

    @Test
    void starttlsIsVerifiedAgainstTheConfiguredCaAndRefusedUnderTheSystemTrust() throws Exception {
        int port = freePort();
        mail = startMail(port);
        TestPki.Layout pki = TestPki.create().writeAll(dir.resolve("pki"));
        try (StartTlsFront front = new StartTlsFront(TestTls.serverContext(pki), port)) {
            MigdalConfig trusted = config(front.port(), PASSWORD, "required", "localhost", pki.caCert().toString());
            assertThat(notifier(trusted).test()).singleElement().satisfies(o -> assertThat(o.error()).isNull());
            assertThat(mail.waitForIncomingEmail(5000, 2)).isTrue();
            catalog.close();
            catalog = null;
            Files.delete(dir.resolve("c.db"));

            MigdalConfig systemTrust = config(front.port(), PASSWORD, "required", "localhost", null);
            Notifier.Outcome refused = notifier(systemTrust).test().get(0);
            assertThat(refused.error()).contains("SMTP relay localhost:" + front.port()).containsIgnoringCase("certification path")
                    .doesNotContain(PASSWORD);
            assertThat(mail.getReceivedMessages()).as("nothing more arrived").hasSize(2);
        }
    }
}
