package io.kimi.api;

import io.kimi.services.internal.live.DropReason;
import io.kimi.services.internal.live.LiveClients;
import io.kimi.services.internal.live.LiveConnection;
import io.kimi.services.internal.live.LiveProtocol;
import io.kimi.services.internal.live.Subscriptions;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket client: answers its messages through {@link LiveProtocol} and receives the live messages its
 * subscriptions want.
 *
 * <p>Everything sent to the client (pushes, replies to its actions, pongs to its ping frames) waits, in order,
 * in a queue of at most {@code queueLimit} entries (pushes are duplicates of one frame, encoded once for every
 * client: {@link SharedFrames}),
 * drained on the client's event loop only while its channel is writable, so Netty's outbound buffer stays under
 * its high-water mark. Each message's bytes are also counted, until written to the socket, in the
 * {@link LiveClients#outbound() budget} shared by all clients. A client whose queue is full, or that is the most
 * behind when the budget is full, is cut off (1008) and what waits for it dropped: memory is bounded whatever
 * the client sends or the server publishes. A close frame is only written to a client that can take it, and a
 * client that does not complete the close handshake is disconnected 2 s later. A client silent for the idle
 * timeout is closed (1001).
 */
final class WsSession extends SimpleChannelInboundHandler<WebSocketFrame> implements LiveConnection {
    private static final Logger log = LoggerFactory.getLogger(WsSession.class);
    private static final long CLOSE_TIMEOUT_SECONDS = 2;

    private final LiveClients clients;
    private final SharedFrames frames;
    private final LiveProtocol protocol;
    private final int maxMessageChars;
    private final int queueLimit;
    private final long idleSeconds;
    private final Subscriptions subscriptions = new Subscriptions();
    private final BlockingQueue<Outgoing> queue;
    /**
     * Bytes of this client's messages queued, or written and not yet sent: its part of the shared budget; -1 once
     * closing, when all of it was given back at once.
     */
    private final AtomicLong heldBytes = new AtomicLong();
    /** See {@link #waitingSinceNanos()}. */
    private volatile long waitingSince = System.nanoTime();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile Channel channel;

    /**
     * One message for the client: a push already encoded as a frame (a duplicate of the frame shared by all
     * clients, {@link SharedFrames}), a reply as a text frame, or the answer to one of its ping frames; owned by
     * the queue until written or discarded. {@code bytes}: its payload's size, as counted in the budget.
     */
    private record Outgoing(Object message, int bytes) {
        void discard() {
            ReferenceCountUtil.release(message);
        }
    }

    WsSession(LiveClients clients, SharedFrames frames, LiveProtocol protocol, int maxMessageChars, int queueLimit,
            long idleSeconds) {
        this.clients = clients;
        this.frames = frames;
        this.protocol = protocol;
        this.maxMessageChars = maxMessageChars;
        this.queueLimit = queueLimit;
        this.idleSeconds = idleSeconds;
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
        if (channel == null || closing.get()) {
            return false;
        }
        return enqueue(new Outgoing(frames.frameOf(utf8Json), utf8Json.length));
    }

    @Override
    public long outboundBytes() {
        return Math.max(0, heldBytes.get());
    }

    @Override
    public long waitingSinceNanos() {
        return waitingSince;
    }

    @Override
    public Future<?> goAway(String reason) {
        Channel ch = channel;
        if (ch == null) {
            return CompletableFuture.completedFuture(null);
        }
        close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), reason);
        return ch.closeFuture();
    }

    /** Replies to the client's own requests, in order with the pushes. */
    private void reply(String json) {
        byte[] utf8 = json.getBytes(StandardCharsets.UTF_8);
        enqueue(new Outgoing(new TextWebSocketFrame(Unpooled.wrappedBuffer(utf8)), utf8.length));
    }

    /**
     * Queues a message, or cuts the client off when it is over its queue limit or the most behind when the
     * shared outbound budget is full. Any thread. Every message queued is either written (its bytes given back
     * once sent) or discarded by a drain that finds the channel closed: each offer schedules a drain unless one
     * is pending.
     */
    private boolean enqueue(Outgoing message) {
        Channel ch = channel;
        if (ch == null || closing.get()) {
            message.discard();
            return false;
        }
        int bytes = message.bytes();
        if (!clients.reserve(this, bytes)) {
            message.discard();
            cutOff(DropReason.OUTBOUND_LIMIT);
            return false;
        }
        if (!hold(bytes)) {
            message.discard();
            clients.outbound().release(bytes); // closed meanwhile: everything it held was given back
            return false;
        }
        if (!queue.offer(message)) {
            message.discard();
            release(bytes);
            cutOff(DropReason.QUEUE_LIMIT);
            return false;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            ch.eventLoop().execute(this::drain);
        }
        return true;
    }

    @Override
    public void cutOff(DropReason reason) {
        long held = outboundBytes();
        String detail = reason == DropReason.QUEUE_LIMIT ? queueLimit + " messages waiting"
                : "server outbound limit reached";
        if (close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "client too slow: " + detail
                + "; reconnect to resume")) {
            clients.countDrop(reason);
            log.info("WebSocket client {} cut off (1008), it reads too slowly: {} ({} bytes waited for it)",
                    channel.remoteAddress(), detail, held);
        }
    }

    /**
     * Writes queued messages while the channel accepts them; resumes when it becomes writable again. Their
     * bytes are given back when the last of them has been written to the socket (writes complete in order).
     */
    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (!ch.isActive()) {
            discardQueued();
            return;
        }
        long written = 0;
        ChannelFuture last = null;
        Outgoing next;
        while (ch.isWritable() && (next = queue.poll()) != null) {
            last = ch.write(next.message());
            written += next.bytes();
        }
        if (last != null) {
            long sent = written;
            last.addListener(f -> {
                waitingSince = System.nanoTime(); // it took something
                release(sent);
            });
            ch.flush();
        }
    }

    private void discardQueued() {
        long bytes = 0;
        Outgoing next;
        while ((next = queue.poll()) != null) {
            bytes += next.bytes();
            next.discard();
        }
        release(bytes);
    }

    /** Counts reserved bytes as this client's; {@code false} once closing (they are not counted then). */
    private boolean hold(long bytes) {
        while (true) {
            long held = heldBytes.get();
            if (held < 0) {
                return false;
            }
            if (heldBytes.compareAndSet(held, held + bytes)) {
                if (held == 0) {
                    waitingSince = System.nanoTime(); // nothing was waiting: it is not behind before now
                }
                return true;
            }
        }
    }

    /** Gives back sent or discarded bytes, unless closing already gave back everything. */
    private void release(long bytes) {
        while (bytes != 0) {
            long held = heldBytes.get();
            if (held < 0) {
                return;
            }
            if (heldBytes.compareAndSet(held, held - bytes)) {
                clients.outbound().release(bytes);
                return;
            }
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
                close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "message too big");
                return;
            }
            protocol.handle(text, subscriptions).thenAccept(this::reply);
        } else if (frame instanceof PingWebSocketFrame) {
            // Answered like any other message: queued, so a client that pings and never reads is cut off.
            byte[] payload = ByteBufUtil.getBytes(frame.content());
            enqueue(new Outgoing(new PongWebSocketFrame(Unpooled.wrappedBuffer(payload)), payload.length));
        } else if (frame instanceof CloseWebSocketFrame) {
            int code = ((CloseWebSocketFrame) frame).statusCode();
            if (!close(code, "")) {
                ctx.close(); // the answer to our own close frame: the handshake is complete
            }
        } else if (frame instanceof BinaryWebSocketFrame) {
            reply(protocol.error(null, "unsupported_frame", "Binary messages are not supported; send JSON text."));
        } else if (!(frame instanceof PongWebSocketFrame)) {
            reply(protocol.error(null, "unsupported_frame", "Unsupported frame: " + frame.getClass().getSimpleName()));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && ((IdleStateEvent) evt).state() == IdleState.READER_IDLE) {
            close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "idle for " + idleSeconds
                    + " s without a message or ping");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        clients.remove(this);
        discardQueued();
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

    /**
     * Starts closing: leaves the fan-out and gives back its part of the outbound budget (the connection is on its
     * way out), writes what is queued while the client takes it, then a close frame with the code ({@code -1}:
     * none) and reason if the client can take that too, else closes the connection at once. Returns
     * {@code false} when the session was already closing.
     */
    private boolean close(int code, String reason) {
        Channel ch = channel;
        if (ch == null || !closing.compareAndSet(false, true)) {
            return false;
        }
        clients.remove(this);
        long held = heldBytes.getAndSet(-1);
        if (held > 0) {
            clients.outbound().release(held);
        }
        ch.eventLoop().execute(() -> {
            drain(); // what was queued before the close (e.g. the error explaining it) goes first
            if (!ch.isWritable() || !queue.isEmpty()) {
                ch.close(); // it is not reading: a close frame would only wait behind what it has not read
                return;
            }
            CloseWebSocketFrame frame = code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, reason);
            ch.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
            ch.eventLoop().schedule(() -> {
                if (ch.isOpen()) {
                    ch.close();
                }
            }, CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        });
        return true;
    }
}
