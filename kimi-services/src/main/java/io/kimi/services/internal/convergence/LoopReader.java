package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection to the loop: reports the completed handshake, hands whole messages to the
 * {@link LoopInbox}, answers the loop's close frame, and records why the connection ends ({@link #CLOSE_REASON})
 * before closing it on an error.
 */
final class LoopReader extends SimpleChannelInboundHandler<WebSocketFrame> {
    /** Why the connection ended, set once by whoever ends it; absent when the loop just dropped the TCP connection. */
    static final AttributeKey<String> CLOSE_REASON = AttributeKey.valueOf(LoopReader.class, "closeReason");

    private static final Logger log = LoggerFactory.getLogger(LoopReader.class);

    /** Told when the WebSocket handshake completed: the connection is open. */
    interface Opened {
        void opened(Channel channel);
    }

    private final LoopInbox inbox;
    private final Opened opened;

    LoopReader(LoopInbox inbox, Opened opened) {
        this.inbox = requireNonNull(inbox, "inbox");
        this.opened = requireNonNull(opened, "opened");
    }

    static void closeWith(Channel channel, String reason) {
        channel.attr(CLOSE_REASON).setIfAbsent(reason);
        channel.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
            opened.opened(ctx.channel());
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ctx.channel().attr(CLOSE_REASON).setIfAbsent("the WebSocket handshake timed out");
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame) {
            inbox.receive(ctx.channel(), ((TextWebSocketFrame) frame).text());
        } else if (frame instanceof BinaryWebSocketFrame) {
            inbox.receiveBinary();
        } else if (frame instanceof CloseWebSocketFrame) {
            CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
            String reason = close.reasonText();
            ctx.channel().attr(CLOSE_REASON).setIfAbsent("closed by the loop (" + close.statusCode()
                    + (reason.isEmpty() ? "" : ", " + reason) + ")");
            ctx.writeAndFlush(new CloseWebSocketFrame(close.statusCode() < 0 ? 1000 : close.statusCode(), ""))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Convergence loop connection {} failed", ctx.channel(), cause);
        closeWith(ctx.channel(), rootMessage(cause));
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
