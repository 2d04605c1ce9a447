package io.kimi.protocol;

/** A session as REST routes, {@code session} messages and exports show it: one record per kind. */
public sealed interface SessionView permits ProxySessionView, ConvergenceSessionView {
    SessionHeader header();
}
