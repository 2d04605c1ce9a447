package io.kimi.api;

import io.kimi.config.ConnectionLimits;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.util.function.Consumer;

/**
 * The client-side pipeline, one job per handler, in order. A connection over a limit gets no HTTP handlers at
 * all: {@link ConnectionLimiter} answers it 503 and closes it.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private final OpenConnections connections;
    private final ConnectionLimiter limiter;
    private final ConnectionLimits limits;
    private final Consumer<String> onTimeout;
    private final PipelinedRequests.Overflows overflows;
    private final int maxBodyBytes;
    private final Dispatcher dispatcher;

    /** @param onTimeout told the phase of each connection timeout (see {@link HttpTimeouts}), for metrics */
    ServerInitializer(OpenConnections connections, ConnectionLimiter limiter, ConnectionLimits limits,
            Consumer<String> onTimeout, PipelinedRequests.Overflows overflows, int maxBodyBytes,
            Dispatcher dispatcher) {
        this.connections = connections;
        this.limiter = limiter;
        this.limits = limits;
        this.onTimeout = onTimeout;
        this.overflows = overflows;
        this.maxBodyBytes = maxBodyBytes;
        this.dispatcher = dispatcher;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        if (!limiter.admit(ch)) {
            return;
        }
        HttpTimeouts timeouts = new HttpTimeouts(limits, onTimeout);
        ChannelPipeline p = ch.pipeline();
        p.addLast("first-bytes", timeouts.firstBytes());
        p.addLast("http", new HttpServerCodec());
        p.addLast("timeouts", timeouts);
        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
        p.addLast("in-order", new PipelinedRequests(limits.maxPipelinedRequests(),
                PipelinedRequests.PAUSE_AT_BYTES, overflows));
        p.addLast("body", new BodyLimitAggregator(maxBodyBytes));
        p.addLast("dispatch", dispatcher);
    }
}
