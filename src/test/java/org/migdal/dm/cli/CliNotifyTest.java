package org.migdal.dm.cli;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.migdal.dm.storage.Marker;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code notify [--dry-run] [--test]} and the round at the end of a cycle, with GreenMail and a local webhook server. */
class CliNotifyTest {
    @TempDir
    Path tmp;

    private GreenMail mail;
    private HttpServer hook;
    private final AtomicInteger hookStatus = new AtomicInteger(200);
    private final AtomicInteger hookCalls = new AtomicInteger();

    @AfterEach
    void stop() {
        if (mail != null) {
            mail.stop();
        }
        if (hook != null) {
            hook.stop(0);
        }
    }

    private CliFixture fixture() throws Exception {
        mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        mail.start();
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/hook", x -> {
            x.getRequestBody().readAllBytes();
            hookCalls.incrementAndGet();
            byte[] reply = (hookStatus.get() == 200 ? "ok" : "receiver broken").getBytes();
            x.sendResponseHeaders(hookStatus.get(), reply.length);
            x.getResponseBody().write(reply);
            x.close();
        });
        hook.start();
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        Files.writeString(fx.config, """
                notify:
                  smtp: {host: 127.0.0.1, port: %d, from: migdal-dm@example.org, to: [ops@example.org], starttls: off}
                  webhook: {url: "http://127.0.0.1:%d/hook"}
                """.formatted(mail.getSmtp().getPort(), hook.getAddress().getPort()), StandardOpenOption.APPEND);
        return fx;
    }

    @Test
    void testSendsToEachChannelAndExitsOneNamingTheChannelThatFails() throws Exception {
        CliFixture fx = fixture();
        hookStatus.set(500);

        CliFixture.Run r = fx.cli("notify", "--test");

        assertThat(r.code()).as("%s", r).isEqualTo(1);
        assertThat(r.out()).contains("smtp: test message sent");
        assertThat(r.err()).contains("webhook: FAILED").contains("answered HTTP 500: receiver broken");
        assertThat(mail.waitForIncomingEmail(5000, 1)).isTrue();
        hookStatus.set(200);
        assertThat(fx.cli("notify", "--test").code()).isZero();
    }

    @Test
    void aCycleThatFindsTheTapeDownAnnouncesItOnceAndDryRunSendsNothing() throws Exception {
        CliFixture fx = fixture();
        Files.delete(fx.tape.resolve(Marker.NAME)); // the tape endpoint is not the one that was set up: DOWN

        CliFixture.Run run = fx.cli("run", "--role", "all");
        assertThat(run.code()).as("%s", run).isEqualTo(1);
        assertThat(mail.waitForIncomingEmail(5000, 1)).isTrue();
        MimeMessage m = mail.getReceivedMessages()[0];
        String tapeUrl = fx.tape.toUri().toString();
        assertThat(m.getSubject()).contains("endpoint-down:" + tapeUrl.replaceAll("/$", ""));
        assertThat((String) m.getContent()).contains("MARKER_MISSING").contains("migdal-dm storage probe");
        assertThat(hookCalls.get()).isEqualTo(1);

        CliFixture.Run dry = fx.cli("notify", "--dry-run");
        assertThat(dry.code()).as("%s", dry).isZero();
        assertThat(dry.out()).contains("smtp: nothing to send").contains("webhook: nothing to send");

        assertThat(fx.cli("run", "--role", "grid").code()).isEqualTo(1);
        assertThat(fx.cli("notify").code()).isZero();
        assertThat(mail.getReceivedMessages()).as("announced once").hasSize(1);
        assertThat(hookCalls.get()).isEqualTo(1);
    }

    @Test
    void dryRunPrintsWhatWouldBeSentAndChangesNothingThenNotifySendsIt() throws Exception {
        CliFixture fx = fixture();
        Files.delete(fx.tape.resolve(Marker.NAME));
        assertThat(fx.cli("storage", "probe").code()).isEqualTo(1); // records the tape DOWN

        CliFixture.Run dry = fx.cli("notify", "--dry-run");
        assertThat(dry.code()).as("%s", dry).isZero();
        assertThat(dry.out()).contains("smtp: would send now").contains("webhook: would send now")
                .contains("NEW     endpoint-down:" + fx.tape.toUri()).contains("MARKER_MISSING");
        assertThat(mail.getReceivedMessages()).isEmpty();
        assertThat(hookCalls.get()).isZero();

        CliFixture.Run sent = fx.cli("notify");
        assertThat(sent.code()).as("%s", sent).isZero();
        assertThat(sent.out()).contains("smtp: 1 event(s) sent").contains("webhook: 1 event(s) sent");
        assertThat(mail.waitForIncomingEmail(5000, 1)).isTrue();
        assertThat(hookCalls.get()).isEqualTo(1);
    }

    @Test
    void withoutAChannelNotifyIsAConfigurationError() throws Exception {
        CliFixture fx = new CliFixture(tmp, "cleanupRaw: false");
        CliFixture.Run r = fx.cli("notify", "--test");
        assertThat(r.code()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).contains("no notification channel is configured (notify.smtp, notify.webhook");
    }
}
