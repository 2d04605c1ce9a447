package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
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
public final class FakeUpstream implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FakeUpstream.class);

  private final ReplyQueue replies =
      new ReplyQueue(Reply.chatCompletion("Hello from the fake upstream.", 10, 7));
  private final LoopbackHttpServer server;

  private FakeUpstream() {
    server = LoopbackHttpServer.start("FakeUpstream", "fake-upstream", 2, this::answer);
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

  /** The port it listens on. */
  public int port() {
    return server.port();
  }

  /** The base URL an OpenAI client is given, such as {@code http://127.0.0.1:41234/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.port() + "/v1";
  }

  /** Queues replies for the next requests, in order. */
  public FakeUpstream enqueue(Reply... replies) {
    requireNonNull(replies, "replies");
    for (Reply reply : replies) {
      this.replies.add(requireNonNull(reply, "replies[i]"));
    }
    return this;
  }

  /**
   * Sets the reply given when the queue is empty; at start, a 200 {@code chat.completion} saying
   * "Hello from the fake upstream." with 10 prompt and 7 completion tokens.
   */
  public FakeUpstream defaultReply(Reply reply) {
    replies.fallback(requireNonNull(reply, "reply"));
    return this;
  }

  /** Every request received so far, in arrival order (a snapshot). */
  public List<RecordedRequest> requests() {
    return server.requests();
  }

  /**
   * Waits for the oldest request not taken yet by this method, as {@link #requests()} lists them.
   *
   * @throws AssertionError when no such request arrives within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
    return server.takeRequest(timeout);
  }

  /** How many TCP connections it accepted. */
  public int connectionsAccepted() {
    return server.stats().accepted();
  }

  /**
   * Bytes of responses written to sockets so far, all connections together: a write counts once it
   * completed, i.e. once the kernel took it, so this minus what a client received is what waits in
   * between (the proxy's memory and the kernel's socket buffers).
   */
  public long bytesSent() {
    return server.stats().bytesSent();
  }

  /**
   * How many times a client closed its connection while a reply was in progress (not fully sent,
   * or hanging). Connections the fake closes itself, as scripted or on {@link #close()}, and idle
   * keep-alive connections closed between requests do not count.
   */
  public int clientDisconnects() {
    return server.stats().clientDisconnects();
  }

  /**
   * Waits for a client disconnect, as {@link #clientDisconnects()} counts them, that no earlier call
   * returned for.
   *
   * @return {@code false} when none came within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
    return server.stats().awaitClientDisconnect(requireNonNull(timeout, "timeout"));
  }

  /** Closes every connection, hanging ones included, and stops, waiting a bounded time. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "FakeUpstream[" + baseUrl() + "]";
  }

  /** The reply to a request just recorded (never called for two requests at once). */
  private Reply answer(RecordedRequest request) {
    return replies.next();
  }
}
