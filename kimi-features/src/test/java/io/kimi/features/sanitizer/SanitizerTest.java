package io.kimi.features.sanitizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.SanitizerConfig;
import io.kimi.core.MaskedContent;
import io.kimi.core.Session;
import io.kimi.core.store.sqlite.SqliteStore;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.features.MessageHash;
import io.kimi.features.TransformContext;
import io.kimi.features.Transformed;
import io.kimi.testing.ToolHeavyConversation;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SanitizerTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final TokenCounter COUNTER = new TokenCounter(64L << 20);
    private static final TokenEncoding ENCODING = TokenEncoding.CL100K_BASE;
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final TransformContext CONTEXT =
            new TransformContext("s1", "r1", "gpt-4o", ENCODING, 128_000, COUNTER, NOW);
    /**
     * Tokens left after the sanitizer on {@code ToolHeavyConversation.messages(60, 42)}, as a share of the
     * tokens before: measured 0.209 with the defaults (215,375 -> 45,046 tokens, 69 messages masked) and 0.190
     * with observation masking keeping the last 6 results (40,999 tokens, 86 masked). The fixture is
     * deterministic; the bounds leave a margin for changes to the fixture's content.
     */
    private static final double MEASURED_DEFAULTS_RATIO = 0.25;
    private static final double MEASURED_OBSERVATION_RATIO = 0.22;

    @TempDir
    Path dir;

    private SqliteStore store;
    private MaskVault vault;

    @BeforeEach
    void open() throws Exception {
        store = SqliteStore.open(dir.resolve("kimi.db"), Clock.systemUTC());
        store.saveSession(Session.newProxy("s1", "test", NOW, "openai", "gpt-4o", 128_000)).get(30, TimeUnit.SECONDS);
        vault = new MaskVault(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** Log-like text of about {@code lines * 14} tokens. */
    private static String log(int lines) {
        return IntStream.range(0, lines)
                .mapToObj(i -> "[INFO] step " + i + " of the build finished in " + (i * 7 % 1000) + " ms")
                .collect(Collectors.joining("\n"));
    }

    private static ObjectNode message(ArrayNode messages, String role, String content) {
        ObjectNode m = messages.addObject().put("role", role);
        if (content == null) {
            m.putNull("content");
        } else {
            m.put("content", content);
        }
        return m;
    }

    private static ObjectNode assistantCall(ArrayNode messages, String id, String tool) {
        ObjectNode m = message(messages, "assistant", null);
        ObjectNode call = m.putArray("tool_calls").addObject().put("id", id).put("type", "function");
        call.putObject("function").put("name", tool).put("arguments", "{}");
        return m;
    }

    private static ObjectNode toolResult(ArrayNode messages, String id, String content) {
        return message(messages, "tool", content).put("tool_call_id", id);
    }

    private static int tokens(JsonNode message) {
        return COUNTER.countMessage(ENCODING, message);
    }

    private Sanitizer sanitizer(int threshold, int preview, int keepLast, int minObservation) {
        return new Sanitizer(new SanitizerConfig(true, threshold, preview, keepLast, minObservation), vault);
    }

    private static Transformed apply(Sanitizer sanitizer, ArrayNode messages) {
        String before = messages.toString();
        Transformed out = sanitizer.apply(messages, CONTEXT);
        assertThat(messages.toString()).as("input must not be mutated").isEqualTo(before);
        return out;
    }

    @Test
    void masksAToolResultOverTheThresholdWithAPlaceholderNamingItsHash() {
        ArrayNode in = NODES.arrayNode();
        message(in, "user", "why does the build fail?");
        assistantCall(in, "call_1", "run_tests");
        String output = log(200);
        toolResult(in, "call_1", output);
        int original = tokens(in.get(2));

        Transformed out = apply(sanitizer(1000, 200, 0, 200), in);

        JsonNode masked = out.messages().get(2);
        String hash = MessageHash.ofText(output);
        assertThat(masked.get("content").asText())
                .isEqualTo(Sanitizer.placeholder(hash, original, "run_tests", output, 200))
                .startsWith("[kimi-mask " + hash + "] " + original + " tokens of run_tests output masked by the proxy."
                        + " Preview:\n" + output.substring(0, 100) + "\n…\n")
                .endsWith(output.substring(output.length() - 100) + "\nFull text: GET /api/mask/" + hash);
        assertThat(masked.get("tool_call_id").asText()).isEqualTo("call_1");
        assertThat(masked.get("role").asText()).isEqualTo("tool");
        assertThat(out.messages().get(0)).isSameAs(in.get(0));
        assertThat(out.messages().get(1)).isSameAs(in.get(1));
        assertThat(out.report().changed()).isEqualTo(1);
        assertThat(out.report().tokensBefore()).isEqualTo(original);
        assertThat(out.report().tokensAfter()).isEqualTo(tokens(masked)).isLessThan(original / 5);
        JsonNode entry = out.report().details().get("masked").get(0);
        assertThat(entry.get("hash").asText()).isEqualTo(hash);
        assertThat(entry.get("role").asText()).isEqualTo("tool");
        assertThat(entry.get("tool_name").asText()).isEqualTo("run_tests");
        assertThat(entry.get("original_tokens").asInt()).isEqualTo(original);
        assertThat(entry.get("placeholder_tokens").asInt()).isEqualTo(tokens(masked));
        assertThat(entry.get("index").asInt()).isEqualTo(2);
        assertThat(out.report().details().get("observation_masked").asInt()).isZero();
    }

    @Test
    void masksOnlyAboveTheThresholdNotAtIt() {
        ArrayNode in = NODES.arrayNode();
        assistantCall(in, "call_1", "grep");
        toolResult(in, "call_1", log(100));
        int exact = tokens(in.get(1));

        assertThat(apply(sanitizer(exact, 200, 0, 200), in).messages()).isSameAs(in);
        assertThat(apply(sanitizer(exact - 1, 200, 0, 200), in).report().changed()).isEqualTo(1);
    }

    @Test
    void theOriginalCanBeReadBackByHashFromTheCacheAndFromTheStore() throws Exception {
        ArrayNode in = NODES.arrayNode();
        assistantCall(in, "call_1", "read_file");
        String file = log(150) + "\nünïcødé \uD83D\uDE00 end";
        toolResult(in, "call_1", file);

        Transformed out = apply(sanitizer(500, 200, 0, 200), in);
        String hash = out.report().details().get("masked").get(0).get("hash").asText();

        MaskedContent cached = vault.find(hash).orElseThrow();
        assertThat(cached.content()).isEqualTo(file);
        assertThat(cached.hash()).isEqualTo(MessageHash.ofText(file));
        assertThat(cached.sessionId()).isEqualTo("s1");
        assertThat(cached.requestId()).isEqualTo("r1");
        assertThat(cached.role()).isEqualTo("tool");
        assertThat(cached.toolName()).isEqualTo("read_file");
        assertThat(cached.originalTokens()).isEqualTo(tokens(in.get(1)));
        assertThat(cached.placeholderTokens()).isEqualTo(tokens(out.messages().get(1)));
        assertThat(cached.createdAt()).isEqualTo(NOW);

        store.flush().get(30, TimeUnit.SECONDS);
        MaskedContent stored = new MaskVault(store).find(hash.toUpperCase(Locale.ROOT)).orElseThrow();
        assertThat(stored).isEqualTo(cached);
    }

    @Test
    void runningOnItsOwnOutputChangesNothing() {
        ArrayNode in = NODES.arrayNode();
        assistantCall(in, "call_1", "read_file");
        toolResult(in, "call_1", log(300));
        assistantCall(in, "call_2", "grep");
        toolResult(in, "call_2", log(120));
        Sanitizer sanitizer = sanitizer(100, 200, 1, 10);

        Transformed once = apply(sanitizer, in);
        Transformed twice = apply(sanitizer, once.messages());

        assertThat(once.report().changed()).isEqualTo(2);
        assertThat(twice.messages()).isSameAs(once.messages());
        assertThat(twice.report().changed()).isZero();
    }

    @Test
    void masksTextPartsButLeavesMessagesWithOtherPartsAlone() {
        ArrayNode in = NODES.arrayNode();
        assistantCall(in, "call_1", "read_file");
        ObjectNode parts = toolResult(in, "call_1", null);
        ArrayNode content = parts.putArray("content");
        content.addObject().put("type", "text").put("text", log(100));
        content.addObject().put("type", "text").put("text", log(50));
        assistantCall(in, "call_2", "screenshot");
        ObjectNode withImage = toolResult(in, "call_2", null);
        ArrayNode mixed = withImage.putArray("content");
        mixed.addObject().put("type", "text").put("text", log(200));
        mixed.addObject().put("type", "image_url").putObject("image_url").put("url", "data:image/png;base64,AAAA");

        Transformed out = apply(sanitizer(300, 100, 0, 100), in);

        assertThat(out.report().changed()).isEqualTo(1);
        JsonNode masked = out.messages().get(1);
        assertThat(masked.get("content").isTextual()).isTrue();
        String joined = log(100) + "\n" + log(50);
        assertThat(masked.get("content").asText()).startsWith("[kimi-mask " + MessageHash.ofText(joined) + "]");
        assertThat(vault.find(MessageHash.ofText(joined)).orElseThrow().content()).isEqualTo(joined);
        assertThat(out.messages().get(3)).isSameAs(in.get(3));
    }

    @Test
    void masksUserMessagesOnlyWhenTheyAreConsoleOutput() {
        ArrayNode in = NODES.arrayNode();
        message(in, "user", "$ mvn test\n" + log(200));
        message(in, "user", "Please read this carefully. " + log(200));
        message(in, "system", "```\n" + log(200) + "\n```");

        Transformed out = apply(sanitizer(500, 100, 0, 100), in);

        assertThat(out.report().changed()).isEqualTo(1);
        assertThat(out.messages().get(0).get("content").asText()).contains("tokens of user output masked");
        assertThat(out.messages().get(1)).isSameAs(in.get(1));
        assertThat(out.messages().get(2)).isSameAs(in.get(2));
    }

    @Test
    void namesTheToolFromTheMessageOrItsCallAndFallsBackToTheRole() {
        ArrayNode in = NODES.arrayNode();
        message(in, "function", log(100)).put("name", "get_weather");
        toolResult(in, "call_unknown", log(101));
        assistantCall(in, "call_1", "list_dir");
        toolResult(in, "call_1", log(102));

        Transformed out = apply(sanitizer(200, 50, 0, 50), in);

        JsonNode masked = out.report().details().get("masked");
        assertThat(masked.get(0).get("tool_name").asText()).isEqualTo("get_weather");
        assertThat(masked.get(0).get("role").asText()).isEqualTo("function");
        assertThat(out.messages().get(0).get("name").asText()).isEqualTo("get_weather");
        assertThat(masked.get(1).get("tool_name").isNull()).isTrue();
        assertThat(out.messages().get(1).get("content").asText()).contains("tokens of tool output masked");
        assertThat(masked.get(2).get("tool_name").asText()).isEqualTo("list_dir");
    }

    @Test
    void observationMaskingMasksAnsweredResultsOlderThanTheLastN() {
        ArrayNode in = NODES.arrayNode();
        message(in, "user", "go");
        assistantCall(in, "call_1", "read_file");
        toolResult(in, "call_1", log(30)); // old, answered, over the minimum: masked
        assistantCall(in, "call_2", "read_file");
        toolResult(in, "call_2", "tiny"); // old, answered, under the minimum: kept
        assistantCall(in, "call_3", "read_file");
        toolResult(in, "call_3", log(31)); // the last one: kept
        message(in, "assistant", "done");

        Transformed out = apply(sanitizer(100_000, 40, 1, 50), in);

        assertThat(out.report().changed()).isEqualTo(1);
        assertThat(out.report().details().get("observation_masked").asInt()).isEqualTo(1);
        assertThat(out.report().details().get("masked").get(0).get("observation").asBoolean()).isTrue();
        assertThat(out.messages().get(2).get("content").asText()).startsWith("[kimi-mask ");
        assertThat(out.messages().get(4)).isSameAs(in.get(4));
        assertThat(out.messages().get(6)).isSameAs(in.get(6));
    }

    @Test
    void resultsTheModelHasNotAnsweredYetAreMaskedOnlyBySize() {
        ArrayNode in = NODES.arrayNode();
        message(in, "user", "go");
        ObjectNode calls = assistantCall(in, "call_1", "read_file");
        ObjectNode second = ((ArrayNode) calls.get("tool_calls")).addObject().put("id", "call_2").put("type",
                "function");
        second.putObject("function").put("name", "grep").put("arguments", "{}");
        toolResult(in, "call_1", log(30));
        toolResult(in, "call_2", log(31));

        assertThat(apply(sanitizer(100_000, 40, 1, 50), in).messages()).isSameAs(in);
        assertThat(apply(sanitizer(300, 40, 1, 50), in).report().changed()).isEqualTo(2);
    }

    @Test
    void neverMasksWhenThePlaceholderWouldNotBeShorter() {
        ArrayNode in = NODES.arrayNode();
        assistantCall(in, "call_1", "read_file");
        toolResult(in, "call_1", "short output of a few tokens");

        Transformed out = apply(sanitizer(1, 2000, 0, 0), in);

        assertThat(out.messages()).isSameAs(in);
    }

    @Test
    void neverMasksAPlaceholderAgain() {
        ArrayNode in = NODES.arrayNode();
        assistantCall(in, "call_1", "read_file");
        toolResult(in, "call_1", "[kimi-mask 0123456789abcdef0123456789abcdef] " + log(200));

        assertThat(apply(sanitizer(10, 20, 0, 0), in).messages()).isSameAs(in);
    }

    @Test
    void thePreviewNeverSplitsASurrogatePair() {
        String smile = "\uD83D\uDE00";
        String text = "ab" + smile + "cdefghijklmnopqrstuvwxyz" + smile + "yz";

        String placeholder = Sanitizer.placeholder("h", 9, "tool", text, 6);

        assertThat(placeholder).contains("Preview:\nab\n…\nyz\nFull text");
        assertThat(Sanitizer.placeholder("h", 9, "tool", text, 8)).contains("Preview:\nab" + smile + "\n…\n" + smile
                + "yz\nFull text");
    }

    @Test
    void aZeroPreviewLeavesOnlyTheHeaderAndTheLink() {
        assertThat(Sanitizer.placeholder("abc", 5, "grep", "whatever", 0))
                .isEqualTo("[kimi-mask abc] 5 tokens of grep output masked by the proxy.\nFull text: GET /api/mask/abc");
        assertThat(Sanitizer.placeholder("abc", 5, "grep", "tiny", 10))
                .isEqualTo("[kimi-mask abc] 5 tokens of grep output masked by the proxy. Preview:\ntiny\n"
                        + "Full text: GET /api/mask/abc");
    }

    @Test
    void countsRequestsMessagesAndSavedTokens() {
        ArrayNode big = NODES.arrayNode();
        assistantCall(big, "call_1", "read_file");
        toolResult(big, "call_1", log(200));
        ArrayNode small = NODES.arrayNode();
        message(small, "user", "hello");
        Sanitizer sanitizer = sanitizer(500, 100, 0, 100);

        Transformed out = apply(sanitizer, big);
        apply(sanitizer, small);

        SanitizerCounters counters = vault.counters();
        assertThat(counters.requestsSeen()).isEqualTo(2);
        assertThat(counters.requestsMasked()).isEqualTo(1);
        assertThat(counters.messagesMasked()).isEqualTo(1);
        assertThat(counters.tokensSaved()).isEqualTo(out.report().savedTokens()).isPositive();
    }

    @Test
    void returnsTheSameInstanceWhenNothingIsOverTheThreshold() {
        ArrayNode in = NODES.arrayNode();
        message(in, "system", "be brief");
        message(in, "user", "hi");
        assistantCall(in, "call_1", "read_file");
        toolResult(in, "call_1", "small");
        in.add("not an object");

        Transformed out = apply(sanitizer(1000, 200, 3, 200), in);

        assertThat(out.messages()).isSameAs(in);
        assertThat(out.report().changed()).isZero();
        assertThat(out.report().details().isEmpty()).isTrue();
    }

    @Test
    void cutsTheTokensOfALongToolHeavyConversationByThreeQuarters() {
        ArrayNode conversation = ToolHeavyConversation.messages(60, 42);

        Transformed defaults = apply(new Sanitizer(SanitizerConfig.DEFAULT, vault), conversation);
        Transformed observation = apply(sanitizer(1000, 200, 6, 200), conversation);

        int before = total(conversation);
        int afterDefaults = total(defaults.messages());
        int afterObservation = total(observation.messages());
        System.out.printf("ToolHeavyConversation(60, 42): %d messages, %d tokens; sanitizer defaults: %d tokens"
                        + " (-%.1f %%, %d masked); with observation masking (keep 6): %d tokens (-%.1f %%, %d masked)%n",
                conversation.size(), before, afterDefaults, 100.0 * (before - afterDefaults) / before,
                defaults.report().changed(), afterObservation, 100.0 * (before - afterObservation) / before,
                observation.report().changed());
        assertThat(before - afterDefaults).isEqualTo(defaults.report().savedTokens());
        assertThat((double) afterDefaults / before).isLessThan(MEASURED_DEFAULTS_RATIO);
        assertThat((double) afterObservation / before).isLessThan(MEASURED_OBSERVATION_RATIO);
        assertThat(afterObservation).isLessThan(afterDefaults);
        // Every placeholder's original is in the vault.
        for (JsonNode entry : defaults.report().details().get("masked")) {
            assertThat(vault.find(entry.get("hash").asText())).isPresent();
        }
    }

    private static int total(ArrayNode messages) {
        int total = 0;
        for (JsonNode m : messages) {
            total += tokens(m);
        }
        return total;
    }
}
