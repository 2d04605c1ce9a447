package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.kimi.config.ConnectionLimits;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long one HTTP connection may take at each step, so that slow or silent clients cannot hold it:
 * <ul>
 *   <li>header: from the connection's start, or from the first byte of a later request, until that request's
 *       headers are complete ({@code server.header_read_timeout_ms}); then a 408 and close;</li>
 *   <li>body: from complete headers until the end of the body ({@code server.body_read_timeout_ms}); then a
 *       408 and close;</li>
 *   <li>idle: from the end of a response until the next request's first byte ({@code server.idle_timeout_ms});
 *       then close.</li>
 * </ul>
 * No timer runs while a request is being answered: a response of any length, such as a streamed completion, is
 * never cut. A WebSocket upgrade removes these handlers (the WebSocket has its own idle timeout).
 *
 * <p>One instance per connection, on its event loop: after the HTTP codec, with {@link #firstBytes()} before it.
 */
final class HttpTimeouts extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(HttpTimeouts.class);

    private enum Phase {
        HEADER("header", "the request headers", "server.header_read_timeout_ms"),
        BODY("body", "the request body", "server.body_read_timeout_ms"),
        IDLE("idle", "a next request", "server.idle_timeout_ms");

        final String tag;
        final String awaited;
        final String key;

        Phase(String tag, String awaited, String key) {
            this.tag = tag;
            this.awaited = awaited;
            this.key = key;
        }
    }

    private final ConnectionLimits limits;
    private final Consumer<String> onTimeout;
    private final ChannelHandler firstBytes = new FirstBytes();
    private ChannelHandlerContext ctx;
    /** A request has begun (or the connection is new) and its headers are not complete. */
    private boolean readingHead = true;
    private boolean readingBody;
    /** Requests received whole whose response is not completely written yet. */
    private int unanswered;
    private boolean upgraded;
    private Phase armed;
    private ScheduledFuture<?> timer;

    /** @param onTimeout told the phase ({@code header}, {@code body}, {@code idle}) of each timeout, for metrics */
    HttpTimeouts(ConnectionLimits limits, Consumer<String> onTimeout) {
        this.limits = requireNonNull(limits, "limits");
        this.onTimeout = requireNonNull(onTimeout, "onTimeout");
    }

    /** The handler to put before the HTTP codec: it sees a request's first bytes, before they make headers. */
    ChannelHandler firstBytes() {
        return firstBytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            rearm();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        rearm();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            readingHead = false;
            readingBody = true;
        }
        if (msg instanceof LastHttpContent) {
            readingBody = false;
            unanswered++;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Once per read rather than per message: a request that arrives whole in one read arms nothing.
        rearm();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            if (response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
                upgraded = true;
                cancel();
                ChannelPromise p = promise.unvoid();
                p.addListener(f -> removeFrom(ctx));
                ctx.write(msg, p);
                return;
            }
            ctx.write(msg, promise); // 100 Continue is not the answer
            return;
        }
        if (msg instanceof LastHttpContent) {
            ChannelPromise p = promise.unvoid();
            p.addListener(f -> responseWritten());
            ctx.write(msg, p);
            return;
        }
        ctx.write(msg, promise);
    }

    private void bytesArrived() {
        if (!readingHead && !readingBody && !upgraded) {
            readingHead = true;
        }
    }

    private void responseWritten() {
        if (unanswered > 0) {
            unanswered--;
        }
        rearm();
    }

    /** Starts the timer the connection's state calls for, unless that one is already running. */
    private void rearm() {
        Phase wanted = upgraded ? null : readingHead ? Phase.HEADER : readingBody ? Phase.BODY
                : unanswered == 0 ? Phase.IDLE : null;
        if (wanted == armed || ctx == null) {
            return;
        }
        cancel();
        if (wanted != null && ctx.channel().isActive()) {
            armed = wanted;
            timer = ctx.executor().schedule(() -> expire(wanted), timeout(wanted).toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        armed = null;
    }

    private Duration timeout(Phase phase) {
        return switch (phase) {
            case HEADER -> limits.headerReadTimeout();
            case BODY -> limits.bodyReadTimeout();
            case IDLE -> limits.idleTimeout();
        };
    }

    private void expire(Phase phase) {
        timer = null;
        armed = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        onTimeout.accept(phase.tag);
        long ms = timeout(phase).toMillis();
        log.debug("Closing {}: {} did not arrive within {} ms ({})", ctx.channel(), phase.awaited, ms, phase.key);
        if (phase == Phase.IDLE || unanswered > 0) {
            // Nothing is owed (idle), or an answer is still being written and must not be interleaved.
            ctx.close();
            return;
        }
        String message = Character.toUpperCase(phase.awaited.charAt(0)) + phase.awaited.substring(1)
                + " did not arrive within " + ms + " ms (" + phase.key + ").";
        ApiResponse timeout = Errors.response(408, "request_timeout", message).withHeader("Connection", "close");
        ctx.writeAndFlush(Responses.toHttp(timeout)).addListener(ChannelFutureListener.CLOSE);
    }

    private void removeFrom(ChannelHandlerContext ctx) {
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
        if (ctx.pipeline().context(firstBytes) != null) {
            ctx.pipeline().remove(firstBytes);
        }
    }

    /** Before the codec: any bytes after a finished exchange begin the next request, and its header timer. */
    private final class FirstBytes extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytesArrived();
            ctx.fireChannelRead(msg);
        }
    }
}
