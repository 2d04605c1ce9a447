package io.kimi.testing;

import java.time.Duration;
import java.util.List;
import java.util.function.BiFunction;

/**
 * What the fakes on a {@link LoopbackHttpServer} share ({@link FakeUpstream}, {@link FakeMcpServer}): the
 * scripted answers each request takes, first in first out (the default one when none is queued), their port,
 * the requests they recorded, their count of client disconnects and closing. Each fake adds what an answer is
 * ({@code A}) and its own URL.
 *
 * @param <A> a scripted answer: a {@link Reply}, or an {@link McpBehavior} that makes one from the request
 */
public abstract class LoopbackFake<A> implements AutoCloseable {

  private final ReplyQueue<A> answers;
  private final LoopbackHttpServer server;

  /**
   * Starts the server on 127.0.0.1 and a free port.
   *
   * @param fallback the answer used when none is queued
   * @param reply the reply an answer makes to a request just recorded (never called for two at once)
   */
  LoopbackFake(
      String name,
      String threadName,
      int threads,
      A fallback,
      BiFunction<A, RecordedRequest, Reply> reply) {
    answers = new ReplyQueue<>(fallback);
    server =
        LoopbackHttpServer.start(
            name, threadName, threads, request -> reply.apply(answers.next(), request));
  }

  /** The port it listens on. */
  public int port() {
    return server.port();
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

  /**
   * How many times a client closed its connection while an answer was in progress (not fully sent,
   * or hanging: a client's timeout). Connections the fake closes itself, as scripted or on {@link
   * #close()}, and idle keep-alive connections closed between requests do not count.
   */
  public int clientDisconnects() {
    return server.stats().clientDisconnects();
  }

  /** Closes every connection, hanging ones included, and stops, waiting a bounded time. */
  @Override
  public void close() {
    server.close();
  }

  /** The server, for what one fake alone shows of it. */
  final LoopbackHttpServer server() {
    return server;
  }

  /** The scripted answers, for the fake's {@code enqueue} and default. */
  final ReplyQueue<A> answers() {
    return answers;
  }
}
