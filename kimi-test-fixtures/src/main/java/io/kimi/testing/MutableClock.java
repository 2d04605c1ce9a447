package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock in UTC that stands still until the test moves it, to give code that takes a {@link
 * Clock} times chosen by the test.
 *
 * <pre>{@code
 * MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
 * // hand clock to the code under test ...
 * clock.advance(Duration.ofSeconds(30));
 * }</pre>
 *
 * <p>Thread-safe: the code under test may read it from other threads while the test moves it.
 */
public final class MutableClock extends Clock {

  private final AtomicReference<Instant> now;

  /** A clock showing {@code start} until moved. */
  public MutableClock(Instant start) {
    this.now = new AtomicReference<>(requireNonNull(start, "start"));
  }

  /** Moves the clock by {@code by} (backwards when negative). */
  public void advance(Duration by) {
    requireNonNull(by, "by");
    now.updateAndGet(t -> t.plus(by));
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  /**
   * This clock for UTC.
   *
   * @throws UnsupportedOperationException for any other zone: the clock only runs in UTC
   */
  @Override
  public Clock withZone(ZoneId zone) {
    if (ZoneOffset.UTC.equals(requireNonNull(zone, "zone").normalized())) {
      return this;
    }
    throw new UnsupportedOperationException(
        "withZone: " + zone + " (expected: UTC, a MutableClock only runs in UTC)");
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + "]";
  }
}
