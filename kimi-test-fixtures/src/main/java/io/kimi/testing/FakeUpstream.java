package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake OpenAI-compatible LLM provider: a real HTTP/1.1 server on 127.0.0.1 that records every
 * request and answers each with the next scripted {@link Reply}.
 *
 * <pre>{@code
 * try (FakeUpstream upstream = FakeUpstream.start()) {
 *   upstream.enqueue(Reply.streamingCompletion(List.of("Hel", "lo"), Usage.of(12, 2), UsageStyle.MOONSHOT));
 *   // point the proxy at upstream.baseUrl(), send a request through it ...
 *   RecordedRequest seen = upstream.takeRequest(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Every request, whatever its method and path, takes the next queued reply, first in first out;
 * when none is queued it gets the default reply (a 200 {@code chat.completion}, see {@link
 * #defaultReply}). Connections are kept alive unless the client asks otherwise; requests on one
 * connection are answered in order. Thread-safe.
 */
public final class FakeUpstream extends LoopbackFake<Reply> {

  private static final Logger LOG = LoggerFactory.getLogger(FakeUpstream.class);

  private FakeUpstream() {
    super(
        "FakeUpstream",
        "fake-upstream",
        2,
        Reply.chatCompletion("Hello from the fake upstream.", 10, 7),
        (reply, request) -> reply);
    LOG.debug("FakeUpstream listening on {}", baseUrl());
  }

  /**
   * Starts a fake on 127.0.0.1 and a free port.
   *
   * @throws IllegalStateException when it cannot bind
   */
  public static FakeUpstream start() {
    return new FakeUpstream();
  }

  /** The base URL an OpenAI client is given, such as {@code http://127.0.0.1:41234/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/v1";
  }

  /** Queues replies for the next requests, in order. */
  public FakeUpstream enqueue(Reply... replies) {
    answers().addAll("replies", replies);
    return this;
  }

  /**
   * Sets the reply given when the queue is empty; at start, a 200 {@code chat.completion} saying
   * "Hello from the fake upstream." with 10 prompt and 7 completion tokens.
   */
  public FakeUpstream defaultReply(Reply reply) {
    answers().fallback(requireNonNull(reply, "reply"));
    return this;
  }

  /** How many TCP connections it accepted. */
  public int connectionsAccepted() {
    return server().stats().accepted();
  }

  /**
   * Bytes of responses written to sockets so far, all connections together: a write counts once it
   * completed, i.e. once the kernel took it, so this minus what a client received is what waits in
   * between (the proxy's memory and the kernel's socket buffers).
   */
  public long bytesSent() {
    return server().stats().bytesSent();
  }

  /**
   * Waits for a client disconnect, as {@link #clientDisconnects()} counts them, that no earlier call
   * returned for.
   *
   * @return {@code false} when none came within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
    return server().stats().awaitClientDisconnect(requireNonNull(timeout, "timeout"));
  }

  @Override
  public String toString() {
    return "FakeUpstream[" + baseUrl() + "]";
  }
}
