package io.kimi.testing;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The connections of a {@link FakeConvergenceLoop}: every accepted channel, the WebSocket clients among
 * them, counts (connected now, handshakes ever, pongs, pings) and the texts they sent, with bounded waits;
 * thread-safe.
 */
final class LoopClients {

  private final ChannelGroup accepted =
      new DefaultChannelGroup("fake-loop-accepted", GlobalEventExecutor.INSTANCE);
  private final ChannelGroup sockets =
      new DefaultChannelGroup("fake-loop-sockets", GlobalEventExecutor.INSTANCE);
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private volatile List<String> replay = List.of();
  private volatile boolean answerPings = true;
  private int connected;
  private int handshakes;
  private int pongs;
  private int pings;

  /** A TCP connection was accepted (not yet a WebSocket). */
  void accepted(Channel channel) {
    accepted.add(channel);
  }

  /** A WebSocket handshake completed on {@code channel}; it now receives every message sent. */
  void connected(Channel channel) {
    synchronized (lock) {
      sockets.add(channel);
      connected++;
      handshakes++;
      lock.notifyAll();
    }
    channel.closeFuture().addListener(f -> disconnected());
  }

  private void disconnected() {
    synchronized (lock) {
      connected--;
      lock.notifyAll();
    }
  }

  void pong() {
    synchronized (lock) {
      pongs++;
      lock.notifyAll();
    }
  }

  /** A client sent a ping frame (answered or not). */
  void ping() {
    synchronized (lock) {
      pings++;
      lock.notifyAll();
    }
  }

  void answerPings(boolean answer) {
    answerPings = answer;
  }

  boolean answersPings() {
    return answerPings;
  }

  void received(String text) {
    received.add(text);
  }

  void replay(List<String> messages) {
    replay = List.copyOf(messages);
  }

  /** What a newly connected client is sent first. */
  List<String> replay() {
    return replay;
  }

  /** The WebSocket clients connected now. */
  ChannelGroup sockets() {
    return sockets;
  }

  /** Every open accepted connection, WebSocket or not yet. */
  ChannelGroup accepted() {
    return accepted;
  }

  List<String> received() {
    return List.copyOf(received);
  }

  int connected() {
    synchronized (lock) {
      return connected;
    }
  }

  int handshakes() {
    synchronized (lock) {
      return handshakes;
    }
  }

  int pongs() {
    synchronized (lock) {
      return pongs;
    }
  }

  int pings() {
    synchronized (lock) {
      return pings;
    }
  }

  /** Waits until {@code condition} holds; {@code false} when it still does not after {@code timeout}. */
  boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }
}
