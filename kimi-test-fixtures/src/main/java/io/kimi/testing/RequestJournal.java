package io.kimi.testing;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Every request the fake received, in arrival order; thread-safe. */
final class RequestJournal {

  private final List<RecordedRequest> all = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();

  void record(RecordedRequest request) {
    all.add(request);
    untaken.add(request);
  }

  List<RecordedRequest> all() {
    return List.copyOf(all);
  }

  int count() {
    return all.size();
  }

  /** The oldest request not taken yet, waiting up to {@code timeout}; {@code null} if none came. */
  RecordedRequest take(Duration timeout) throws InterruptedException {
    return untaken.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
