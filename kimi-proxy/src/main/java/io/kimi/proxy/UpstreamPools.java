package io.kimi.proxy;

import io.kimi.config.ProviderConfig;
import io.kimi.core.Threads;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.ChannelPool;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLException;

/**
 * Keep-alive connections to providers, one pool per (provider, event loop), so that an exchange's upstream
 * connection lives on its client's event loop. Idle connections read (and so notice a provider's close);
 * connections in use read only on demand. Host names are resolved off the event loops ({@link OffLoopResolver}).
 */
final class UpstreamPools implements AutoCloseable {
    /**
     * Reply content is handed on in pieces of up to 64 KiB (one socket read at most), not Netty's default 8 KiB:
     * a large reply is then 8 times fewer pieces to gather, frame and write. A piece is passed on as soon as it
     * is read whatever its size, so streamed events are not delayed.
     */
    private static final int MAX_CHUNK_BYTES = 64 << 10;

    private final Map<Key, ChannelPool> pools = new ConcurrentHashMap<>();
    private final SslContext ssl;
    /** Host-name lookups, off the event loops; one daemon thread is plenty (answers are cached by the JDK). */
    private final ExecutorService lookups = Executors.newSingleThreadExecutor(Threads.daemon("kimi-dns"));
    private final OffLoopResolver resolver = new OffLoopResolver(lookups, InetAddress::getAllByName);

    private record Key(String provider, EventLoop loop) {
    }

    UpstreamPools() {
        try {
            ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("the JDK's TLS provider is unavailable", e);
        }
    }

    ChannelPool poolFor(ProviderConfig provider, EventLoop loop) {
        return pools.computeIfAbsent(new Key(provider.key(), loop), k -> newPool(provider, loop));
    }

    private ChannelPool newPool(ProviderConfig provider, EventLoop loop) {
        URI uri = provider.baseUrl();
        boolean tls = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
        String host = uri.getHost();
        int port = uri.getPort() != -1 ? uri.getPort() : tls ? 443 : 80;
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) provider.connectTimeout().toMillis())
                .resolver(resolver)
                .remoteAddress(host, port);
        return new FixedChannelPool(bootstrap, new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                if (tls) {
                    p.addLast("tls", ssl.newHandler(ch.alloc(), host, port));
                }
                p.addLast("http", new HttpClientCodec(new HttpDecoderConfig().setMaxChunkSize(MAX_CHUNK_BYTES), false,
                        false));
                p.addLast("exchange", new UpstreamHandler());
            }

            @Override
            public void channelAcquired(Channel ch) {
                ch.config().setAutoRead(false);
            }

            @Override
            public void channelReleased(Channel ch) {
                ch.config().setAutoRead(true);
            }
        }, Math.max(1, provider.maxConnections()));
    }

    @Override
    public void close() {
        pools.values().forEach(ChannelPool::close);
        pools.clear();
        resolver.close();
        lookups.shutdownNow();
    }
}
