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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final RequestJournal journal = new RequestJournal();
  private final ReplyQueue replies =
      new ReplyQueue(Reply.chatCompletion("Hello from the fake upstream.", 10, 7));
  private final ConnectionStats stats = new ConnectionStats();
  private final Object dispatchLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final EventLoopGroup group;
  private final ChannelGroup channels;
  private final int port;

  private FakeUpstream() {
    group =
        new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("fake-upstream", true), NioIoHandler.newFactory());
    channels = new DefaultChannelGroup("fake-upstream", GlobalEventExecutor.INSTANCE);
    try {
      ChannelFuture bind =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(new FakeUpstreamInitializer(this::dispatch, stats, channels))
              .bind(new InetSocketAddress(NetUtil.LOCALHOST4, 0));
      if (!bind.awaitUninterruptibly(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("FakeUpstream did not bind within " + START_TIMEOUT);
      }
      if (!bind.isSuccess()) {
        throw new IllegalStateException("FakeUpstream could not bind 127.0.0.1", bind.cause());
      }
      Channel server = bind.channel();
      channels.add(server);
      port = ((InetSocketAddress) server.localAddress()).getPort();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
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
    return port;
  }

  /** The base URL an OpenAI client is given, such as {@code http://127.0.0.1:41234/v1}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port + "/v1";
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
    return journal.all();
  }

  /**
   * Waits for the oldest request not taken yet by this method, as {@link #requests()} lists them.
   *
   * @throws AssertionError when no such request arrives within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    RecordedRequest request = journal.take(timeout);
    if (request == null) {
      throw new AssertionError(
          "FakeUpstream: no request within " + timeout + " (" + journal.count() + " received)");
    }
    return request;
  }

  /** How many TCP connections it accepted. */
  public int connectionsAccepted() {
    return stats.accepted();
  }

  /**
   * How many times a client closed its connection while a reply was in progress (not fully sent,
   * or hanging). Connections the fake closes itself, as scripted or on {@link #close()}, and idle
   * keep-alive connections closed between requests do not count.
   */
  public int clientDisconnects() {
    return stats.clientDisconnects();
  }

  /**
   * Waits for a client disconnect, as {@link #clientDisconnects()} counts them, that no earlier call
   * returned for.
   *
   * @return {@code false} when none came within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
    return stats.awaitClientDisconnect(requireNonNull(timeout, "timeout"));
  }

  /** Closes every connection, hanging ones included, and stops, waiting a bounded time. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stats.stopping();
    if (!channels.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("FakeUpstream on port {}: connections not closed within {}", port, CLOSE_TIMEOUT);
    }
    Future<?> shutdown = group.shutdownGracefully(0, CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!shutdown.awaitUninterruptibly(CLOSE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
      LOG.warn("FakeUpstream on port {}: event loop not stopped within {}", port, CLOSE_TIMEOUT);
    }
  }

  @Override
  public String toString() {
    return "FakeUpstream[" + baseUrl() + "]";
  }

  /** Records the request and picks its reply, atomically so the n-th request gets the n-th reply. */
  private Reply dispatch(RecordedRequest request) {
    synchronized (dispatchLock) {
      journal.record(request);
      return replies.next();
    }
  }
}
