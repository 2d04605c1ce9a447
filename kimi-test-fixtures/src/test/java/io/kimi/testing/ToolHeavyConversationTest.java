package io.kimi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ToolHeavyConversationTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> TOOLS =
      Set.of("read_file", "run_tests", "grep", "list_dir", "write_file");

  @Test
  void sameSeedGivesTheSameConversation() {
    assertThat(ToolHeavyConversation.messagesJson(20, 7))
        .isEqualTo(ToolHeavyConversation.messagesJson(20, 7))
        .isNotEqualTo(ToolHeavyConversation.messagesJson(20, 8));
  }

  @Test
  void isAWellFormedChatWhereEveryToolCallIsAnsweredOnce() throws Exception {
    ArrayNode messages = ToolHeavyConversation.messages(60, 42);

    assertThat(messages.get(0).get("role").asText()).isEqualTo("system");
    Set<String> open = new HashSet<>();
    Set<String> answered = new HashSet<>();
    int users = 0;
    int calls = 0;
    for (JsonNode m : messages) {
      String role = m.get("role").asText();
      assertThat(role).isIn("system", "user", "assistant", "tool");
      if (role.equals("user")) {
        users++;
      }
      if (m.has("tool_calls")) {
        for (JsonNode call : m.get("tool_calls")) {
          calls++;
          assertThat(call.get("id").asText()).matches("call_[A-Za-z0-9]{24}");
          assertThat(call.get("type").asText()).isEqualTo("function");
          assertThat(call.get("function").get("name").asText()).isIn(TOOLS);
          assertThat(MAPPER.readTree(call.get("function").get("arguments").asText()).isObject())
              .isTrue();
          assertThat(open.add(call.get("id").asText())).isTrue();
        }
      }
      if (role.equals("tool")) {
        String id = m.get("tool_call_id").asText();
        assertThat(open).contains(id);
        assertThat(answered.add(id)).isTrue();
        assertThat(m.get("content").asText()).isNotBlank();
      }
    }
    assertThat(answered).isEqualTo(open);
    assertThat(users).isGreaterThanOrEqualTo(60);
    assertThat(calls).isGreaterThanOrEqualTo(60);
  }

  @Test
  void holdsLargeToolOutputsOfRealisticContent() {
    ArrayNode messages = ToolHeavyConversation.messages(60, 42);
    int large = 0;
    int longest = 0;
    for (JsonNode m : messages) {
      if (m.get("role").asText().equals("tool")) {
        int length = m.get("content").asText().length();
        longest = Math.max(longest, length);
        if (length > 8_000) { // about 2k tokens
          large++;
        }
      }
    }
    String json = messages.toString();

    assertThat(large).isGreaterThanOrEqualTo(30);
    assertThat(longest).isLessThan(100_000); // about 20k tokens
    // Measured: 1,044,641 characters (215,375 tokens in cl100k_base) at 60 turns, seed 42.
    assertThat(json.length()).isBetween(700_000, 1_400_000);
    assertThat(json).contains("public final class ", "[ERROR] Tests run: ", "AssertionFailedError",
        "test session starts", "src/main/java/io/acme/orders/");
  }

  @Test
  void refusesFewerThanOneTurn() {
    assertThatThrownBy(() -> ToolHeavyConversation.messages(0, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("turns: 0 (expected: >= 1)");
  }
}
