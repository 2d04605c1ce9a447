package io.kimi.api;

import io.kimi.services.internal.live.LiveClients;
import io.kimi.services.internal.live.LiveProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Turns an HTTP request on {@code /ws} or {@code /} carrying {@code Upgrade: websocket} into a live WebSocket
 * session: checks the origin, performs the handshake, and replaces the HTTP handlers of the pipeline with the
 * WebSocket ones (idle timeout, frame aggregation, {@link WsSession}).
 */
final class WebSocketUpgrade {
    /**
     * Outbound bytes Netty holds per WebSocket client before the channel counts as unwritable. The HTTP
     * connections' 256 KiB, times a thousand clients that stop reading, is more direct memory than the server
     * may use: allocation then stalls the event loops in {@code System.gc()} retries. With 32 KiB, a thousand
     * stalled clients hold about 32 MiB, and their backlog waits in the session queues (references to payloads
     * shared by all clients) until the queue limit or the shared outbound limit cuts them off.
     */
    static final WriteBufferWaterMark OUTBOUND_WATER_MARK = new WriteBufferWaterMark(8 << 10, 32 << 10);

    private final LiveClients clients;
    private final SharedFrames frames;
    private final LiveProtocol protocol;
    private final OriginPolicy origins;
    private final int maxMessageBytes;
    private final int queueLimit;
    private final Duration idleTimeout;

    WebSocketUpgrade(LiveClients clients, SharedFrames frames, LiveProtocol protocol, OriginPolicy origins,
            int maxMessageBytes, int queueLimit, Duration idleTimeout) {
        this.clients = clients;
        this.frames = frames;
        this.protocol = protocol;
        this.origins = origins;
        this.maxMessageBytes = maxMessageBytes;
        this.queueLimit = queueLimit;
        this.idleTimeout = idleTimeout;
    }

    static boolean isUpgrade(HttpRequest request, String path) {
        return (path.equals("/ws") || path.equals("/")) && request.method().equals(HttpMethod.GET)
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        Channel ch = ctx.channel();
        int port = ((InetSocketAddress) ch.localAddress()).getPort();
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (!origins.allows(origin, port)) {
            Responses.write(ch, Errors.response(403, "origin_not_allowed", "WebSocket connections from origin '"
                    + origin + "' are not allowed; add it to server.allowed_origins to permit it."));
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST, "localhost");
        // The decoder refuses frames far over the limit itself (1009); WsSession answers those just over it.
        int decoderLimit = maxMessageBytes * 4 + 1024;
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory("ws://" + host + path, null,
                false, decoderLimit).newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
            return;
        }
        long idleSeconds = Math.max(1, idleTimeout.toSeconds());
        WsSession session = new WsSession(clients, frames, protocol, maxMessageBytes, queueLimit, idleSeconds);
        ChannelPipeline p = ctx.pipeline();
        p.remove("keep-alive");
        // Netty buffers at most this much per client; the rest waits in the session's queue of shared payloads.
        ch.config().setWriteBufferWaterMark(OUTBOUND_WATER_MARK);
        handshaker.handshake(ch, request).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                session.start(f.channel());
            } else {
                f.channel().close();
            }
        });
        p.addLast("ws-idle", new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("ws-aggregate", new WebSocketFrameAggregator(decoderLimit));
        p.addLast("ws-session", session);
        p.remove(ctx.handler());
    }
}
