package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.net.URI;
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
public final class FakeMcpServer extends LoopbackFake<McpBehavior> {

  private static final Logger LOG = LoggerFactory.getLogger(FakeMcpServer.class);

  private FakeMcpServer() {
    super("FakeMcpServer", "fake-mcp", 1, McpBehavior.echo(), McpBehavior::replyTo);
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

  /** Its JSON-RPC endpoint, such as {@code http://127.0.0.1:41234/mcp}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port() + "/mcp");
  }

  /** Queues behaviours for the next requests, in order. */
  public FakeMcpServer enqueue(McpBehavior... behaviors) {
    answers().addAll("behaviors", behaviors);
    return this;
  }

  /** Sets the behaviour used when the queue is empty ({@link McpBehavior#echo()} at start). */
  public FakeMcpServer defaultBehavior(McpBehavior behavior) {
    answers().fallback(requireNonNull(behavior, "behavior"));
    return this;
  }

  @Override
  public String toString() {
    return "FakeMcpServer[" + url() + "]";
  }
}
