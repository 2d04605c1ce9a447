package io.kimi.api;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.util.concurrent.TimeUnit;

/**
 * The Netty event loops every connection (inbound and upstream) runs on. The connections are closed before
 * ({@link OpenConnections}, the upstream pools): stopping the loops alone did not close them all.
 */
final class EventLoops implements AutoCloseable {
    private final EventLoopGroup group;

    /** @param ioThreads {@code server.io_threads}: the count, or 0 for one per core */
    EventLoops(int ioThreads) {
        group = new MultiThreadIoEventLoopGroup(count(ioThreads), NioIoHandler.newFactory());
    }

    /**
     * The event loops to start: {@code io_threads}, or one per core when it is 0. (Netty itself would read 0
     * as two per core, which on a small machine only adds threads competing for the same cores.)
     */
    static int count(int ioThreads) {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    EventLoopGroup group() {
        return group;
    }

    @Override
    public void close() {
        if (!group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("event loops still running after 10 s");
        }
    }
}
