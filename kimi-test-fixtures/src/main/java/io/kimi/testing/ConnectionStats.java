package io.kimi.testing;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counts connections and the clients that went away mid-reply; thread-safe. */
final class ConnectionStats {

  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger clientDisconnects = new AtomicInteger();
  private final Semaphore unawaitedDisconnects = new Semaphore(0);
  private final AtomicLong bytesSent = new AtomicLong();
  private volatile boolean stopping;

  /** Counts bytes written to a socket (the write completed: they are in the kernel's send buffer). */
  void sent(long bytes) {
    bytesSent.addAndGet(bytes);
  }

  long bytesSent() {
    return bytesSent.get();
  }

  void connectionAccepted() {
    accepted.incrementAndGet();
  }

  /** Counts a client disconnect, unless the fake itself is closing its connections. */
  void clientDisconnected() {
    if (!stopping) {
      clientDisconnects.incrementAndGet();
      unawaitedDisconnects.release();
    }
  }

  /** From now on, closed connections are the fake's doing, not the clients'. */
  void stopping() {
    stopping = true;
  }

  int accepted() {
    return accepted.get();
  }

  int clientDisconnects() {
    return clientDisconnects.get();
  }

  /** Waits for one client disconnect not awaited before; {@code false} after {@code timeout}. */
  boolean awaitClientDisconnect(Duration timeout) throws InterruptedException {
    return unawaitedDisconnects.tryAcquire(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
