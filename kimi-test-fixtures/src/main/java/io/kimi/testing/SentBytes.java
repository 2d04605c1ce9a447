package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/** First in a connection's pipeline: counts the bytes of each write once it reached the socket. */
final class SentBytes extends ChannelOutboundHandlerAdapter {
  private final ConnectionStats stats;

  SentBytes(ConnectionStats stats) {
    this.stats = requireNonNull(stats, "stats");
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf && buf.readableBytes() > 0) {
      long bytes = buf.readableBytes();
      ChannelPromise counted = promise.unvoid();
      counted.addListener(
          f -> {
            if (f.isSuccess()) {
              stats.sent(bytes);
            }
          });
      ctx.write(msg, counted);
      return;
    }
    ctx.write(msg, promise);
  }
}
