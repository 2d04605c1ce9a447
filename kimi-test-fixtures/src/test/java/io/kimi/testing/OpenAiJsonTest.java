package io.kimi.testing;

import static io.kimi.testing.Loopback.chatBody;
import static io.kimi.testing.Loopback.dataPayloads;
import static io.kimi.testing.Loopback.httpClient;
import static io.kimi.testing.Loopback.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpClient;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI and Moonshot documents the fake sends, streamed through a real server. */
class OpenAiJsonTest {

  private static final List<String> DELTAS = List.of("Hel", "lo ", "world");
  private static final Usage USAGE = new Usage(12, 3, 8);

  private final ObjectMapper mapper = new ObjectMapper();
  private final HttpClient client = httpClient();
  private FakeUpstream upstream;

  @BeforeEach
  void start() {
    upstream = FakeUpstream.start();
  }

  @AfterEach
  void close() {
    upstream.close();
  }

  @Test
  void openAiStyleAddsAUsageChunkWhenTheRequestAsksForUsage() throws Exception {
    upstream.enqueue(Reply.streamingCompletion(DELTAS, USAGE, UsageStyle.OPENAI));

    List<String> payloads = stream(chatBody("gpt-4o-mini", true, true));

    assertThat(payloads).hasSize(5).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = json(payloads.subList(0, 4));
    assertContentChunks(chunks.subList(0, 3), "gpt-4o-mini");
    assertThat(chunks.subList(0, 3)).allMatch(c -> c.has("usage") && c.get("usage").isNull());
    JsonNode usageChunk = chunks.get(3);
    assertThat(usageChunk.path("object").asText()).isEqualTo("chat.completion.chunk");
    assertThat(usageChunk.path("id").asText()).isEqualTo(chunks.get(0).path("id").asText());
    assertThat(usageChunk.path("choices").isArray()).isTrue();
    assertThat(usageChunk.path("choices")).isEmpty();
    JsonNode usage = usageChunk.path("usage");
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(12);
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(3);
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(15);
    assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt()).isEqualTo(8);
  }

  @Test
  void openAiStyleSendsNoUsageWhenTheRequestDoesNotAskForIt() throws Exception {
    Reply reply = Reply.streamingCompletion(DELTAS, USAGE, UsageStyle.OPENAI);
    upstream.enqueue(reply, reply);

    List<String> withoutOptions = stream(chatBody("gpt-4o-mini", true, null));
    List<String> optedOut = stream(chatBody("gpt-4o-mini", true, false));

    for (List<String> payloads : List.of(withoutOptions, optedOut)) {
      assertThat(payloads).hasSize(4).last().isEqualTo("[DONE]");
      List<JsonNode> chunks = json(payloads.subList(0, 3));
      assertContentChunks(chunks, "gpt-4o-mini");
      assertThat(chunks).noneMatch(c -> c.has("usage"));
    }
  }

  @Test
  void moonshotStyleReportsUsageInTheLastChoiceAlways() throws Exception {
    upstream.enqueue(Reply.streamingCompletion(DELTAS, USAGE, UsageStyle.MOONSHOT));

    List<String> payloads = stream(chatBody("kimi-k2-0905-preview", true, null));

    assertThat(payloads).hasSize(4).last().isEqualTo("[DONE]");
    List<JsonNode> chunks = json(payloads.subList(0, 3));
    assertContentChunks(chunks, "kimi-k2-0905-preview");
    assertThat(chunks).noneMatch(c -> c.has("usage"));
    assertThat(chunks.subList(0, 2)).noneMatch(c -> c.at("/choices/0").has("usage"));
    JsonNode usage = chunks.get(2).at("/choices/0/usage");
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(12);
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(3);
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(15);
    assertThat(usage.path("cached_tokens").asInt()).isEqualTo(8);
  }

  @Test
  void noUsageStyleNeverReportsUsage() throws Exception {
    upstream.enqueue(Reply.streamingCompletion(DELTAS, USAGE, UsageStyle.NONE));

    List<String> payloads = stream(chatBody("gpt-4o-mini", true, true));

    assertThat(payloads).hasSize(4);
    assertThat(String.join("", payloads)).doesNotContain("usage");
  }

  @Test
  void nullUsageMeansNoUsageEvenWhenAsked() throws Exception {
    upstream.enqueue(Reply.streamingCompletion(DELTAS, null, UsageStyle.OPENAI));

    List<String> payloads = stream(chatBody("gpt-4o-mini", true, true));

    assertThat(payloads).hasSize(4);
    assertThat(String.join("", payloads)).doesNotContain("usage");
  }

  @Test
  void noDeltasGiveOneFinalChunk() throws Exception {
    upstream.enqueue(Reply.streamingCompletion(List.of(), null, UsageStyle.NONE));

    List<String> payloads = stream(chatBody("m", true, null));

    assertThat(payloads).hasSize(2);
    JsonNode chunk = mapper.readTree(payloads.get(0));
    assertThat(chunk.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
    assertThat(chunk.at("/choices/0/delta").has("content")).isFalse();
    assertThat(chunk.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
  }

  @Test
  void aBodyThatIsNotJsonStillGetsAStreamWithTheDefaultModel() throws Exception {
    upstream.enqueue(Reply.streamingCompletion(DELTAS, USAGE, UsageStyle.OPENAI));

    List<String> payloads = stream("not json");

    assertThat(payloads).hasSize(4);
    assertThat(mapper.readTree(payloads.get(0)).path("model").asText())
        .isEqualTo(OpenAiJson.DEFAULT_MODEL);
  }

  @Test
  void errorCarriesOpenAisTypeAndCodeForTheStatus() throws Exception {
    assertThat(mapper.readTree(OpenAiJson.error(400, "bad")))
        .isEqualTo(
            mapper.readTree(
                "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\","
                    + "\"param\":null,\"code\":null}}"));
    assertThat(mapper.readTree(OpenAiJson.error(404, "no such model")).at("/error/code").asText())
        .isEqualTo("model_not_found");
    assertThat(mapper.readTree(OpenAiJson.error(500, "boom")).at("/error/type").asText())
        .isEqualTo("server_error");
  }

  private List<String> stream(String requestBody) throws Exception {
    String body =
        client
            .send(post(upstream, "/v1/chat/completions", requestBody), BodyHandlers.ofString())
            .body();
    return dataPayloads(body);
  }

  private List<JsonNode> json(List<String> payloads) throws Exception {
    List<JsonNode> nodes = new ArrayList<>();
    for (String payload : payloads) {
      nodes.add(mapper.readTree(payload));
    }
    return nodes;
  }

  /** One chunk per delta, same id, role first, finish_reason stop on the last only. */
  private static void assertContentChunks(List<JsonNode> chunks, String model) {
    assertThat(chunks).hasSize(DELTAS.size());
    StringBuilder content = new StringBuilder();
    for (int i = 0; i < chunks.size(); i++) {
      JsonNode chunk = chunks.get(i);
      assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(chunk.path("id").asText())
          .startsWith("chatcmpl-")
          .isEqualTo(chunks.get(0).path("id").asText());
      assertThat(chunk.path("created").asLong()).isPositive();
      assertThat(chunk.path("model").asText()).isEqualTo(model);
      JsonNode choice = chunk.at("/choices/0");
      assertThat(choice.path("index").asInt()).isZero();
      content.append(choice.at("/delta/content").asText());
      assertThat(choice.at("/delta").has("role")).isEqualTo(i == 0);
      if (i == chunks.size() - 1) {
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
      } else {
        assertThat(choice.path("finish_reason").isNull()).isTrue();
      }
    }
    assertThat(content).hasToString(String.join("", DELTAS));
  }
}
