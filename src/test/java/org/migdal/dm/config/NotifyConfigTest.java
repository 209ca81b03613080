package org.migdal.dm.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code notify:} section: defaults, and each bad value refused with a message naming its key. */
class NotifyConfigTest {
    private static MigdalConfig parse(String notify) {
        return ConfigLoader.parse("storage: {disk: 'file:///s', tape: 'file:///t'}\n" + notify, "test.yaml");
    }

    @Test
    void offByDefaultAndParsedWhenGiven() {
        assertThat(parse("").notifications().enabled()).isFalse();
        assertThat(parse("").notifications().minIntervalMinutes()).isEqualTo(15);
        MigdalConfig c = parse("""
                notify:
                  minIntervalMinutes: 5
                  smtp: {host: smtp.example.org, from: a@example.org, to: [b@example.org, c@example.org], username: u, passwordFile: /etc/pw}
                  webhook: {url: "https://hooks.example.org/x", headersFile: /etc/h}
                """);
        NotifyConfig n = c.notifications();
        assertThat(n.enabled()).isTrue();
        assertThat(n.minIntervalMinutes()).isEqualTo(5);
        assertThat(n.smtp().port()).isEqualTo(587);
        assertThat(n.smtp().starttls()).isEqualTo("required");
        assertThat(n.smtp().to()).containsExactly("b@example.org", "c@example.org");
        assertThat(n.smtp().timeoutSeconds()).isEqualTo(30);
        assertThat(n.webhook().timeoutSeconds()).isEqualTo(10);
    }

    @Test
    void badValuesNameTheirKey() {
        String smtp = "notify:\n  smtp: {host: smtp.example.org, from: a@example.org, to: [b@example.org], %s}\n";
        List<String[]> cases = List.of(
                new String[] {"notify:\n  minIntervalMinutes: -1\n", "notify.minIntervalMinutes"},
                new String[] {"notify:\n  smtp: {hots: x}\n", "unknown key 'notify.smtp.hots'"},
                new String[] {"notify:\n  smtp: {from: a@example.org, to: [b@example.org]}\n", "notify.smtp.host: missing"},
                new String[] {smtp.formatted("starttls: maybe"), "notify.smtp.starttls: 'maybe' is not one of required, optional, off"},
                new String[] {smtp.formatted("port: 70000"), "notify.smtp.port"},
                new String[] {smtp.formatted("username: u"), "notify.smtp.passwordFile: missing"},
                new String[] {smtp.formatted("username: u, passwordFile: /pw, starttls: off"), "notify.smtp.starttls: 'off' could send the password"},
                new String[] {smtp.formatted("username: u, passwordFile: pw"), "notify.smtp.passwordFile: 'pw' must be an absolute path"},
                new String[] {"notify:\n  smtp: {host: h, from: nobody, to: [b@example.org]}\n", "notify.smtp.from"},
                new String[] {"notify:\n  smtp: {host: h, from: a@example.org, to: []}\n", "notify.smtp.to: missing"},
                new String[] {"notify:\n  webhook: {url: 'http://hooks.example.org/x'}\n", "notify.webhook.url"},
                new String[] {"notify:\n  webhook: {url: 'https://h.example.org/x', timeoutSeconds: 0}\n", "notify.webhook.timeoutSeconds"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> parse(c[0])).as(c[0]).isInstanceOf(ConfigException.class).hasMessageContaining(c[1]);
        }
    }

    @Test
    void aPlainRelayOnThisMachineMayTakeAPassword() {
        assertThat(parse("notify:\n  smtp: {host: 127.0.0.1, port: 2525, from: a@example.org, to: [b@example.org], starttls: off,"
                + " username: u, passwordFile: /pw}\n").notifications().smtp().starttls()).isEqualTo("off");
    }
}
