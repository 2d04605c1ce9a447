package io.kimi.services.internal.convergence;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an open connection to the loop honest: an {@link io.netty.handler.timeout.IdleStateHandler} at the head
 * of the pipeline reports each {@link #CHECKS} of the timeout without a byte read; the first ones make the
 * bridge ping the loop, and when the whole timeout passed with nothing (no message, no pong) the connection is
 * taken for dead and closed, so the bridge reconnects. Time during which the bridge itself paused reading
 * (events still waiting to be stored) does not count against the loop.
 */
final class LoopLiveness extends ChannelInboundHandlerAdapter {
    /** Idle reports per timeout: the bridge pings after a third of it, and again after two thirds. */
    static final int CHECKS = 3;

    private static final Logger log = LoggerFactory.getLogger(LoopLiveness.class);
    private static final byte[] PING = "kimi-dashboard".getBytes(StandardCharsets.US_ASCII);

    private final Duration timeout;
    private boolean open;
    private int silentChecks;

    LoopLiveness(Duration timeout) {
        this.timeout = timeout;
    }

    /** How long nothing may be read before a check: the timeout over {@link #CHECKS}. */
    static Duration checkInterval(Duration timeout) {
        return timeout.dividedBy(CHECKS);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            open = true;
        }
        if (!(evt instanceof IdleStateEvent) || ((IdleStateEvent) evt).state() != IdleState.READER_IDLE) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        if (!open) {
            return; // the handshake has its own timeout
        }
        if (!ctx.channel().config().isAutoRead()) {
            silentChecks = 0; // we are not reading: the loop cannot be heard, through no fault of its own
            return;
        }
        silentChecks = ((IdleStateEvent) evt).isFirst() ? 1 : silentChecks + 1;
        if (silentChecks >= CHECKS) {
            log.warn("Convergence loop silent for {} ms (no message, no pong); closing to reconnect", timeout.toMillis());
            LoopReader.closeWith(ctx.channel(), "no message or pong for " + timeout.toMillis() + " ms");
            return;
        }
        ctx.channel().writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(PING)))
                .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
    }
}
