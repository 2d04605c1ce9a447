package io.kimi.api;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every accepted connection until it closes, so that stopping the server closes each one while the event loops
 * still run. Stopping the event loops alone (Netty 4.2.20's {@code shutdownGracefully}) left 3 of 7 kept-alive
 * connections open and unread in every round of {@code ServerStopClosesConnectionsTest}: a browser that reused
 * one after a restart on the same port waited forever for its page, and a request in flight on one was never
 * cancelled (so never recorded).
 * Thread-safe; one per server.
 */
final class OpenConnections implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpenConnections.class);

    private final ChannelGroup channels = new DefaultChannelGroup("kimi-connections", GlobalEventExecutor.INSTANCE);
    private final Duration closeWait;

    OpenConnections(Duration closeWait) {
        this.closeWait = closeWait;
    }

    /** Tracks {@code ch} until it closes (then it leaves by itself). */
    void add(Channel ch) {
        channels.add(ch);
    }

    /** Closes every open connection and waits for them to be closed; says how many were still open if not. */
    @Override
    public void close() {
        if (!channels.close().awaitUninterruptibly(closeWait.toMillis(), TimeUnit.MILLISECONDS)) {
            log.warn("{} connections were still open {} ms after the server closed them", channels.size(),
                    closeWait.toMillis());
        }
    }
}
