package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * also answers an MCP {@code ping} with {@code {}}). Thread-safe. Built like {@link FakeUpstream}
 * (Netty, same pipeline).
 */
public final class FakeMcpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FakeMcpServer.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final RequestJournal journal = new RequestJournal();
  private final ConcurrentLinkedQueue<McpBehavior> queue = new ConcurrentLinkedQueue<>();
  private volatile McpBehavior fallback = McpBehavior.echo();
  private final ConnectionStats stats = new ConnectionStats();
  private final Object dispatchLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final EventLoopGroup group;
  private final ChannelGroup channels;
  private final int port;

  private FakeMcpServer() {
    group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("fake-mcp", true), NioIoHandler.newFactory());
    channels = new DefaultChannelGroup("fake-mcp", GlobalEventExecutor.INSTANCE);
    try {
      ChannelFuture bind =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(new FakeUpstreamInitializer(this::dispatch, stats, channels))
              .bind(new InetSocketAddress(NetUtil.LOCALHOST4, 0));
      if (!bind.awaitUninterruptibly(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("FakeMcpServer did not bind within " + START_TIMEOUT);
      }
      if (!bind.isSuccess()) {
        throw new IllegalStateException("FakeMcpServer could not bind 127.0.0.1", bind.cause());
      }
      Channel server = bind.channel();
      channels.add(server);
      port = ((InetSocketAddress) server.localAddress()).getPort();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
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
    return port;
  }

  /** Its JSON-RPC endpoint, such as {@code http://127.0.0.1:41234/mcp}. */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port + "/mcp");
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
    return journal.all();
  }

  /**
   * Waits for the oldest request not taken yet by this method.
   *
   * @throws AssertionError when no such request arrives within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    RecordedRequest request = journal.take(timeout);
    if (request == null) {
      throw new AssertionError(
          "FakeMcpServer: no request within " + timeout + " (" + journal.count() + " received)");
    }
    return request;
  }

  /** How many times a client closed its connection while an answer was pending (a timeout). */
  public int clientDisconnects() {
    return stats.clientDisconnects();
  }

  /** Closes every connection and stops, waiting a bounded time. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stats.stopping();
    if (!channels.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("FakeMcpServer on port {}: connections not closed within {}", port, CLOSE_TIMEOUT);
    }
    Future<?> shutdown = group.shutdownGracefully(0, CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!shutdown.awaitUninterruptibly(CLOSE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
      LOG.warn("FakeMcpServer on port {}: event loop not stopped within {}", port, CLOSE_TIMEOUT);
    }
  }

  @Override
  public String toString() {
    return "FakeMcpServer[" + url() + "]";
  }

  /** Records the request and picks its answer, atomically so the n-th request gets the n-th one. */
  private Reply dispatch(RecordedRequest request) {
    synchronized (dispatchLock) {
      journal.record(request);
      McpBehavior next = queue.poll();
      return (next != null ? next : fallback).replyTo(request);
    }
  }
}
