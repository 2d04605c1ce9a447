package io.kimi.testing;

import static io.kimi.testing.Loopback.WAIT;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@code java.net.http} WebSocket client that queues the messages it receives; bounded waits. */
final class WsTestClient implements WebSocket.Listener, AutoCloseable {

  private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private final AtomicInteger pings = new AtomicInteger();
  private final AtomicInteger pongs = new AtomicInteger();
  private final LinkedBlockingQueue<ByteBuffer> pongPayloads = new LinkedBlockingQueue<>();
  private final AtomicInteger closeStatus = new AtomicInteger(-1);
  private final CountDownLatch gone = new CountDownLatch(1);
  private WebSocket socket;

  private WsTestClient() {}

  /** Connects to {@code url}, waiting at most {@link Loopback#WAIT}. */
  static WsTestClient connect(String url) throws Exception {
    WsTestClient client = new WsTestClient();
    client.socket =
        HttpClient.newBuilder()
            .connectTimeout(WAIT)
            .build()
            .newWebSocketBuilder()
            .connectTimeout(WAIT)
            .buildAsync(URI.create(url), client)
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    return client;
  }

  /** The next whole text message; fails after {@link Loopback#WAIT}. */
  String next() throws InterruptedException {
    String message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (message == null) {
      throw new AssertionError("no message within " + WAIT);
    }
    return message;
  }

  /** The next message if one comes within {@code millis}, else {@code null}. */
  String poll(long millis) throws InterruptedException {
    return messages.poll(millis, TimeUnit.MILLISECONDS);
  }

  int pings() {
    return pings.get();
  }

  int pongs() {
    return pongs.get();
  }

  /** The payload of the next pong; fails after {@link Loopback#WAIT}. */
  ByteBuffer nextPong() throws InterruptedException {
    ByteBuffer payload = pongPayloads.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (payload == null) {
      throw new AssertionError("no pong within " + WAIT);
    }
    return payload;
  }

  /** The status code of the close (1006 when the connection ended without a close frame), or -1. */
  int closeStatus() {
    return closeStatus.get();
  }

  WebSocket socket() {
    return socket;
  }

  /** Whether the connection ended (closed or broken) within {@link Loopback#WAIT}. */
  boolean awaitGone() throws InterruptedException {
    return gone.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      messages.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pings.incrementAndGet();
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
    pongPayloads.add(ByteBuffer.allocate(message.remaining()).put(message).flip());
    pongs.incrementAndGet();
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeStatus.set(statusCode);
    gone.countDown();
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    gone.countDown();
  }

  @Override
  public void close() {
    if (socket == null) {
      return;
    }
    if (!socket.isOutputClosed()) {
      // A connection the server broke fails the close: either way it ends, bounded, then aborts.
      socket
          .sendClose(WebSocket.NORMAL_CLOSURE, "bye")
          .exceptionally(e -> socket)
          .completeOnTimeout(socket, WAIT.toMillis(), TimeUnit.MILLISECONDS)
          .join();
    }
    socket.abort();
  }
}
