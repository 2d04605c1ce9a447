package io.kimi.api;

import io.kimi.services.live.LiveClients;
import io.kimi.services.live.LiveConnection;
import io.kimi.services.live.LiveProtocol;
import io.kimi.services.live.Subscriptions;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket client: answers its messages through {@link LiveProtocol} and receives the live messages its
 * subscriptions want.
 *
 * <p>Outgoing messages (pushes and replies, in order) wait in a queue of at most {@code queueLimit} entries,
 * each a reference to a payload shared by every client; the queue is drained on the client's event loop only
 * while its channel is writable, so Netty's outbound buffer stays under its high-water mark. A client that falls
 * {@code queueLimit} messages behind (it stopped reading) loses the message, is told in a close frame (1008)
 * and is disconnected: memory per client is bounded whatever the publishing rate. A client silent for the
 * idle timeout is closed (1001).
 */
final class WsSession extends SimpleChannelInboundHandler<WebSocketFrame> implements LiveConnection {
    private static final Logger log = LoggerFactory.getLogger(WsSession.class);

    private final WebSocketServerHandshaker handshaker;
    private final LiveClients clients;
    private final LiveProtocol protocol;
    private final int maxMessageChars;
    private final int queueLimit;
    private final long idleSeconds;
    private final Runnable onDrop;
    private final Subscriptions subscriptions = new Subscriptions();
    private final BlockingQueue<byte[]> queue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile Channel channel;

    WsSession(WebSocketServerHandshaker handshaker, LiveClients clients, LiveProtocol protocol, int maxMessageChars,
            int queueLimit, long idleSeconds, Runnable onDrop) {
        this.handshaker = handshaker;
        this.clients = clients;
        this.protocol = protocol;
        this.maxMessageChars = maxMessageChars;
        this.queueLimit = queueLimit;
        this.idleSeconds = idleSeconds;
        this.onDrop = onDrop;
        this.queue = new LinkedBlockingQueue<>(queueLimit);
    }

    /** Called once the handshake has completed: joins the fan-out and sends {@code init}. */
    void start(Channel ch) {
        this.channel = ch;
        clients.add(this);
        protocol.init(subscriptions).thenAccept(this::reply);
    }

    @Override
    public Subscriptions subscriptions() {
        return subscriptions;
    }

    @Override
    public boolean offer(byte[] utf8Json) {
        Channel ch = channel;
        if (ch == null || closing.get()) {
            return false;
        }
        if (!queue.offer(utf8Json)) {
            onDrop.run();
            close(WebSocketCloseStatus.POLICY_VIOLATION, "client too slow: " + queueLimit
                    + " messages waiting; reconnect to resume");
            return false;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            ch.eventLoop().execute(this::drain);
        }
        return true;
    }

    @Override
    public java.util.concurrent.Future<?> goAway(String reason) {
        Channel ch = channel;
        if (ch == null) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, reason);
        return ch.closeFuture();
    }

    /** Replies to the client's own requests, in order with the pushes. */
    private void reply(String json) {
        offer(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes queued messages while the channel accepts them; resumes when it becomes writable again. */
    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            queue.clear();
            return;
        }
        boolean wrote = false;
        byte[] next;
        while (ch.isWritable() && (next = queue.poll()) != null) {
            ch.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(next)));
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable() && !queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(this::drain);
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            String text = ((TextWebSocketFrame) frame).text();
            if (text.length() > maxMessageChars) {
                reply(protocol.error(null, "message_too_big", "Messages are limited to " + maxMessageChars
                        + " characters; this one has " + text.length() + "."));
                close(WebSocketCloseStatus.MESSAGE_TOO_BIG, "message too big");
                return;
            }
            protocol.handle(text, subscriptions).thenAccept(this::reply);
        } else if (frame instanceof PingWebSocketFrame) {
            ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame) {
            closing.set(true);
            handshaker.close(ctx.channel(), (CloseWebSocketFrame) frame.retain());
        } else if (frame instanceof BinaryWebSocketFrame) {
            reply(protocol.error(null, "unsupported_frame", "Binary messages are not supported; send JSON text."));
        } else if (!(frame instanceof PongWebSocketFrame)) {
            reply(protocol.error(null, "unsupported_frame", "Unsupported frame: " + frame.getClass().getSimpleName()));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
            close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle for " + idleSeconds
                    + " s without a message or ping");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        clients.remove(this);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("WebSocket client {} failed: {}", ctx.channel(), cause.toString());
        } else {
            log.warn("WebSocket client {} failed", ctx.channel(), cause);
        }
        clients.remove(this);
        ctx.close();
    }

    /** Sends a close frame with the status and reason, then closes; forcibly if the client does not read it. */
    private void close(WebSocketCloseStatus status, String reason) {
        Channel ch = channel;
        if (ch == null || !closing.compareAndSet(false, true)) {
            return;
        }
        clients.remove(this);
        ch.eventLoop().execute(() -> {
            drain(); // what was queued before the close (e.g. the error explaining it) goes first
            ch.writeAndFlush(new CloseWebSocketFrame(status.code(), reason)).addListener(ChannelFutureListener.CLOSE);
        });
        ch.eventLoop().schedule(() -> {
            if (ch.isOpen()) {
                ch.close();
            }
        }, 2, TimeUnit.SECONDS);
    }
}
