package io.kimi.api;

import static java.util.Objects.requireNonNull;

import io.kimi.core.ThrottledLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Keeps HTTP/1.1 pipelining in order: a client may send requests one after another on a connection without
 * waiting for the answers, and must get the answers in that order. Routes answer at their own speed (a chat
 * completion waits on its provider, {@code /health} is quick), so a request is passed on only once the response to
 * the one before it is completely written (its {@link LastHttpContent}: a fixed body, the end of an SSE stream or
 * an error alike); meanwhile the later ones wait here, in order.
 *
 * <p>Bounds: at most {@code maxWaiting} requests wait per connection. One more is refused: it and everything after
 * it on the connection are dropped as they arrive, and once the requests before it are answered the client gets a
 * 503 {@code too_many_pipelined_requests} with {@code Connection: close}, and the connection is closed (requests
 * after a {@code Connection: close} answer were not processed, as HTTP/1.1 says); {@link Overflows} counts and logs
 * it. While the waiting requests' bodies hold more than {@code pauseAtBytes} (each part counted with
 * {@link #PART_OVERHEAD} more, so a body sent in one-byte chunks cannot pile up objects), the connection is not read
 * further (the socket's buffer and TCP hold the rest) until they have gone on. A waiting body part is copied to a
 * buffer of its own size, so it does not keep the larger read buffer it came in alive. Otherwise it keeps being read, so a client
 * that leaves is noticed at once: what waits is released and the request being answered is cancelled as usual.
 *
 * <p>It sits between keep-alive handling and the body aggregator, so each request's parts wait together, and the
 * aggregator (its {@code 100 Continue} and {@code 413}) sees a request only in its turn. A WebSocket upgrade
 * ({@code 101}) removes it. What still waits when the connection closes, or when it is removed, is released.
 *
 * <p>One per connection, on its event loop.
 */
final class PipelinedRequests extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(PipelinedRequests.class);
    /** Stands, in the queue, for the request that was one too many. */
    private static final Object OVERFLOW = new Object();

    /** Bytes of waiting request bodies above which the connection is not read further: 1 MiB. */
    static final int PAUSE_AT_BYTES = 1 << 20;
    /** What one waiting part is counted as beyond its bytes: about what its objects take. */
    static final int PART_OVERHEAD = 256;

    private final int maxWaiting;
    private final int pauseAtBytes;
    private final Overflows overflows;
    /** Parts of requests not passed on yet (heads, contents, maybe {@link #OVERFLOW} last), in arrival order. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    /** Request heads in {@link #waiting}. */
    private int waitingRequests;
    /** Body bytes in {@link #waiting}, plus {@link #PART_OVERHEAD} per part. */
    private long waitingBytes;
    /** A request has been passed on and its response is not completely written yet. */
    private boolean responding;
    /** The last request that began arriving waits, so its further parts wait too. */
    private boolean arrivingWaits;
    private boolean overflowed;
    /** This handler turned reading off (while waiting bodies hold more than {@link #pauseAtBytes}). */
    private boolean pausedReading;

    /**
     * Counts and logs connections refused for sending too many requests ahead: a WARN line at most every 10 s
     * (a client decides how many there are). One per server; thread-safe.
     */
    static final class Overflows {
        private final Runnable count;
        private final ThrottledLog lines = new ThrottledLog(log, Level.WARN, Duration.ofSeconds(10), System::nanoTime);

        /** @param count told of each one, for metrics */
        Overflows(Runnable count) {
            this.count = requireNonNull(count, "count");
        }

        void record(ChannelHandlerContext ctx, int maxWaiting) {
            count.run();
            lines.log("Refusing {}: it sent more than {} requests ahead while a response was being written "
                    + "(server.max_pipelined_requests); answering 503 in turn and closing", ctx.channel(), maxWaiting);
        }
    }

    PipelinedRequests(int maxWaiting, int pauseAtBytes, Overflows overflows) {
        if (maxWaiting < 1) {
            throw new IllegalArgumentException("maxWaiting: " + maxWaiting + " (expected: >= 1)");
        }
        if (pauseAtBytes < 0) {
            throw new IllegalArgumentException("pauseAtBytes: " + pauseAtBytes + " (expected: >= 0)");
        }
        this.maxWaiting = maxWaiting;
        this.pauseAtBytes = pauseAtBytes;
        this.overflows = requireNonNull(overflows, "overflows");
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releaseWaiting();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseWaiting();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (overflowed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest) {
            if (!responding && waiting.isEmpty()) {
                arrivingWaits = false;
                pass(msg);
                return;
            }
            if (waitingRequests == maxWaiting) {
                overflow(msg);
                return;
            }
            waitingRequests++;
            arrivingWaits = true;
            enqueue(msg);
            return;
        }
        if (arrivingWaits) {
            enqueue(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            // 100 Continue is not the answer; 101 ends HTTP on this connection.
            ctx.write(msg, promise);
            if (response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS) && !ctx.isRemoved()) {
                ctx.pipeline().remove(this);
            }
            return;
        }
        if (msg instanceof LastHttpContent) {
            ChannelPromise p = promise.unvoid();
            p.addListener((ChannelFutureListener) this::responseWritten);
            ctx.write(msg, p);
            return;
        }
        ctx.write(msg, promise);
    }

    private void pass(Object msg) {
        if (msg instanceof HttpRequest) {
            responding = true;
        }
        ctx.fireChannelRead(msg);
    }

    private void enqueue(Object msg) {
        Object part = ownCopy(msg);
        waiting.add(part);
        waitingBytes += cost(part);
        if (waitingBytes > pauseAtBytes && !pausedReading && ctx.channel().config().isAutoRead()) {
            pausedReading = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    private Object dequeue() {
        Object msg = waiting.poll();
        waitingBytes -= cost(msg);
        return msg;
    }

    private static long cost(Object part) {
        if (part == OVERFLOW) {
            return 0; // holds nothing
        }
        return PART_OVERHEAD + (part instanceof HttpContent c ? c.content().readableBytes() : 0);
    }

    /** A body part with its bytes in a buffer of their own (the decoder's are slices of the whole read). */
    private Object ownCopy(Object msg) {
        if (!(msg instanceof HttpContent c) || c.content().readableBytes() == 0) {
            return msg;
        }
        ByteBuf own = ctx.alloc().heapBuffer(c.content().readableBytes());
        try {
            own.writeBytes(c.content());
            HttpContent copy = c.replace(own);
            own = null;
            return copy;
        } finally {
            if (own != null) {
                own.release();
            }
            c.release();
        }
    }

    private void overflow(Object msg) {
        ReferenceCountUtil.release(msg);
        overflowed = true;
        waiting.add(OVERFLOW);
        overflows.record(ctx, maxWaiting);
    }

    private void responseWritten(ChannelFuture f) {
        responding = false;
        if (!f.isSuccess()) {
            ctx.close(); // the response was cut: nothing after it can be delimited
            return;
        }
        // After the write's other listeners, such as keep-alive's close: a closed connection runs nothing more.
        try {
            ctx.executor().execute(this::passNext);
        } catch (RejectedExecutionException e) {
            log.debug("Event loop stopping; {} waiting requests on {} are dropped", waitingRequests, ctx.channel());
            ctx.close();
        }
    }

    /** Passes on the next waiting request, all of it that has arrived, unless a response is under way. */
    private void passNext() {
        if (responding || waiting.isEmpty() || ctx.isRemoved() || !ctx.channel().isActive()) {
            return;
        }
        Object head = dequeue();
        if (head == OVERFLOW) {
            responding = true;
            refuse();
            return;
        }
        waitingRequests--;
        pass(head);
        while (!waiting.isEmpty() && !(waiting.peek() instanceof HttpRequest) && waiting.peek() != OVERFLOW) {
            ctx.fireChannelRead(dequeue());
        }
        if (waiting.isEmpty()) {
            arrivingWaits = false;
        }
        if (waitingBytes <= pauseAtBytes) {
            resumeReading();
        }
        ctx.fireChannelReadComplete();
    }

    private void refuse() {
        ApiResponse refused = Errors.response(503, "too_many_pipelined_requests", "This connection sent more than "
                + maxWaiting + " requests ahead while an earlier response was being written, the limit "
                + "(server.max_pipelined_requests). The requests after that one were not processed; send them "
                + "again, at most " + maxWaiting + " ahead.")
                .withHeader("Connection", "close");
        ctx.writeAndFlush(Responses.toHttp(refused)).addListener(ChannelFutureListener.CLOSE);
    }

    private void releaseWaiting() {
        Object msg;
        while ((msg = waiting.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
        waitingRequests = 0;
        waitingBytes = 0;
        resumeReading();
    }

    private void resumeReading() {
        if (pausedReading) {
            pausedReading = false;
            ctx.channel().config().setAutoRead(true);
        }
    }
}
