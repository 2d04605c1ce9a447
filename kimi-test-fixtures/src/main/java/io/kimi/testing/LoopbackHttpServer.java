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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 server the request-answering fakes run on: Netty on 127.0.0.1 and a free port
 * ({@link FakeUpstreamInitializer}'s pipeline) that records every whole request and answers it with
 * what the fake's answer function gives, one request at a time so the n-th request gets the n-th
 * scripted answer. Started and stopped within bounded waits. Thread-safe.
 */
final class LoopbackHttpServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoopbackHttpServer.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final String name;
  private final Function<RecordedRequest, Reply> answers;
  private final RequestJournal journal = new RequestJournal();
  private final ConnectionStats stats = new ConnectionStats();
  private final Object dispatchLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final EventLoopGroup group;
  private final ChannelGroup channels;
  private final int port;

  private LoopbackHttpServer(
      String name, String threadName, int threads, Function<RecordedRequest, Reply> answers) {
    this.name = requireNonNull(name, "name");
    this.answers = requireNonNull(answers, "answers");
    requireNonNull(threadName, "threadName");
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    group =
        new MultiThreadIoEventLoopGroup(
            threads, new DefaultThreadFactory(threadName, true), NioIoHandler.newFactory());
    channels = new DefaultChannelGroup(threadName, GlobalEventExecutor.INSTANCE);
    try {
      ChannelFuture bind =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(new FakeUpstreamInitializer(this::dispatch, stats, channels))
              .bind(new InetSocketAddress(NetUtil.LOCALHOST4, 0));
      if (!bind.awaitUninterruptibly(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(name + " did not bind within " + START_TIMEOUT);
      }
      if (!bind.isSuccess()) {
        throw new IllegalStateException(name + " could not bind 127.0.0.1", bind.cause());
      }
      Channel server = bind.channel();
      channels.add(server);
      port = ((InetSocketAddress) server.localAddress()).getPort();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  /**
   * Starts a server on 127.0.0.1 and a free port.
   *
   * @param name what the fake is called in messages, such as {@code "FakeUpstream"}
   * @param threadName prefix of its event-loop threads, such as {@code "fake-upstream"}
   * @param threads how many event-loop threads
   * @param answers gives the answer to a request just recorded; called on an event-loop thread,
   *     never for two requests at once
   * @throws IllegalStateException when it cannot bind
   */
  static LoopbackHttpServer start(
      String name, String threadName, int threads, Function<RecordedRequest, Reply> answers) {
    return new LoopbackHttpServer(name, threadName, threads, answers);
  }

  /** The port it listens on. */
  int port() {
    return port;
  }

  /** Its connections and the clients that went away mid-answer. */
  ConnectionStats stats() {
    return stats;
  }

  /** Every request received so far, in arrival order (a snapshot). */
  List<RecordedRequest> requests() {
    return journal.all();
  }

  /**
   * Waits for the oldest request not taken yet by this method.
   *
   * @throws AssertionError when no such request arrives within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    RecordedRequest request = journal.take(timeout);
    if (request == null) {
      throw new AssertionError(
          name + ": no request within " + timeout + " (" + journal.count() + " received)");
    }
    return request;
  }

  /**
   * Closes every connection, hanging ones included, and stops, waiting a bounded time; the second
   * and later calls do nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stats.stopping();
    if (!channels.close().awaitUninterruptibly(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("{} on port {}: connections not closed within {}", name, port, CLOSE_TIMEOUT);
    }
    Future<?> shutdown = group.shutdownGracefully(0, CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!shutdown.awaitUninterruptibly(CLOSE_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
      LOG.warn("{} on port {}: event loop not stopped within {}", name, port, CLOSE_TIMEOUT);
    }
  }

  /** Records the request and picks its answer, atomically so the n-th request gets the n-th one. */
  private Reply dispatch(RecordedRequest request) {
    synchronized (dispatchLock) {
      journal.record(request);
      return answers.apply(request);
    }
  }
}
