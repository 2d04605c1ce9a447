package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.util.function.Function;

/**
 * The pipeline of one accepted connection: the count of bytes sent, HTTP/1.1 codec, whole requests, the
 * exchange.
 */
final class FakeUpstreamInitializer extends ChannelInitializer<SocketChannel> {

  /** Largest request body accepted; larger ones get 413 from the aggregator. */
  static final int MAX_REQUEST_BYTES = 64 * 1024 * 1024;

  private final Function<RecordedRequest, Reply> dispatcher;
  private final ConnectionStats stats;
  private final ChannelGroup channels;

  FakeUpstreamInitializer(
      Function<RecordedRequest, Reply> dispatcher, ConnectionStats stats, ChannelGroup channels) {
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    this.stats = requireNonNull(stats, "stats");
    this.channels = requireNonNull(channels, "channels");
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    stats.connectionAccepted();
    channels.add(ch);
    ch.pipeline()
        .addLast("sent", new SentBytes(stats))
        .addLast("http", new HttpServerCodec())
        .addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
        .addLast("exchange", new ExchangeHandler(dispatcher, stats));
  }
}
