package io.kimi.proxy;

/**
 * Told how each proxied exchange ended. Called exactly once per exchange, on the client's event loop, before
 * the last byte is written to the client (so anything the observer enqueues is ordered before the client can
 * see the reply end). Implementations must return quickly and never block.
 */
@FunctionalInterface
public interface ExchangeObserver {
    void onComplete(ExchangeResult result);
}
