package io.kimi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.config.ConfigLoader;
import io.kimi.config.ConfigOverrides;
import io.kimi.config.KimiConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SecretScrubberTest {
    private static final String KEY = "sk-test-Abc123Def456Ghi789Jkl0Wxyz";
    private static final String SLASHED = "bk/+Zq9Yx8Wv7Ut6Sr5=";
    private final SecretScrubber secrets = SecretScrubber.of(List.of(KEY, SLASHED));

    @Test
    void replacesEveryOccurrenceOfEverySecretAndCountsThem() {
        String out = secrets.scrub(KEY + " and Bearer " + KEY + ", also " + SLASHED);

        assertThat(out).isEqualTo("[REDACTED] and Bearer [REDACTED], also [REDACTED]");
        assertThat(secrets.redactions()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bk%2F%2BZq9Yx8Wv7Ut6Sr5%3D", "bk%2f%2bZq9Yx8Wv7Ut6Sr5%3d", "bk\\/+Zq9Yx8Wv7Ut6Sr5="})
    void findsUrlEncodedAndJsonEscapedForms(String form) {
        assertThat(secrets.scrub("key=" + form + "&x=1")).isEqualTo("key=[REDACTED]&x=1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sk-test-Abc1**********Wxyz", "sk-...Wxyz", "sk-\u2026Wxyz", "****Wxyz", "sk-test-Abc1"})
    void removesMaskedFormsThatShowTheHeadOrTheTail(String shown) {
        assertThat(secrets.scrub("Incorrect API key provided: " + shown + "."))
                .isEqualTo("Incorrect API key provided: [REDACTED].");
    }

    @Test
    void leavesTheLastFourCharactersAloneWhenTheyAreOrdinaryText() {
        assertThat(secrets.scrub("Wxyz is a word, Wxyzzy too")).isEqualTo("Wxyz is a word, Wxyzzy too");
        assertThat(secrets.redactions()).isZero();
    }

    @Test
    void changesNothingWithoutSecrets() {
        assertThat(SecretScrubber.none().scrub(KEY)).isEqualTo(KEY);
        assertThat(SecretScrubber.of(List.of()).reveals(KEY)).isFalse();
        assertThat(secrets.scrub((String) null)).isNull();
    }

    @Test
    void ignoresSecretsTooShortToTellFromOrdinaryText() {
        SecretScrubber shortOnes = SecretScrubber.of(List.of("abc", "1234567"));

        assertThat(shortOnes.scrub("abc 1234567")).isEqualTo("abc 1234567");
    }

    @Test
    void theMarkerIsNotASecretForm() {
        assertThat(secrets.reveals(secrets.scrub(KEY + SLASHED))).isFalse();
    }

    @Test
    void anErrorWithoutSecretsIsReturnedAsIs() {
        OpenAiError clean = OpenAiError.of(502, "upstream_error", "upstream_disconnected", "closed");
        OpenAiError dirty = new OpenAiError(401, "key " + KEY, KEY, KEY, SLASHED, null);

        assertThat(secrets.scrub(clean)).isSameAs(clean);
        assertThat(secrets.scrub(dirty)).isEqualTo(
                new OpenAiError(401, "key [REDACTED]", "[REDACTED]", "[REDACTED]", "[REDACTED]", null));
    }

    @Test
    void aBufferWithoutSecretsIsReturnedUntouched() {
        ByteBuf buf = Unpooled.copiedBuffer("data: {\"choices\":[]}\n\n", StandardCharsets.UTF_8);

        ByteBuf out = secrets.scrub(buf);

        assertThat(out).isSameAs(buf);
        assertThat(buf.refCnt()).isEqualTo(1);
        buf.release();
    }

    @Test
    void aBufferWithASecretIsReplacedAndReleasedEvenAcrossComponents() {
        CompositeByteBuf buf = Unpooled.compositeBuffer();
        String text = "data: {\"content\":\"" + KEY + "\"}\n\n";
        int cut = text.indexOf("Def");
        buf.addComponent(true, Unpooled.copiedBuffer(text.substring(0, cut), StandardCharsets.UTF_8));
        buf.addComponent(true, Unpooled.copiedBuffer(text.substring(cut), StandardCharsets.UTF_8));

        ByteBuf out = secrets.scrub(buf);

        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("data: {\"content\":\"[REDACTED]\"}\n\n");
        assertThat(buf.refCnt()).isZero();
        out.release();
    }

    @Test
    void dropsHeadersWhoseNameOrValueRevealsASecretAndCountsThem() {
        HttpHeaders headers = new DefaultHttpHeaders().add("X-Echo-Authorization", "Bearer " + KEY)
                .add("X-Debug", "key=bk%2F%2BZq9Yx8Wv7Ut6Sr5%3D").add("X-" + "Abc123Def456Ghi789Jkl0", "1")
                .add("X-Request-Id", "req-1").add("Content-Type", "application/json");

        int dropped = SecretScrubber.of(List.of(KEY, SLASHED, "Abc123Def456Ghi789Jkl0")).dropRevealing(headers);

        assertThat(dropped).isEqualTo(3);
        assertThat(headers.names()).containsExactlyInAnyOrder("X-Request-Id", "Content-Type");
    }

    @Test
    void knowsEverySecretOfTheConfiguration(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, String.join("\n",
                "[server]",
                "auth_token = \"${KIMI_AUTH_TOKEN}\"",
                "[providers.a]",
                "type = \"openai\"",
                "base_url = \"https://a.example/v1\"",
                "api_key = \"${A_KEY}\"",
                "[providers.a.headers]",
                "Authorization-Extra = \"Bearer ${A_HEADER}\"",
                "X-Api-Key = \"${A_API}\"",
                "HTTP-Referer = \"https://my-app.example\"",
                "[providers.b]",
                "type = \"openai-compatible\"",
                "base_url = \"https://b.example/v1\"",
                "api_key = \"${B_KEY}\"",
                "[providers.c]",
                "type = \"openai-compatible\"",
                "base_url = \"https://c.example/v1\"",
                "api_key = \"${UNSET_KEY}\"",
                "[mcp.servers.memory]",
                "url = \"http://127.0.0.1:3100/mcp\"",
                "auth_token = \"${MCP_TOKEN}\"",
                ""));
        Map<String, String> env = Map.of("KIMI_AUTH_TOKEN", "token-0123456789", "A_KEY", "sk-a-0123456789",
                "A_HEADER", "hdr-0123456789", "A_API", "api-0123456789", "B_KEY", "sk-b-0123456789",
                "MCP_TOKEN", "mcp-0123456789");
        KimiConfig config = new ConfigLoader(env).load(new ConfigOverrides(file, null, null, null));

        SecretScrubber fromConfig = SecretScrubber.of(config);

        for (String secret : env.values()) {
            assertThat(fromConfig.scrub("<" + secret + ">")).as(secret).isEqualTo("<[REDACTED]>");
        }
        assertThat(fromConfig.scrub("from https://my-app.example")).isEqualTo("from https://my-app.example");
    }
}
