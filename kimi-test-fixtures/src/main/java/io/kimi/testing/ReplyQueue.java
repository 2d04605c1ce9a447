package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentLinkedQueue;

/** Scripted replies, first in first out, and the reply used when none is queued; thread-safe. */
final class ReplyQueue {

  private final ConcurrentLinkedQueue<Reply> queue = new ConcurrentLinkedQueue<>();
  private volatile Reply fallback;

  ReplyQueue(Reply fallback) {
    this.fallback = requireNonNull(fallback, "fallback");
  }

  void add(Reply reply) {
    queue.add(requireNonNull(reply, "reply"));
  }

  void fallback(Reply reply) {
    this.fallback = requireNonNull(reply, "reply");
  }

  /** The next queued reply, or the fallback when the queue is empty. */
  Reply next() {
    Reply next = queue.poll();
    return next != null ? next : fallback;
  }
}
