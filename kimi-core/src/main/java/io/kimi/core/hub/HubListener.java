package io.kimi.core.hub;

/** Receives hub messages. Called on the publisher's thread: must return quickly and never block. */
@FunctionalInterface
public interface HubListener {
    void onMessage(HubMessage message);
}
