package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits before the WebSocket protocol handler (which answers pings): counts every ping a client sends and,
 * while the loop is told not to answer pings, swallows it, as a hung loop process whose socket stays open
 * would.
 */
final class LoopPingGate extends ChannelInboundHandlerAdapter {

  private final LoopClients clients;

  LoopPingGate(LoopClients clients) {
    this.clients = requireNonNull(clients, "clients");
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof PingWebSocketFrame) {
      // Decided before counting: a waiter woken by the count may change the setting at once.
      boolean answer = clients.answersPings();
      clients.ping();
      if (!answer) {
        ReferenceCountUtil.release(msg);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
