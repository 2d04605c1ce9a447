package io.kimi.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplyTest {

  @Test
  void optionsReturnANewReplyAndLeaveTheOriginalUnchanged() {
    Reply plain = Reply.sse(List.of("a"));

    Reply slow = plain.delayBetweenChunks(Duration.ofMillis(5)).noDoneMarker();

    assertThat(slow).isNotSameAs(plain);
    assertThat(plain).hasToString("Reply.sse(1 events)");
    assertThat(slow).hasToString("Reply.sse(1 events).delayBetweenChunks(PT0.005S).noDoneMarker()");
  }

  @Test
  void streamOnlyOptionsAreRefusedOnFixedReplies() {
    Reply json = Reply.json(200, "{}");

    assertThatThrownBy(() -> json.delayBetweenChunks(Duration.ofMillis(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("delayBetweenChunks");
    assertThatThrownBy(() -> json.disconnectAfterChunks(1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(json::noDoneMarker).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void hangTakesNoOption() {
    Reply hang = Reply.hang();

    assertThatThrownBy(() -> hang.header("a", "b")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> hang.initialDelay(Duration.ZERO))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(hang::resetBeforeResponse).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void statusMustBeAFinalHttpStatus() {
    assertThatThrownBy(() -> Reply.json(100, "{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("status: 100 (expected: 200-599)");
    assertThatThrownBy(() -> Reply.status(600, "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void delaysAndCountsMustNotBeNegative() {
    Reply sse = Reply.sse(List.of());

    assertThatThrownBy(() -> sse.initialDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("initialDelay");
    assertThatThrownBy(() -> sse.disconnectAfterChunks(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sse.delayBeforeBody(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void framingHeadersBelongToTheFake() {
    assertThatThrownBy(() -> Reply.json(200, "{}").header("Content-Length", "3"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Reply.sse(List.of()).header("transfer-encoding", "identity"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void payloadListIsCopied() {
    List<String> payloads = new ArrayList<>(List.of("a"));
    Reply reply = Reply.sse(payloads);

    payloads.add("b");

    assertThat(reply.events(new RecordedRequest("POST", "/", Map.of(), new byte[0])))
        .containsExactly("a");
  }
}
