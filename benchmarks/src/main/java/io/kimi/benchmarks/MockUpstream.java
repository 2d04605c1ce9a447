package io.kimi.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The upstream every peer is measured against: an OpenAI-compatible {@code POST .../chat/completions} on
 * loopback, in its own process, built to cost almost nothing per request (replies are prepared once and sent as
 * shared read-only buffers). What it does depends on the request body, so one process serves every lane
 * through every peer unchanged:
 * <ul>
 *   <li>{@code "stream":true}: an SSE stream of {@code deltas} chunks {@code intervalMs} apart (the first at
 *       once), then a usage chunk and {@code [DONE]};</li>
 *   <li>a {@code model} {@code bench-<n>m}: a reply of {@code n} MiB at once, JSON or (with {@code "stream":true})
 *       an SSE stream whose content is one event of {@code n} MiB (the large-reply lane);</li>
 *   <li>a {@code model} containing {@code delay}: the JSON reply after {@code delayMs};</li>
 *   <li>anything else: the JSON reply at once (zero-delay mode, pure overhead).</li>
 * </ul>
 * Any other path answers {@code GET /models}-style JSON; {@code GET /health} answers {@code ok}.
 *
 * <p>Usage: {@code MockUpstream --port P [--threads 1] [--reply-bytes 4096] [--delay-ms 20] [--deltas 64]
 * [--interval-ms 20]}. Prints {@code mock listening on PORT} once bound.
 */
public final class MockUpstream {
    private final Args args;
    private final ByteBuf reply;
    private final ByteBuf[] deltas;
    private final ByteBuf tail;
    /** Large replies by size and kind; at most {@link #MAX_LARGE_MIB} MiB each, a handful of sizes per run. */
    private final Map<String, ByteBuf> large = new ConcurrentHashMap<>();

    private MockUpstream(Args args) {
        this.args = args;
        this.reply = readOnly(MockPayloads.chatCompletion(args.intOr("reply-bytes", 4096)));
        int n = args.intOr("deltas", 64);
        this.deltas = new ByteBuf[n];
        for (int i = 0; i < n; i++) {
            deltas[i] = readOnly(MockPayloads.streamDelta(i, n));
        }
        this.tail = readOnly(MockPayloads.streamTail(n));
    }

    public static void main(String[] argv) throws InterruptedException {
        Args args = Args.parse(argv);
        new MockUpstream(args).run();
    }

    private void run() throws InterruptedException {
        int port = args.intOr("port", 18900);
        int threads = args.intOr("threads", 1);
        long delayMs = args.intOr("delay-ms", 20);
        long intervalMs = args.intOr("interval-ms", 20);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(),
                                    new HttpObjectAggregator(16 << 20), new Handler(delayMs, intervalMs));
                        }
                    })
                    .bind("127.0.0.1", port).sync().channel();
            System.out.println("mock listening on " + port);
            System.out.flush();
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static ByteBuf readOnly(String text) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.UTF_8)))
                .asReadOnly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final long delayMs;
        private final long intervalMs;

        Handler(long delayMs, long intervalMs) {
            this.delayMs = delayMs;
            this.intervalMs = intervalMs;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String path = request.uri();
            if (path.endsWith("/health")) {
                ctx.writeAndFlush(full(Unpooled.wrappedBuffer("ok".getBytes(StandardCharsets.US_ASCII)), "text/plain",
                        request));
                return;
            }
            ByteBuf body = request.content();
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            boolean streamed = contains(body, STREAM_TRUE) || contains(body, STREAM_TRUE_SPACED);
            int mib = largeMib(body);
            if (mib > 0) {
                large(ctx, request, mib, streamed);
            } else if (streamed) {
                stream(ctx, keepAlive);
            } else if (contains(body, DELAY)) {
                FullHttpResponse response = full(reply.duplicate(), "application/json", request);
                ctx.executor().schedule(() -> ctx.writeAndFlush(response), delayMs, TimeUnit.MILLISECONDS);
            } else {
                ctx.writeAndFlush(full(reply.duplicate(), "application/json", request));
            }
        }

        /** A reply of {@code mib} MiB, built once per size and kind and then shared. */
        private void large(ChannelHandlerContext ctx, FullHttpRequest request, int mib, boolean streamed) {
            ByteBuf payload = large.computeIfAbsent(mib + (streamed ? "s" : "j"), k -> readOnly(streamed
                    ? MockPayloads.singleEventStream(mib << 20) : MockPayloads.chatCompletion(mib << 20)));
            if (!streamed) {
                ctx.writeAndFlush(full(payload.duplicate(), "application/json", request));
                return;
            }
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
            HttpUtil.setTransferEncodingChunked(head, true);
            HttpUtil.setKeepAlive(head, HttpUtil.isKeepAlive(request));
            ctx.write(head);
            ctx.write(new DefaultHttpContent(payload.duplicate()));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        private void stream(ChannelHandlerContext ctx, boolean keepAlive) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
            HttpUtil.setTransferEncodingChunked(head, true);
            HttpUtil.setKeepAlive(head, keepAlive);
            ctx.write(head);
            sendDelta(ctx, 0);
        }

        private void sendDelta(ChannelHandlerContext ctx, int i) {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (i < deltas.length) {
                ctx.writeAndFlush(new DefaultHttpContent(deltas[i].duplicate()));
                ctx.executor().schedule(() -> sendDelta(ctx, i + 1), intervalMs, TimeUnit.MILLISECONDS);
            } else {
                ctx.write(new DefaultHttpContent(tail.duplicate()));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            }
        }

        private FullHttpResponse full(ByteBuf content, String type, FullHttpRequest request) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            HttpUtil.setKeepAlive(response, HttpUtil.isKeepAlive(request));
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException)) { // resets when a load generator stops are expected
                cause.printStackTrace();
            }
            ctx.close();
        }
    }

    private static final byte[] STREAM_TRUE = "\"stream\":true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STREAM_TRUE_SPACED = "\"stream\": true".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DELAY = "delay".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LARGE_MODEL = "\"model\":\"bench-".getBytes(StandardCharsets.US_ASCII);
    static final int MAX_LARGE_MIB = 64;

    /** The {@code n} of a {@code "model":"bench-<n>m"} in the body, or 0 when the body has none. */
    static int largeMib(ByteBuf body) {
        int at = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(LARGE_MODEL), body);
        if (at < 0) {
            return 0;
        }
        int mib = 0;
        int i = at + LARGE_MODEL.length;
        for (; i < body.writerIndex() && Character.isDigit(body.getByte(i)); i++) {
            mib = mib * 10 + (body.getByte(i) - '0');
            if (mib > MAX_LARGE_MIB) {
                return 0;
            }
        }
        return i < body.writerIndex() && body.getByte(i) == 'm' ? mib : 0;
    }

    static boolean contains(ByteBuf buf, byte[] needle) {
        return ByteBufUtil.indexOf(Unpooled.wrappedBuffer(needle), buf) >= 0;
    }
}
