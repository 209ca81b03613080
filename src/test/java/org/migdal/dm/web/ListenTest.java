package org.migdal.dm.web;

import org.junit.jupiter.api.Test;
import org.migdal.dm.config.ConfigException;
import org.migdal.dm.config.ConfigLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The listen address: parsed from --listen or web.listen, loopback or not (a warning is logged for the latter). */
class ListenTest {
    @Test
    void hostPortIsParsedAndLoopbackIsRecognised() {
        assertThat(Listen.parse("127.0.0.1:8080")).isEqualTo(new Listen("127.0.0.1", 8080));
        assertThat(Listen.parse("[::1]:0")).isEqualTo(new Listen("::1", 0));
        assertThat(Listen.parse("127.0.0.1:8080").loopback()).isTrue();
        assertThat(Listen.parse("localhost:1").loopback()).isTrue();
        assertThat(Listen.parse("[::1]:9").loopback()).isTrue();
        assertThat(Listen.parse("0.0.0.0:8080").loopback()).isFalse();
        assertThat(Listen.parse("192.0.2.10:8080").loopback()).isFalse();
        assertThat(new Listen("::1", 80).toString()).isEqualTo("[::1]:80");
        assertThatThrownBy(() -> Listen.parse("localhost")).hasMessageContaining("'localhost' is not HOST:PORT");
        assertThatThrownBy(() -> Listen.parse("h:x")).hasMessageContaining("the port is not a number");
        assertThatThrownBy(() -> Listen.parse("h:70000")).hasMessageContaining("out of range");
    }

    @Test
    void theConfigDefaultsToLoopbackAndRefusesABadAddress() {
        String base = "storage: {disk: 'file:///s', tape: 'file:///t'}\n";
        assertThat(ConfigLoader.parse(base, "t.yaml").web().listen()).isEqualTo("127.0.0.1:8080");
        assertThat(ConfigLoader.parse(base, "t.yaml").web().enabled()).isFalse();
        assertThat(ConfigLoader.parse(base + "web: {listen: '10.0.0.5:9000', enabled: true}\n", "t.yaml").web().enabled()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.parse(base + "web: {listen: 'nohost'}\n", "t.yaml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("web.listen: 'nohost' is not HOST:PORT");
    }
}
