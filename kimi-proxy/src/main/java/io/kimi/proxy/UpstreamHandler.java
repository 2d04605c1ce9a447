package io.kimi.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a pooled upstream connection: hands what arrives to the exchange bound to it, and
 * drops the connection if anything arrives while it idles in the pool.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(UpstreamHandler.class);

    private UpstreamListener listener;

    void bind(UpstreamListener newListener) {
        this.listener = newListener;
    }

    void unbind() {
        this.listener = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener l = listener;
        if (l == null) {
            ReferenceCountUtil.release(msg);
            log.debug("Closing idle upstream connection {}: it sent data nobody asked for", ctx.channel());
            ctx.close();
            return;
        }
        l.onUpstreamMessage(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        if (l != null) {
            l.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.onUpstreamClosed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener l = listener;
        listener = null;
        if (l != null) {
            l.onUpstreamClosed(cause);
        } else {
            log.debug("Idle upstream connection {} failed: {}", ctx.channel(), cause.toString());
        }
        ctx.close();
    }
}
