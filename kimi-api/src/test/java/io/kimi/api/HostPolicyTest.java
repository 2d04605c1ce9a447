package io.kimi.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostPolicyTest {
    private final HostPolicy loopbackBind = new HostPolicy("127.0.0.1", List.of());

    @Test
    void loopbackNamesAndAddressesAreAllowedOnAnyPort() {
        for (String host : List.of("127.0.0.1:8766", "127.0.0.1", "127.8.9.10:1", "localhost", "LocalHost:80",
                "localhost.", "app.localhost:3000", "[::1]:8766", "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]")) {
            assertThat(loopbackBind.allows(host)).as(host).isTrue();
        }
    }

    @Test
    void otherNamesAndMalformedValuesAreRefused() {
        for (String host : List.of("evil.example", "evil.example:8766", "localhost.evil.example", "127.0.0.1.nip.io",
                "10.0.0.5", "[fd00::1]", "::1", "[::1", "[::1]x", "localhost:80a", "", ":8766", "0.0.0.0")) {
            assertThat(loopbackBind.allows(host)).as(host).isFalse();
        }
    }

    @Test
    void noHostHeaderIsAllowedBecauseBrowsersAlwaysSendOne() {
        assertThat(loopbackBind.allows(null)).isTrue();
    }

    @Test
    void theBindHostAndConfiguredHostsAreAllowedInAnyCaseAndForm() {
        HostPolicy policy = new HostPolicy("192.168.1.20", List.of("dash.example.com", "fd00:0:0::1"));

        for (String host : List.of("192.168.1.20:8766", "Dash.Example.COM", "dash.example.com.:443", "[fd00::1]:80",
                "localhost")) {
            assertThat(policy.allows(host)).as(host).isTrue();
        }
        assertThat(policy.allows("www.dash.example.com")).isFalse();
    }

    @Test
    void aWildcardBindAllowsOnlyLoopbackAndConfiguredHostsAndAStarAllowsAny() {
        assertThat(new HostPolicy("0.0.0.0", List.of()).allows("0.0.0.0:8766")).isFalse();
        assertThat(new HostPolicy("0.0.0.0", List.of()).allows("192.168.1.20")).isFalse();
        assertThat(new HostPolicy("::", List.of()).allows("[::]")).isFalse();
        assertThat(new HostPolicy("0.0.0.0", List.of("*")).allows("anything.example:1")).isTrue();
    }
}
