package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Scripted answers (a fake upstream's {@link Reply}s, a fake MCP server's {@link McpBehavior}s), first
 * in first out, and the answer used when none is queued; thread-safe.
 */
final class ReplyQueue<T> {

  private final ConcurrentLinkedQueue<T> queue = new ConcurrentLinkedQueue<>();
  private volatile T fallback;

  ReplyQueue(T fallback) {
    this.fallback = requireNonNull(fallback, "fallback");
  }

  /** Queues each of {@code answers} in order; {@code name} names the argument in a null's error. */
  @SafeVarargs
  final void addAll(String name, T... answers) {
    requireNonNull(answers, name);
    for (T answer : answers) {
      queue.add(requireNonNull(answer, name + "[i]"));
    }
  }

  void fallback(T answer) {
    this.fallback = requireNonNull(answer, "fallback");
  }

  /** The next queued answer, or the fallback when the queue is empty. */
  T next() {
    T next = queue.poll();
    return next != null ? next : fallback;
  }
}
