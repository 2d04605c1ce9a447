package io.kimi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code [server] max_accounted_reply_bytes}: how much of one reply is kept for counting its tokens. */
class ReplyAccountingSettingsTest {
    @TempDir
    Path dir;

    private ServerConfig server(String serverToml) {
        return new Loading(dir).load("[server]\n" + serverToml + "\n" + Loading.LOCAL_CATALOGUE).server();
    }

    @Test
    void defaultIsEightMebibytes() {
        ServerConfig builtIn = new Loading(dir).loader(Map.of()).load(ConfigOverrides.none()).server();
        for (ServerConfig s : List.of(builtIn, server("port = 9000"))) {
            assertThat(s.maxAccountedReplyBytes()).isEqualTo(8 * 1024 * 1024);
        }
    }

    @Test
    void fileValueIsReadAndSurvivesCommandLineOverrides() {
        ServerConfig s = server("max_accounted_reply_bytes = 0");
        assertThat(s.maxAccountedReplyBytes()).isZero();
        assertThat(s.withBinding("127.0.0.2", 1234, null).maxAccountedReplyBytes()).isZero();
        assertThat(server("max_accounted_reply_bytes = 16777216").maxAccountedReplyBytes()).isEqualTo(16 << 20);
    }

    @Test
    void valuesOutsideZeroToSixteenMebibytesAreRefusedNamingTheKey() {
        for (String bad : List.of("-1", "16777217", "\"8M\"")) {
            ConfigException e = catchThrowableOfType(ConfigException.class, () -> new Loading(dir)
                    .load("[server]\nmax_accounted_reply_bytes = " + bad + "\n" + Loading.LOCAL_CATALOGUE));
            assertThat(e).as(bad).isNotNull();
            assertThat(e.key()).as(bad).isEqualTo("server.max_accounted_reply_bytes");
        }
    }
}
