package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of the fake loop after the handshake: sends it the replay messages and registers it, records
 * the texts it sends and counts its pongs. Pings and close frames are answered by the protocol handler.
 */
final class LoopSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

  private static final Logger LOG = LoggerFactory.getLogger(LoopSocketHandler.class);

  private final LoopClients clients;

  LoopSocketHandler(LoopClients clients) {
    this.clients = requireNonNull(clients, "clients");
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      for (String message : clients.replay()) {
        ctx.write(new TextWebSocketFrame(message));
      }
      ctx.flush();
      clients.connected(ctx.channel());
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof TextWebSocketFrame) {
      clients.received(((TextWebSocketFrame) frame).text());
    } else if (frame instanceof PongWebSocketFrame) {
      clients.pong();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("FakeConvergenceLoop: closing {} after an error", ctx.channel(), cause);
    ctx.close();
  }
}
