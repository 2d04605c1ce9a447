package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per connection: records each request, takes its scripted reply, and answers the requests in order
 * one at a time; notices a client that leaves while a reply is in progress.
 */
final class ExchangeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);

  /** A request waiting for its turn on this connection, with the reply chosen when it arrived. */
  private record Exchange(RecordedRequest request, Reply reply, boolean keepAlive) {}

  private final Function<RecordedRequest, Reply> dispatcher;
  private final ConnectionStats stats;
  private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
  private ResponseWriter current;

  /**
   * @param dispatcher records a request and returns its reply; called once per request
   */
  ExchangeHandler(Function<RecordedRequest, Reply> dispatcher, ConnectionStats stats) {
    super(FullHttpRequest.class, true); // the request is released after channelRead0
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    this.stats = requireNonNull(stats, "stats");
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
    if (!msg.decoderResult().isSuccess()) {
      LOG.warn("Undecodable request on {}; closing", ctx.channel(), msg.decoderResult().cause());
      ctx.close();
      return;
    }
    RecordedRequest request = record(msg);
    Reply reply = dispatcher.apply(request);
    LOG.debug("{} on {} gets {}", request, ctx.channel(), reply);
    waiting.add(new Exchange(request, reply, HttpUtil.isKeepAlive(msg)));
    if (current == null) {
      startNext(ctx);
    }
  }

  private void startNext(ChannelHandlerContext ctx) {
    Exchange next = waiting.poll();
    if (next == null) {
      return;
    }
    ResponseWriter writer =
        new ResponseWriter(
            ctx,
            next.request(),
            next.reply(),
            next.keepAlive(),
            () -> {
              current = null;
              startNext(ctx);
            });
    current = writer;
    writer.start();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (current != null) {
      if (!current.isFinished()) {
        LOG.debug("Client left {} while a reply was in progress", ctx.channel());
        stats.clientDisconnected();
      }
      current.cancel();
      current = null;
    }
    waiting.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException) {
      LOG.debug("I/O error on {}; closing", ctx.channel(), cause);
    } else {
      LOG.warn("Unexpected error on {}; closing", ctx.channel(), cause);
    }
    ctx.close();
  }

  /** Copies what the request holds; the request's buffer stays owned by the caller. */
  private static RecordedRequest record(FullHttpRequest msg) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : msg.headers()) {
      headers.computeIfAbsent(header.getKey(), name -> new ArrayList<>()).add(header.getValue());
    }
    return new RecordedRequest(
        msg.method().name(), msg.uri(), headers, ByteBufUtil.getBytes(msg.content()));
  }
}
