package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fake convergence loop: a real WebSocket server on 127.0.0.1 that sends scripted messages to every
 * connected client, as a loop's event stream does (seed 002).
 *
 * <pre>{@code
 * try (FakeConvergenceLoop loop = FakeConvergenceLoop.start()) {
 *   // start the dashboard with --convergence-url loop.url() ...
 *   assertThat(loop.awaitClient(Duration.ofSeconds(5))).isTrue();
 *   loop.sendGreeting();
 *   loop.send(FakeConvergenceLoop.event(sessionId, 0, "IDLE", "SESSION_STARTED",
 *       "{\"target\":\"https://example.com\"}"));
 *   loop.disconnectClients();   // the bridge should reconnect
 * }
 * }</pre>
 *
 * <p>Clients connect on any path ({@code /}, {@code /ws}...). Messages are sent only to the clients connected
 * at the time, in the order sent; nothing is kept for later clients except the {@link #replayOnConnect}
 * messages. Each {@code send} method returns once the message is written to every client (or a bounded
 * time passed), with the number of clients it reached. The fake answers pings (unless told not to, as a
 * hung loop) and counts pings and pongs. {@link #sendThenDrop} models a loop killed right after a burst;
 * {@link #stop()} shuts the port as a crashed loop would and {@link #restart()} listens on it again.
 * Thread-safe.
 */
public final class FakeConvergenceLoop implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FakeConvergenceLoop.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration IO_TIMEOUT = Duration.ofSeconds(5);

  private final LoopClients clients = new LoopClients();
  private final EventLoopGroup group;
  private final ServerBootstrap bootstrap;
  private final int port;
  private Channel server;
  private boolean closed;

  private FakeConvergenceLoop(int requestedPort, List<String> replay) {
    replayOnConnect(replay);
    group =
        new MultiThreadIoEventLoopGroup(
            2, new DefaultThreadFactory("fake-convergence-loop", true), NioIoHandler.newFactory());
    bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new LoopInitializer(clients));
    try {
      server = bind(requestedPort);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
    port = ((InetSocketAddress) server.localAddress()).getPort();
    LOG.debug("FakeConvergenceLoop listening on {}", url());
  }

  /**
   * Starts a fake loop on 127.0.0.1 and a free port.
   *
   * @throws IllegalStateException when it cannot bind
   */
  public static FakeConvergenceLoop start() {
    return new FakeConvergenceLoop(0, List.of());
  }

  /**
   * Starts a fake loop on 127.0.0.1 and {@code port} (0 picks a free one), such as the port of a closed
   * one, to model a loop process that restarts.
   *
   * @throws IllegalStateException when it cannot bind
   */
  public static FakeConvergenceLoop start(int port) {
    checkPort(port);
    return new FakeConvergenceLoop(port, List.of());
  }

  /**
   * Starts a fake loop on 127.0.0.1 and {@code port} whose clients first receive {@code replayOnConnect}
   * (see {@link #replayOnConnect}), set before it listens so that no early client misses them.
   *
   * @throws IllegalStateException when it cannot bind
   */
  public static FakeConvergenceLoop start(int port, List<String> replayOnConnect) {
    checkPort(port);
    return new FakeConvergenceLoop(port, replayOnConnect);
  }

  /**
   * An event as a loop sends it, with a fresh {@code event_id} and the current time as {@code timestamp}:
   * {@code {"event_id","timestamp","session_id","iteration","state","event_type","data"}}.
   *
   * @param dataJson the {@code data} object, such as {@code {"step":"validate","result":"passed"}}
   * @throws IllegalArgumentException when {@code dataJson} is not a JSON object
   */
  public static String event(
      String sessionId, int iteration, String state, String eventType, String dataJson) {
    return LoopMessages.event(
        LoopMessages.newEventId(), sessionId, iteration, state, eventType, dataJson);
  }

  /**
   * An event with the given {@code event_id}, such as one sent before (a duplicate), and the current time.
   *
   * @throws IllegalArgumentException when {@code dataJson} is not a JSON object
   */
  public static String event(
      String eventId,
      String sessionId,
      int iteration,
      String state,
      String eventType,
      String dataJson) {
    return LoopMessages.event(eventId, sessionId, iteration, state, eventType, dataJson);
  }

  /** One message holding the events as a JSON array, each inserted as is, as {@link #sendBatch} sends. */
  public static String batch(List<String> eventJsons) {
    return LoopMessages.batch(eventJsons);
  }

  /** The port it listens on, the same after {@link #restart()}. */
  public int port() {
    return port;
  }

  /** The URL a bridge connects to, such as {@code ws://127.0.0.1:41234}. */
  public String url() {
    return "ws://127.0.0.1:" + port;
  }

  /**
   * Sets the messages each newly connected client gets first, before anything else (by default none);
   * it models a loop that replays its session to a client that reconnects, producing duplicates.
   * Applies to clients that connect from now on, after {@link #restart()} too.
   */
  public FakeConvergenceLoop replayOnConnect(List<String> messages) {
    requireNonNull(messages, "messages");
    for (int i = 0; i < messages.size(); i++) {
      requireNonNull(messages.get(i), "messages[" + i + "]");
    }
    clients.replay(messages);
    return this;
  }

  /** Sends {@code text} as one text message to every connected client; returns how many it reached. */
  public int send(String text) {
    requireNonNull(text, "text");
    return broadcast(new TextWebSocketFrame(text));
  }

  /** Sends each event as its own text message, in order; returns how many clients the last one reached. */
  public int sendEvents(List<String> eventJsons) {
    requireNonNull(eventJsons, "eventJsons");
    int reached = 0;
    for (int i = 0; i < eventJsons.size(); i++) {
      reached = send(requireNonNull(eventJsons.get(i), "eventJsons[" + i + "]"));
    }
    return reached;
  }

  /** Sends {@code {"type":"event","data":<eventJson>}}, the event inserted as is. */
  public int sendWrapped(String eventJson) {
    return send(LoopMessages.wrapped(eventJson));
  }

  /**
   * Sends each message as its own text message to every connected client, in order, then {@code after}
   * later drops every client's TCP connection abruptly (no close frame), as a loop process that crashes or
   * is terminated right after a burst does. Returns once the clients are gone (bounded), with how many
   * clients the last message reached.
   */
  public int sendThenDrop(List<String> messages, Duration after) {
    requireNonNull(messages, "messages");
    requireNonNull(after, "after");
    if (after.isNegative()) {
      throw new IllegalArgumentException("after: " + after + " (expected: >= 0)");
    }
    int reached = sendEvents(messages);
    group.schedule(() -> clients.accepted().close(), after.toMillis(), TimeUnit.MILLISECONDS);
    try {
      if (!clients.await(() -> clients.connected() == 0, after.plus(IO_TIMEOUT))) {
        LOG.warn("FakeConvergenceLoop on port {}: clients not dropped within {}", port, after.plus(IO_TIMEOUT));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while dropping clients", e);
    }
    return reached;
  }

  /** Sends the events as one message, a JSON array, each inserted as is. */
  public int sendBatch(List<String> eventJsons) {
    return send(LoopMessages.batch(eventJsons));
  }

  /** Sends the loop's greeting, {@code {"type":"connected","message":"convergence loop ready"}}. */
  public int sendGreeting() {
    return send(LoopMessages.GREETING);
  }

  /** Sends a WebSocket ping frame to every connected client; see {@link #pongsReceived()}. */
  public int ping() {
    byte[] payload = "fake-loop".getBytes(StandardCharsets.US_ASCII);
    return broadcast(new PingWebSocketFrame(Unpooled.wrappedBuffer(payload)));
  }

  /** How many pong frames clients sent. */
  public int pongsReceived() {
    return clients.pongs();
  }

  /**
   * Waits until clients have sent {@code count} pongs in all.
   *
   * @return {@code false} when they had not within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitPongs(int count, Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    return clients.await(() -> clients.pongs() >= count, timeout);
  }

  /**
   * Whether to answer clients' pings (by default it does). With {@code false} their pings are counted
   * and ignored while the connection stays open and silent, as a hung loop process: a client that waits
   * for pongs sees nothing.
   */
  public FakeConvergenceLoop answerPings(boolean answer) {
    clients.answerPings(answer);
    return this;
  }

  /** How many ping frames clients sent, answered or not. */
  public int pingsReceived() {
    return clients.pings();
  }

  /**
   * Waits until clients have sent {@code count} pings in all.
   *
   * @return {@code false} when they had not within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitPings(int count, Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    return clients.await(() -> clients.pings() >= count, timeout);
  }

  /** The text messages clients sent, in arrival order (a snapshot). */
  public List<String> received() {
    return clients.received();
  }

  /** How many WebSocket clients are connected now. */
  public int connections() {
    return clients.connected();
  }

  /** How many WebSocket handshakes completed since the start, reconnects included. */
  public int handshakes() {
    return clients.handshakes();
  }

  /**
   * Waits until at least one client is connected, its replay messages sent.
   *
   * @return {@code false} when none was within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitClient(Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    return clients.await(() -> clients.connected() > 0, timeout);
  }

  /**
   * Waits until {@code count} handshakes in all have completed since the start, such as the second one
   * after {@link #disconnectClients()} for a client that reconnects.
   *
   * @return {@code false} when they had not within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitHandshakes(int count, Duration timeout) throws InterruptedException {
    requireNonNull(timeout, "timeout");
    return clients.await(() -> clients.handshakes() >= count, timeout);
  }

  /**
   * Closes every client's TCP connection abruptly, without a WebSocket close frame, as a crash mid-session
   * does; the server keeps listening. Returns once they are closed (bounded).
   */
  public void disconnectClients() {
    ChannelGroupFuture closing = clients.accepted().close();
    if (!closing.awaitUninterruptibly(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("FakeConvergenceLoop on port {}: clients not closed within {}", port, IO_TIMEOUT);
    }
    try {
      if (!clients.await(() -> clients.connected() == 0, IO_TIMEOUT)) {
        LOG.warn("FakeConvergenceLoop on port {}: clients still counted after {}", port, IO_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while disconnecting clients", e);
    }
  }

  /**
   * Stops listening and drops every client abruptly, as a crashed loop; {@link #restart()} listens on
   * the same port again. Does nothing when stopped already.
   */
  public void stop() {
    Channel listening;
    synchronized (this) {
      listening = server;
      server = null;
    }
    if (listening != null
        && !listening
            .close()
            .awaitUninterruptibly(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("FakeConvergenceLoop on port {}: not unbound within {}", port, IO_TIMEOUT);
    }
    disconnectClients();
  }

  /**
   * Listens on the same port again after {@link #stop()}; does nothing when listening.
   *
   * @throws IllegalStateException when closed, or when the port cannot be bound again
   */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("FakeConvergenceLoop on port " + port + " is closed");
    }
    if (server == null) {
      server = bind(port);
    }
  }

  /** Whether it listens now (started or restarted, neither stopped nor closed). */
  public synchronized boolean isListening() {
    return server != null;
  }

  /** Stops, closing every connection, and releases its threads, waiting a bounded time. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stop();
    Future<?> shutdown = group.shutdownGracefully(0, IO_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!shutdown.awaitUninterruptibly(IO_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
      LOG.warn("FakeConvergenceLoop on port {}: event loop not stopped within {}", port, IO_TIMEOUT);
    }
  }

  @Override
  public String toString() {
    return "FakeConvergenceLoop[" + url() + "]";
  }

  private static void checkPort(int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
    }
  }

  private Channel bind(int port) {
    ChannelFuture bind = bootstrap.bind(new InetSocketAddress(NetUtil.LOCALHOST4, port));
    if (!bind.awaitUninterruptibly(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      bind.channel().close();
      throw new IllegalStateException(
          "FakeConvergenceLoop did not bind 127.0.0.1:" + port + " within " + START_TIMEOUT);
    }
    if (!bind.isSuccess()) {
      throw new IllegalStateException(
          "FakeConvergenceLoop could not bind 127.0.0.1:" + port, bind.cause());
    }
    return bind.channel();
  }

  /**
   * Writes {@code frame} to every connected client (a duplicate each; the group releases the original)
   * and waits (bounded); how many it reached.
   */
  private int broadcast(WebSocketFrame frame) {
    ChannelGroupFuture writes = clients.sockets().writeAndFlush(frame);
    if (!writes.awaitUninterruptibly(IO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      LOG.warn("FakeConvergenceLoop on port {}: a write did not complete within {}", port, IO_TIMEOUT);
    }
    int reached = 0;
    for (ChannelFuture write : writes) {
      if (write.isSuccess()) {
        reached++;
      } else if (write.isDone()) {
        LOG.debug("FakeConvergenceLoop: write to {} failed", write.channel(), write.cause());
      }
    }
    return reached;
  }
}
