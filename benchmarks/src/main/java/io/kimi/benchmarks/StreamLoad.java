package io.kimi.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Streaming load: {@code --streams N} connections, each running one SSE chat completion after another
 * (keep-alive), measured after a warm-up. For every stream it records the time to first token (request written
 * → first {@code "delta"} read) and every gap between two deltas as they are read; a stall is a gap over
 * {@code --stall-ms}, an error status, a broken connection, or a stream that did not end with its usage chunk
 * and {@code [DONE]}.
 *
 * <p>Starts are spread over one stream's length so the load is steady rather than synchronised. Prints (and
 * writes to {@code --out}) one JSON object; times in microseconds.
 */
public final class StreamLoad {
    private static final byte[] DELTA = "\"delta\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final URI url;
    private final byte[] body;
    private final Map<String, String> headers;
    private final long stallNanos;
    private final int expectedDeltas;
    private final Histogram ttft = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    private final Histogram gaps = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong stalls = new AtomicLong();
    private final AtomicLong incomplete = new AtomicLong();
    private final AtomicLong deltasSeen = new AtomicLong();
    /** Every delta read, warm-up included: {@link #ownCpuPercent} per delta is this client's cost. */
    private final AtomicLong deltasAll = new AtomicLong();
    private volatile long measureFromNanos;
    private volatile long stopStartingNanos;
    private volatile String firstError;
    /** This load generator's own CPU over the whole run (warm-up included), % of one core. */
    private double ownCpuPercent;
    private double ownCpuSeconds;
    /** This client's CPU seconds by thread group (event loops, JIT, GC), over the whole run. */
    private final Map<String, Double> ownThreadCpuSeconds = new LinkedHashMap<>();

    private StreamLoad(URI url, byte[] body, Map<String, String> headers, long stallNanos, int expectedDeltas) {
        this.url = url;
        this.body = body;
        this.headers = headers;
        this.stallNanos = stallNanos;
        this.expectedDeltas = expectedDeltas;
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        URI url = URI.create(args.required("url"));
        String model = args.str("model", "bench");
        byte[] body = MockPayloads.request(model, true).getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : args.str("headers", "").split("\\|")) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
            }
        }
        StreamLoad load = new StreamLoad(url, body, headers, TimeUnit.MILLISECONDS.toNanos(args.intOr("stall-ms", 100)),
                args.intOr("deltas", 64));
        String json = load.run(args.intOr("streams", 64), args.doubleOr("warmup-s", 2), args.doubleOr("duration-s", 5),
                args.intOr("spread-ms", 1300), args.intOr("threads", 1));
        System.out.println(json);
        String out = args.str("out", null);
        if (out != null) {
            Files.writeString(Path.of(out), json + "\n");
        }
    }

    private String run(int streams, double warmupS, double durationS, int spreadMs, int threads)
            throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        try {
            int port = url.getPort() == -1 ? 80 : url.getPort();
            Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .remoteAddress(url.getHost(), port);
            long start = System.nanoTime();
            double ownCpu0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
            Map<String, Double> threads0 = ProcStats.threadCpuSeconds(ProcessHandle.current().pid());
            measureFromNanos = start + (long) (warmupS * 1e9);
            stopStartingNanos = measureFromNanos + (long) (durationS * 1e9);
            List<Conn> conns = new ArrayList<>(streams);
            for (int i = 0; i < streams; i++) {
                Conn conn = new Conn(bootstrap);
                conns.add(conn);
                long delay = streams <= 1 ? 0 : (long) spreadMs * i / streams;
                group.next().schedule(conn::connect, delay, TimeUnit.MILLISECONDS);
            }
            long end = stopStartingNanos + TimeUnit.SECONDS.toNanos(10);
            for (Conn conn : conns) {
                long left = end - System.nanoTime();
                if (left <= 0 || !conn.finished.await(left, TimeUnit.NANOSECONDS)) {
                    break;
                }
            }
            double seconds = (System.nanoTime() - measureFromNanos) / 1e9;
            ownCpuSeconds = ProcStats.cpuSeconds(ProcessHandle.current().pid()) - ownCpu0;
            ProcStats.threadCpuSeconds(ProcessHandle.current().pid()).forEach((name, cpu) -> {
                double used = cpu - threads0.getOrDefault(name, 0.0);
                if (used >= 0.05) {
                    ownThreadCpuSeconds.put(name, Math.round(used * 100) / 100.0);
                }
            });
            ownCpuPercent = 100 * ownCpuSeconds / ((System.nanoTime() - start) / 1e9);
            for (Conn conn : conns) {
                if (conn.finished.getCount() > 0) {
                    incomplete.incrementAndGet();
                    conn.close();
                }
            }
            return report(streams, seconds);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private String report(int streams, double seconds) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("streams", streams);
        r.put("completed", completed.get());
        r.put("streams_per_s", seconds > 0 ? completed.get() / seconds : 0);
        r.put("deltas", deltasSeen.get());
        r.put("errors", errors.get());
        r.put("stalls", stalls.get());
        r.put("incomplete", incomplete.get());
        r.put("stall", errors.get() + stalls.get() + incomplete.get() > 0);
        r.put("client_cpu_percent", ownCpuPercent);
        r.put("client_cpu_us_per_delta", deltasAll.get() == 0 ? -1 : ownCpuSeconds * 1e6 / deltasAll.get());
        r.put("client_thread_cpu_s", ownThreadCpuSeconds);
        synchronized (this) {
            Json.putPercentiles(r, "ttft", ttft);
            Json.putPercentiles(r, "gap", gaps);
        }
        if (firstError != null) {
            r.put("first_error", firstError);
        }
        return Json.write(r);
    }

    private synchronized void record(Histogram h, long nanos) {
        h.recordValue(Math.min(TimeUnit.NANOSECONDS.toMicros(nanos), h.getHighestTrackableValue()));
    }

    private void error(String what) {
        errors.incrementAndGet();
        if (firstError == null) {
            firstError = what;
        }
    }

    /** One connection, running streams back to back until the run's end (re-added to a new channel on reconnect). */
    @ChannelHandler.Sharable
    private final class Conn extends SimpleChannelInboundHandler<HttpObject> {
        private final Bootstrap bootstrap;
        final CountDownLatch finished = new CountDownLatch(1);
        private Channel channel;
        private long sentAt;
        private long lastDeltaAt;
        private int deltas;
        private int matchDelta;
        private int matchDone;
        private boolean sawDone;
        private boolean measured;
        private boolean inStream;
        private int status;

        Conn(Bootstrap bootstrap) {
            this.bootstrap = bootstrap;
        }

        void connect() {
            ChannelFuture f = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), Conn.this);
                }
            }).connect();
            f.addListener(c -> {
                if (!c.isSuccess()) {
                    error("connect: " + c.cause());
                    finished.countDown();
                    return;
                }
                channel = f.channel();
                next();
            });
        }

        void close() {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }

        private void next() {
            long now = System.nanoTime();
            if (now >= stopStartingNanos) {
                channel.close();
                finished.countDown();
                return;
            }
            measured = now >= measureFromNanos;
            deltas = 0;
            matchDelta = 0;
            matchDone = 0;
            sawDone = false;
            status = 0;
            inStream = true;
            FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, url.getRawPath(),
                    Unpooled.wrappedBuffer(body));
            req.headers().set(HttpHeaderNames.HOST, url.getHost() + ":" + url.getPort())
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .set(HttpHeaderNames.ACCEPT, "text/event-stream")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            headers.forEach(req.headers()::set);
            sentAt = System.nanoTime();
            channel.writeAndFlush(req);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            long now = System.nanoTime();
            if (msg instanceof HttpResponse) {
                status = ((HttpResponse) msg).status().code();
                if (status != 200 && measured) {
                    error("status " + status);
                }
            }
            if (msg instanceof HttpContent) {
                scan(((HttpContent) msg).content(), now);
                if (msg instanceof LastHttpContent) {
                    endOfStream();
                }
            }
        }

        private void scan(ByteBuf buf, long now) {
            for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end; i++) {
                byte b = buf.getByte(i);
                matchDelta = advance(DELTA, matchDelta, b);
                if (matchDelta == DELTA.length) {
                    matchDelta = 0;
                    onDelta(now);
                }
                matchDone = advance(DONE, matchDone, b);
                if (matchDone == DONE.length) {
                    matchDone = 0;
                    sawDone = true;
                }
            }
        }

        private void onDelta(long now) {
            deltas++;
            deltasAll.incrementAndGet();
            if (measured) {
                deltasSeen.incrementAndGet();
                if (deltas == 1) {
                    record(ttft, now - sentAt);
                } else {
                    long gap = now - lastDeltaAt;
                    record(gaps, gap);
                    if (gap > stallNanos) {
                        stalls.incrementAndGet();
                    }
                }
            }
            lastDeltaAt = now;
        }

        private void endOfStream() {
            inStream = false;
            if (measured && status == 200) {
                if (deltas >= expectedDeltas && sawDone) {
                    completed.incrementAndGet();
                } else {
                    error("stream ended after " + deltas + " deltas" + (sawDone ? "" : " without [DONE]"));
                }
            }
            next();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (inStream && measured) {
                error("connection closed mid-stream");
            }
            if (finished.getCount() > 0 && System.nanoTime() < stopStartingNanos) {
                // The server closed between streams: reconnect and go on.
                ctx.channel().eventLoop().schedule(this::connect, 100, TimeUnit.MILLISECONDS);
            } else {
                finished.countDown();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof IOException) || measured) {
                error(cause.toString());
            }
            ctx.close();
        }
    }

    /** One step of matching {@code pattern}, whose only border is its first byte repeated last ({@code "}). */
    static int advance(byte[] pattern, int matched, byte b) {
        if (pattern[matched] == b) {
            return matched + 1;
        }
        return pattern[0] == b ? 1 : 0;
    }
}
