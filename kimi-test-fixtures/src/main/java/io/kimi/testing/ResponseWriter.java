package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one {@link Reply} to one request on a connection, following its timing and faults. Runs on
 * the connection's event loop only; every delay is scheduled there.
 */
final class ResponseWriter {

  private static final Logger LOG = LoggerFactory.getLogger(ResponseWriter.class);
  private static final String DONE = "[DONE]";

  private final ChannelHandlerContext ctx;
  private final RecordedRequest request;
  private final Reply reply;
  private final boolean keepAlive;
  private final Runnable onCompleteKeepingConnection;

  private ScheduledFuture<?> timer;
  private boolean finished;
  private boolean cancelled;

  /**
   * @param onCompleteKeepingConnection run once the whole response was written and the connection
   *     stays open for the next request
   */
  ResponseWriter(
      ChannelHandlerContext ctx,
      RecordedRequest request,
      Reply reply,
      boolean keepAlive,
      Runnable onCompleteKeepingConnection) {
    this.ctx = requireNonNull(ctx, "ctx");
    this.request = requireNonNull(request, "request");
    this.reply = requireNonNull(reply, "reply");
    this.keepAlive = keepAlive;
    this.onCompleteKeepingConnection =
        requireNonNull(onCompleteKeepingConnection, "onCompleteKeepingConnection");
  }

  /** Starts answering; returns at once. */
  void start() {
    after(reply.initialDelay(), this::respond);
  }

  /**
   * Whether the response ended: fully written, or cut short on purpose by the script. A connection
   * that closes before that was closed by the client.
   */
  boolean isFinished() {
    return finished;
  }

  /** Stops everything still scheduled; the connection is gone. */
  void cancel() {
    cancelled = true;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void respond() {
    if (reply.resetsBeforeResponse()) {
      LOG.debug("Resetting the connection instead of answering {}", request);
      finished = true;
      ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
      ctx.close();
      return;
    }
    switch (reply.kind()) {
      case FIXED -> writeFixed();
      case STREAM -> writeStream();
      case HANG -> LOG.debug("Hanging on {}", request);
    }
  }

  // ---- fixed-length replies ----

  private void writeFixed() {
    byte[] body;
    try {
      body = reply.body(request);
    } catch (RuntimeException e) {
      LOG.error("Could not build {} for {}; answering 500", reply, request, e);
      writeScriptFailure(e);
      return;
    }
    HttpResponseStatus status = HttpResponseStatus.valueOf(reply.statusCode());
    HttpHeaders headers = headers(HttpHeaderValues.APPLICATION_JSON.toString());
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    if (reply.delayBeforeBody().isZero()) {
      ctx.writeAndFlush(
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1,
                  status,
                  Unpooled.wrappedBuffer(body),
                  headers,
                  EmptyHttpHeaders.INSTANCE))
          .addListener(this::ended);
      return;
    }
    ctx.writeAndFlush(new DefaultHttpResponse(HttpVersion.HTTP_1_1, status, headers))
        .addListener(
            (ChannelFuture head) -> {
              if (!head.isSuccess()) {
                writeFailed(head);
                return;
              }
              after(
                  reply.delayBeforeBody(),
                  () ->
                      ctx.writeAndFlush(new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)))
                          .addListener(this::ended));
            });
  }

  private void writeScriptFailure(RuntimeException e) {
    byte[] body =
        OpenAiJson.error(500, "FakeUpstream script failed: " + e)
            .getBytes(StandardCharsets.UTF_8);
    HttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.INTERNAL_SERVER_ERROR,
            Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(response, body.length);
    HttpUtil.setKeepAlive(response, keepAlive);
    ctx.writeAndFlush(response).addListener(this::ended);
  }

  // ---- event streams ----

  private void writeStream() {
    List<String> events;
    try {
      events = new ArrayList<>(reply.events(request));
    } catch (RuntimeException e) {
      LOG.error("Could not build {} for {}; answering 500", reply, request, e);
      writeScriptFailure(e);
      return;
    }
    if (reply.doneMarker()) {
      events.add(DONE);
    }
    HttpResponse head =
        new DefaultHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(reply.statusCode()),
            headers("text/event-stream; charset=utf-8"));
    head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    HttpUtil.setTransferEncodingChunked(head, true);
    ctx.writeAndFlush(head)
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                writeFailed(f);
              } else if (reply.disconnectAfterChunks() == 0) {
                disconnect(0);
              } else {
                after(reply.delayBeforeBody(), () -> writeEvent(events, 0));
              }
            });
  }

  private void writeEvent(List<String> events, int index) {
    if (index == events.size()) {
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(this::ended);
      return;
    }
    ByteBuf event = ByteBufUtil.writeUtf8(ctx.alloc(), sseEvent(events.get(index)));
    ctx.writeAndFlush(new DefaultHttpContent(event))
        .addListener(
            (ChannelFuture f) -> {
              if (!f.isSuccess()) {
                writeFailed(f);
                return;
              }
              int written = index + 1;
              int limit = reply.disconnectAfterChunks();
              if (limit >= 0 && (written >= limit || written == events.size())) {
                disconnect(written);
              } else if (written == events.size()) {
                writeEvent(events, written);
              } else {
                after(reply.delayBetweenChunks(), () -> writeEvent(events, written));
              }
            });
  }

  /** One SSE event: each line of the payload as a {@code data:} line, then a blank line. */
  private static String sseEvent(String payload) {
    StringBuilder s = new StringBuilder(payload.length() + 8);
    for (String line : payload.split("\r\n|\r|\n", -1)) {
      s.append("data: ").append(line).append('\n');
    }
    return s.append('\n').toString();
  }

  private void disconnect(int eventsWritten) {
    LOG.debug("Disconnecting after {} events of {} for {}", eventsWritten, reply, request);
    finished = true;
    ctx.close();
  }

  // ---- common ----

  /** The default headers of a reply, then the script's: a script's header replaces the default. */
  private HttpHeaders headers(String contentType) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, contentType);
    if (!keepAlive) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    Set<String> replaced = new HashSet<>();
    for (Map.Entry<String, String> header : reply.headers()) {
      if (replaced.add(header.getKey().toLowerCase(Locale.ROOT))) {
        headers.remove(header.getKey());
      }
      headers.add(header.getKey(), header.getValue());
    }
    return headers;
  }

  private void ended(Future<? super Void> last) {
    if (!last.isSuccess()) {
      writeFailed(last);
      return;
    }
    finished = true;
    if (cancelled) {
      return;
    }
    if (keepAlive) {
      onCompleteKeepingConnection.run();
    } else {
      ctx.close();
    }
  }

  private void writeFailed(Future<?> write) {
    LOG.debug("Write of {} for {} failed; closing", reply, request, write.cause());
    ctx.close();
  }

  /** Runs {@code task} on the event loop after {@code delay}, unless cancelled by then. */
  private void after(Duration delay, Runnable task) {
    Runnable guarded =
        () -> {
          if (!cancelled && ctx.channel().isActive()) {
            task.run();
          }
        };
    if (delay.isZero()) {
      ctx.executor().execute(guarded);
    } else {
      timer = ctx.executor().schedule(guarded, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }
}
