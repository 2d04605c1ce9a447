package io.kimi.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** One counter for the class (loading the encodings takes a while); memo tests make their own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenCounterTest {
    private static final TokenEncoding CL100K = TokenEncoding.CL100K_BASE;
    private static final TokenEncoding O200K = TokenEncoding.O200K_BASE;

    /**
     * The {@code example_messages} conversation of OpenAI's cookbook "How to count tokens with tiktoken",
     * for which the API reported 129 prompt tokens (gpt-3.5-turbo-0613, gpt-4) and 124 (gpt-4o, gpt-4o-mini).
     */
    private static final String COOKBOOK_REQUEST = """
            {"model": "gpt-4", "messages": [
              {"role": "system", "content": "You are a helpful, pattern-following assistant that translates corporate jargon into plain English."},
              {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
              {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
              {"role": "system", "name": "example_user", "content": "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."},
              {"role": "system", "name": "example_assistant", "content": "Let's talk later when we're less busy about how to do better."},
              {"role": "user", "content": "This late pivot means we don't have time to boil the ocean for the client deliverable."}
            ]}""";

    private final ObjectMapper mapper = new ObjectMapper();
    private final TokenCounter counter = new TokenCounter(1_000_000);

    @Test
    void helloWorldIsTwoTokensInBothEncodings() {
        assertThat(counter.countText(CL100K, "hello world")).isEqualTo(2);
        assertThat(counter.countText(O200K, "hello world")).isEqualTo(2);
    }

    @Test
    void countsMatchTheCookbookExamplesInCl100k() {
        // From the cookbook's encode() and compare_encodings() outputs.
        assertThat(counter.countText(CL100K, "tiktoken is great!")).isEqualTo(6);
        assertThat(counter.countText(CL100K, "antidisestablishmentarianism")).isEqualTo(6);
        assertThat(counter.countText(CL100K, "2 + 2 = 4")).isEqualTo(7);
        assertThat(counter.countText(CL100K, "お誕生日おめでとう")).isEqualTo(9);
    }

    @Test
    void cookbookConversationCountsLikeTheOpenAiApi() throws Exception {
        JsonNode request = mapper.readTree(COOKBOOK_REQUEST);

        assertThat(counter.countPrompt(CL100K, request)).isEqualTo(129);
        assertThat(counter.countPrompt(O200K, request)).isEqualTo(124);
    }

    @Test
    void specialTokenTextIsCountedAsOrdinaryText() {
        assertThat(counter.countText(CL100K, "<|endoftext|>")).isGreaterThan(1);
        assertThat(counter.countText(O200K, "say <|endoftext|> and <|fim_prefix|>")).isGreaterThan(4);
        assertThat(counter.countText(CL100K, "")).isZero();
    }

    @Test
    void completionIsCountedAsText() {
        assertThat(counter.countCompletion(CL100K, "tiktoken is great!")).isEqualTo(6);
    }

    @Test
    void growingConversationTokenizesOnlyTheNewMessage() throws Exception {
        TokenCounter counter = new TokenCounter(1_000_000);
        ObjectNode request = (ObjectNode) mapper.readTree(COOKBOOK_REQUEST);
        int before = counter.countPrompt(CL100K, request);
        TokenCacheStats first = counter.cacheStats();
        assertThat(first.missCount()).isEqualTo(6);

        ((ArrayNode) request.get("messages")).addObject().put("role", "assistant").put("content", "hello world");
        int after = counter.countPrompt(CL100K, request);
        TokenCacheStats second = counter.cacheStats();

        assertThat(second.missCount()).isEqualTo(first.missCount() + 1);
        assertThat(second.hitCount()).isEqualTo(first.hitCount() + 6);
        assertThat(after).isEqualTo(before + 3 + 1 + 2); // message overhead + "assistant" + "hello world"
    }

    @Test
    void aMessageChangedInPlaceAfterCountingIsCountedAgain() throws Exception {
        TokenCounter counter = new TokenCounter(1_000_000);
        ObjectNode message = user("hello world");
        JsonNode request = chat(message);
        int before = counter.countPrompt(CL100K, request);

        message.put("content", "hello world, hello world");

        assertThat(counter.countPrompt(CL100K, request)).isEqualTo(new TokenCounter(0).countPrompt(CL100K, request))
                .isGreaterThan(before);
        assertThat(counter.countPrompt(CL100K, chat(user("hello world")))).isEqualTo(before);
    }

    @Test
    void longMessagesAlikeButForOneCharacterHaveTheirOwnCounts() {
        TokenCounter counter = new TokenCounter(1_000_000);
        String text = "word ".repeat(2_000);
        String other = text.substring(0, 5_001) + "x" + text.substring(5_002);
        int first = counter.countPrompt(CL100K, chat(user(text)));
        int second = counter.countPrompt(CL100K, chat(user(other)));

        assertThat(second).isEqualTo(new TokenCounter(0).countPrompt(CL100K, chat(user(other)))).isNotEqualTo(first);
        assertThat(counter.cacheStats().missCount()).isEqualTo(2);
    }

    @Test
    void cachedCountsAreKeptPerEncoding() throws Exception {
        TokenCounter counter = new TokenCounter(1_000_000);
        JsonNode request = mapper.readTree(COOKBOOK_REQUEST);
        counter.countPrompt(CL100K, request);
        counter.countPrompt(O200K, request);

        assertThat(counter.cacheStats().missCount()).isEqualTo(12);
        assertThat(counter.countPrompt(O200K, request)).isEqualTo(124);
    }

    @Test
    void cacheStaysWithinItsCharacterBound() throws Exception {
        TokenCounter small = new TokenCounter(2_000);
        for (int i = 0; i < 200; i++) {
            small.countPrompt(CL100K, chat(user("message number " + i + " with some padding text")));
        }
        TokenCacheStats stats = small.cacheStats();

        assertThat(stats.cachedChars()).isLessThanOrEqualTo(2_000);
        assertThat(stats.evictionCount()).isPositive();
        assertThat(stats.missCount()).isEqualTo(200);
    }

    @Test
    void zeroBoundDisablesCachingButStillCounts() throws Exception {
        TokenCounter none = new TokenCounter(0);
        JsonNode request = mapper.readTree(COOKBOOK_REQUEST);

        assertThat(none.countPrompt(CL100K, request)).isEqualTo(129);
        assertThat(none.countPrompt(CL100K, request)).isEqualTo(129);
        assertThat(none.cacheStats().cachedChars()).isZero();
    }

    @Test
    void textPartsCountLikeStringContentAndImagesCountAFlatEstimate() {
        ObjectNode asString = user("hello world");
        ObjectNode asParts = mapper.createObjectNode().put("role", "user");
        asParts.putArray("content").addObject().put("type", "text").put("text", "hello world");
        ObjectNode withImage = asParts.deepCopy();
        ((ArrayNode) withImage.get("content")).addObject().put("type", "image_url")
                .putObject("image_url").put("url", "data:image/png;base64,AAAA");

        int plain = counter.countPrompt(CL100K, chat(asString));
        assertThat(counter.countPrompt(CL100K, chat(asParts))).isEqualTo(plain);
        assertThat(counter.countPrompt(CL100K, chat(withImage))).isEqualTo(plain + ChatTokenRules.IMAGE_PART_TOKENS);
    }

    @Test
    void nameCostsOneTokenMoreThanItsText() {
        ObjectNode named = user("hello world").put("name", "hello");

        assertThat(counter.countPrompt(CL100K, chat(named)))
                .isEqualTo(counter.countPrompt(CL100K, chat(user("hello world"))) + 1 + 1);
    }

    @Test
    void toolCallsAndToolResultsAreCounted() throws Exception {
        JsonNode request = mapper.readTree("""
                {"messages": [
                  {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function",
                     "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                  {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}
                ]}""");
        int expected = 3
                + 3 + text("assistant") + ChatTokenRules.TOKENS_PER_TOOL_CALL + text("get_weather")
                + text("{\"city\":\"Paris\"}")
                + 3 + text("tool") + text("call_1") + text("sunny");

        assertThat(counter.countPrompt(CL100K, request)).isEqualTo(expected);
    }

    @Test
    void toolDefinitionsAddTheirJsonTextAndOverhead() throws Exception {
        JsonNode request = mapper.readTree("""
                {"messages": [{"role": "user", "content": "hello world"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather",
                   "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]}""");
        String functionJson = request.get("tools").get(0).get("function").toString();
        int withoutTools = counter.countPrompt(CL100K, chat(user("hello world")));

        assertThat(counter.countPrompt(CL100K, request)).isEqualTo(withoutTools
                + ChatTokenRules.TOOLS_FRAMING + ChatTokenRules.TOKENS_PER_TOOL + text(functionJson));
    }

    @Test
    void missingOrInvalidMessagesAreRejectedClearly() throws Exception {
        assertThatThrownBy(() -> counter.countPrompt(CL100K, mapper.readTree("{\"model\":\"x\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messages: missing");
        assertThatThrownBy(() -> counter.countPrompt(CL100K, mapper.readTree("{\"messages\":\"hi\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messages: STRING");
        assertThatThrownBy(() -> counter.countPrompt(CL100K, mapper.readTree("{\"messages\":[{\"role\":\"user\"},3]}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("messages[1]");
        assertThatThrownBy(() -> new TokenCounter(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentCountsAgree() throws Exception {
        JsonNode request = mapper.readTree(COOKBOOK_REQUEST);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> counts = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                TokenEncoding encoding = i % 2 == 0 ? CL100K : O200K;
                counts.add(pool.submit(() -> counter.countPrompt(encoding, request)));
            }
            for (int i = 0; i < counts.size(); i++) {
                assertThat(counts.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(i % 2 == 0 ? 129 : 124);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private int text(String s) {
        return counter.countText(CL100K, s);
    }

    private ObjectNode user(String content) {
        return mapper.createObjectNode().put("role", "user").put("content", content);
    }

    private JsonNode chat(ObjectNode... messages) {
        ObjectNode request = mapper.createObjectNode().put("model", "gpt-4");
        ArrayNode array = request.putArray("messages");
        for (ObjectNode message : messages) {
            array.add(message);
        }
        return request;
    }
}
