package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [server]}'s accounting keys: estimate_sample_every, accounting_queue_limit. */
class AccountingSettingsTest {
    @TempDir
    Path dir;

    private ServerConfig server(String serverToml) {
        return new Loading(dir).server(serverToml);
    }

    private ConfigException failure(String serverToml) {
        return new Loading(dir).serverFailure(serverToml);
    }

    @Test
    void defaultsCountEverySixteenthReportedReplyAndLetTenThousandRequestsWait() {
        ServerConfig builtIn = new Loading(dir).builtInServer();
        ServerConfig fileWithoutTheKeys = server("port = 9000");

        for (ServerConfig s : List.of(builtIn, fileWithoutTheKeys)) {
            assertThat(s.accounting()).isEqualTo(AccountingConfig.DEFAULTS);
            assertThat(s.accounting().estimateSampleEvery()).isEqualTo(16);
            assertThat(s.accounting().queueLimit()).isEqualTo(10_000);
        }
    }

    @Test
    void fileValuesAreReadAndSurviveOverrides() {
        ServerConfig s = server("estimate_sample_every = 0\naccounting_queue_limit = 5");

        assertThat(s.accounting()).isEqualTo(new AccountingConfig(0, 5));
        assertThat(s.withBinding("127.0.0.3", 0, null).accounting()).isEqualTo(new AccountingConfig(0, 5));
        assertThat(server("estimate_sample_every = 1").accounting().estimateSampleEvery()).isEqualTo(1);
    }

    @Test
    void outOfRangeValuesNameTheKeyAndTheRange() {
        assertThat(failure("estimate_sample_every = -1").getMessage())
                .endsWith("server.estimate_sample_every: out of range: -1 (expected: 0-1000000)");
        assertThat(failure("accounting_queue_limit = 0").getMessage())
                .endsWith("server.accounting_queue_limit: out of range: 0 (expected: 1-10000000)");
        assertThat(failure("estimate_sample_every = \"often\"").reason())
                .isEqualTo("expected an integer, got string \"often\"");
    }
}
