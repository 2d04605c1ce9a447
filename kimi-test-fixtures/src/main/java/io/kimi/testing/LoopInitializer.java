package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * The pipeline of one connection to the fake loop: HTTP/1.1 codec, the WebSocket handshake on any path
 * (pings counted and answered unless muted, pongs passed on), whole messages, the client.
 */
final class LoopInitializer extends ChannelInitializer<SocketChannel> {

  /** Largest handshake request and largest message accepted from a client. */
  static final int MAX_MESSAGE_BYTES = 1024 * 1024;

  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  private final LoopClients clients;

  LoopInitializer(LoopClients clients) {
    this.clients = requireNonNull(clients, "clients");
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    clients.accepted(ch);
    WebSocketServerProtocolConfig config =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/")
            .checkStartsWith(true)
            .dropPongFrames(false)
            // Netty sends a close frame before closing by default; the loop's drops are abrupt (a crash).
            .sendCloseFrame(null)
            .handshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS)
            .decoderConfig(
                WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(MAX_MESSAGE_BYTES)
                    .build())
            .build();
    ch.pipeline()
        .addLast("http", new HttpServerCodec())
        .addLast("aggregate", new HttpObjectAggregator(MAX_MESSAGE_BYTES))
        .addLast("pings", new LoopPingGate(clients))
        .addLast("websocket", new WebSocketServerProtocolHandler(config))
        .addLast("messages", new WebSocketFrameAggregator(MAX_MESSAGE_BYTES))
        .addLast("client", new LoopSocketHandler(clients));
  }
}
