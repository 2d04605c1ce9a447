package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake MCP server reached over HTTP: a real HTTP/1.1 server on 127.0.0.1 that takes JSON-RPC 2.0
 * requests POSTed to {@link #url()}, records each (with its headers) and answers it with the next
 * scripted {@link McpBehavior}.
 *
 * <pre>{@code
 * try (FakeMcpServer mcp = FakeMcpServer.start()) {
 *   mcp.enqueue(McpBehavior.toolResult("3 files"), McpBehavior.garbage());
 *   // point the gateway at mcp.url(), send requests through it ...
 *   RecordedRequest seen = mcp.takeRequest(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Every request, whatever its method and path, takes the next queued behaviour, first in first
 * out; when none is queued it gets the default one, {@link McpBehavior#echo()} at start (which
 * also answers an MCP {@code ping} with {@code {}}). Thread-safe. Runs on the same loopback
 * server as {@link FakeUpstream}.
 */
public final class FakeMcpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FakeMcpServer.class);

  private final ConcurrentLinkedQueue<McpBehavior> queue = new ConcurrentLinkedQueue<>();
  private volatile McpBehavior fallback = McpBehavior.echo();
  private final LoopbackHttpServer server;

  private FakeMcpServer() {
    server = LoopbackHttpServer.start("FakeMcpServer", "fake-mcp", 1, this::answer);
    LOG.debug("FakeMcpServer listening on {}", url());
  }

  /**
   * Starts a fake on 127.0.0.1 and a free port.
   *
   * @throws IllegalStateException when it cannot bind
   */
  public static FakeMcpServer start() {
    return new FakeMcpServer();
  }

  /** The port it listens on. */
  public int port() {
    return server.port();
  }

  /** Its JSON-RPC endpoint, such as {@code http://127.0.0.1:41234/mcp}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + server.port() + "/mcp");
  }

  /** Queues behaviours for the next requests, in order. */
  public FakeMcpServer enqueue(McpBehavior... behaviors) {
    requireNonNull(behaviors, "behaviors");
    for (McpBehavior behavior : behaviors) {
      queue.add(requireNonNull(behavior, "behaviors[i]"));
    }
    return this;
  }

  /** Sets the behaviour used when the queue is empty ({@link McpBehavior#echo()} at start). */
  public FakeMcpServer defaultBehavior(McpBehavior behavior) {
    this.fallback = requireNonNull(behavior, "behavior");
    return this;
  }

  /** Every request received so far, in arrival order (a snapshot). */
  public List<RecordedRequest> requests() {
    return server.requests();
  }

  /**
   * Waits for the oldest request not taken yet by this method.
   *
   * @throws AssertionError when no such request arrives within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
    return server.takeRequest(timeout);
  }

  /** How many times a client closed its connection while an answer was pending (a timeout). */
  public int clientDisconnects() {
    return server.stats().clientDisconnects();
  }

  /** Closes every connection and stops, waiting a bounded time. */
  @Override
  public void close() {
    server.close();
  }

  @Override
  public String toString() {
    return "FakeMcpServer[" + url() + "]";
  }

  /** The answer to a request just recorded (never called for two requests at once). */
  private Reply answer(RecordedRequest request) {
    McpBehavior next = queue.poll();
    return (next != null ? next : fallback).replyTo(request);
  }
}
