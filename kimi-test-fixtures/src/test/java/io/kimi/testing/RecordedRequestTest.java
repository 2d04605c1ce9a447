package io.kimi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordedRequestTest {

  @Test
  void headerNamesAreLowerCasedAndLookedUpIgnoringCase() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("X-Session-Id", List.of("s1"));
    headers.put("x-session-id", List.of("s2"));

    RecordedRequest request = new RecordedRequest("GET", "/v1/models", headers, new byte[0]);

    assertThat(request.headers()).containsOnlyKeys("x-session-id");
    assertThat(request.headers().get("X-SESSION-ID")).containsExactly("s1", "s2");
    assertThat(request.header("X-Session-Id")).isEqualTo("s1");
    assertThat(request.header("absent")).isNull();
    assertThatThrownBy(() -> request.headers().put("a", List.of()))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void bodyIsCopiedInAndOut() {
    byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    RecordedRequest request = new RecordedRequest("POST", "/", Map.of(), body);

    body[0] = 'X';
    request.body()[1] = 'Y';

    assertThat(request.bodyAsString()).isEqualTo("{\"a\":1}");
    assertThat(request.bodyAsJson().path("a").asInt()).isEqualTo(1);
  }

  @Test
  void pathDropsTheQuery() {
    assertThat(new RecordedRequest("GET", "/v1/models?x=1", Map.of(), new byte[0]).path())
        .isEqualTo("/v1/models");
  }

  @Test
  void bodyAsJsonOfAnEmptyBodyIsMissingAndOfTextFails() {
    assertThat(new RecordedRequest("GET", "/", Map.of(), new byte[0]).bodyAsJson().isMissingNode())
        .isTrue();
    RecordedRequest text =
        new RecordedRequest("POST", "/", Map.of(), "nope{".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(text::bodyAsJson)
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("POST /");
  }

  @Test
  void equalRequestsCompareBodiesByContent() {
    RecordedRequest a = new RecordedRequest("POST", "/", Map.of(), new byte[] {1, 2});
    RecordedRequest b = new RecordedRequest("POST", "/", Map.of(), new byte[] {1, 2});

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).hasToString("RecordedRequest[POST /, 2 body bytes]");
  }
}
