package io.kimi.api;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/** The client-side pipeline, one job per handler, in order. */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private final int maxBodyBytes;
    private final Dispatcher dispatcher;

    ServerInitializer(int maxBodyBytes, Dispatcher dispatcher) {
        this.maxBodyBytes = maxBodyBytes;
        this.dispatcher = dispatcher;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast("http", new HttpServerCodec());
        p.addLast("keep-alive", new HttpServerKeepAliveHandler());
        p.addLast("body", new BodyLimitAggregator(maxBodyBytes));
        p.addLast("dispatch", dispatcher);
    }
}
