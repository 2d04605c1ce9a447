package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The handlers of one connection to the loop, in order: idle detection on raw reads, TLS for {@code wss://},
 * HTTP for the handshake, the WebSocket protocol (pings answered, pongs dropped, close frames passed on),
 * whole messages up to {@link #MAX_MESSAGE_BYTES}, liveness, the reader.
 */
final class LoopPipeline extends ChannelInitializer<SocketChannel> {
    /** The largest message accepted from the loop (a batch of thousands of events). */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    private static final int MAX_HANDSHAKE_BYTES = 64 * 1024;
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final URI url;
    private final SslContext ssl;
    private final Duration livenessTimeout;
    private final LoopInbox inbox;
    private final LoopReader.Opened opened;

    /** @param ssl the TLS context for {@code wss://}, or {@code null} for {@code ws://} */
    LoopPipeline(URI url, SslContext ssl, Duration livenessTimeout, LoopInbox inbox, LoopReader.Opened opened) {
        this.url = requireNonNull(url, "url");
        this.ssl = ssl;
        this.livenessTimeout = requireNonNull(livenessTimeout, "livenessTimeout");
        this.inbox = requireNonNull(inbox, "inbox");
        this.opened = requireNonNull(opened, "opened");
    }

    static int port(URI url) {
        return url.getPort() != -1 ? url.getPort() : "wss".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(url)
                .maxFramePayloadLength(MAX_MESSAGE_BYTES)
                .handleCloseFrames(false)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
                .build();
        ch.pipeline().addLast("idle", new IdleStateHandler(
                LoopLiveness.checkInterval(livenessTimeout).toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        if (ssl != null) {
            ch.pipeline().addLast("tls", ssl.newHandler(ch.alloc(), url.getHost(), port(url)));
        }
        ch.pipeline()
                .addLast("http", new HttpClientCodec())
                .addLast("handshake", new HttpObjectAggregator(MAX_HANDSHAKE_BYTES))
                .addLast("websocket", new WebSocketClientProtocolHandler(config))
                .addLast("messages", new WebSocketFrameAggregator(MAX_MESSAGE_BYTES))
                .addLast("liveness", new LoopLiveness(livenessTimeout))
                .addLast("reader", new LoopReader(inbox, opened));
    }
}
