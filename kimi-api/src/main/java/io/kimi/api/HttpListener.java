package io.kimi.api;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The listening socket, with the server's socket options; closing it stops accepting connections. */
final class HttpListener implements AutoCloseable {
    private final Channel channel;

    private HttpListener(Channel channel) {
        this.channel = channel;
    }

    /** Binds {@code host:port} (0: a free port); each accepted connection is set up by {@code initializer}. */
    static HttpListener bind(EventLoops loops, String host, int port, ChannelHandler initializer) {
        Channel channel = new ServerBootstrap()
                .group(loops.group())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 << 10, 256 << 10))
                .childHandler(initializer)
                .bind(host, port)
                .syncUninterruptibly()
                .channel();
        return new HttpListener(channel);
    }

    /** The bound port. */
    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (!channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the listening socket did not close within 5 s");
        }
    }
}
