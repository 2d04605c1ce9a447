package io.kimi.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * WebSocket fan-out: {@code --clients N} loopback clients on {@code /ws} of our server, while a publisher posts
 * {@code --rate} events per second to {@code POST /api/events} in batches of {@code --batch}. Each event carries
 * the publisher's {@link System#nanoTime()} (same process as the clients), so a client's delivery latency is
 * its receive time minus that: HTTP ingest, storage, the hub and the push, end to end.
 *
 * <p>Reports delivery latency percentiles, messages delivered vs expected (events × clients), clients closed by
 * the server (too slow), and the CPU used by the server ({@code --pid}) and by this process during the measured
 * window; with {@code --alloc}, also the heap the server allocated per message received (its event loops, and all
 * its threads), read over JMX as {@link RequestCost} does. Prints (and writes to {@code --out}) one JSON object;
 * times in microseconds.
 */
public final class WsFanout {
    private static final byte[] MARK = "\"bench_t\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INIT = "\"type\":\"init\"".getBytes(StandardCharsets.US_ASCII);

    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong inits = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long measureUntil = Long.MAX_VALUE;
    private volatile String firstError;
    /** With {@code --alloc}: the server's heap allocation by thread group, over JMX (see {@link RequestCost}). */
    private ThreadAllocations allocationsOf;

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        WsFanout fanout = new WsFanout();
        if (args.flag("alloc") && !args.str("pid", "-1").equals("-1")) {
            fanout.allocationsOf = ThreadAllocations.attach(Long.parseLong(args.str("pid", "-1")));
        }
        String json = fanout.run(URI.create(args.required("base")), args.intOr("clients", 1000),
                args.intOr("rate", 1000), args.intOr("batch", 20), args.doubleOr("warmup-s", 3),
                args.doubleOr("duration-s", 10), Long.parseLong(args.str("pid", "-1")), args.intOr("threads", 1));
        if (fanout.allocationsOf != null) {
            fanout.allocationsOf.close();
        }
        System.out.println(json);
        String out = args.str("out", null);
        if (out != null) {
            Files.writeString(Path.of(out), json + "\n");
        }
    }

    private String run(URI base, int clients, int rate, int batch, double warmupS, double durationS, long serverPid,
            int threads) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-publisher");
            t.setDaemon(true);
            return t;
        });
        try {
            URI ws = URI.create("ws://" + base.getHost() + ":" + base.getPort() + "/ws");
            long connectStart = System.nanoTime();
            List<Channel> channels = connectAll(group, ws, clients);
            int connected = channels.size();
            // Measure the steady state: every client has its init message before the first event is posted.
            long readyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (inits.get() < connected && System.nanoTime() < readyDeadline) {
                Thread.sleep(50);
            }
            double readySeconds = (System.nanoTime() - connectStart) / 1e9;
            if (inits.get() < connected) {
                error("only " + inits.get() + " of " + connected + " clients received init within 180 s");
            }
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            URI events = base.resolve("/api/events");
            String session = "bench-ws-" + UUID.randomUUID();
            long periodMicros = Math.max(1, 1_000_000L * batch / Math.max(1, rate));
            AtomicLong seq = new AtomicLong();
            long start = System.nanoTime();
            measureFrom = start + (long) (warmupS * 1e9);
            measureUntil = measureFrom + (long) (durationS * 1e9);
            publisher.scheduleAtFixedRate(() -> publish(http, events, session, batch, seq), 0, periodMicros,
                    TimeUnit.MICROSECONDS);
            sleepUntil(measureFrom);
            double serverCpu0 = serverPid > 0 ? ProcStats.cpuSeconds(serverPid) : -1;
            double ownCpu0 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
            ThreadAllocations allocations = allocationsOf;
            Map<String, Long> alloc0 = allocations == null ? null : allocations.byGroup();
            sleepUntil(measureUntil);
            double serverCpu1 = serverPid > 0 ? ProcStats.cpuSeconds(serverPid) : -1;
            double ownCpu1 = ProcStats.cpuSeconds(ProcessHandle.current().pid());
            publisher.shutdown();
            publisher.awaitTermination(10, TimeUnit.SECONDS);
            long measuredEvents = published.get(); // only batches sent inside the measured window count
            Thread.sleep(2000); // let the last measured events arrive
            Map<String, Long> alloc1 = allocations == null ? null : allocations.byGroup();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("clients", clients);
            r.put("connected", connected);
            r.put("ready_s", Math.round(readySeconds * 10) / 10.0);
            r.put("rate", rate);
            r.put("batch", batch);
            r.put("events_published", measuredEvents);
            r.put("events_per_s", measuredEvents / durationS);
            r.put("messages_expected", measuredEvents * connected);
            r.put("messages_received", received.get());
            r.put("messages_per_s", received.get() / durationS);
            r.put("publish_failures", publishFailures.get());
            r.put("closed_by_server", closedByServer.get());
            synchronized (latency) {
                Json.putPercentiles(r, "latency", latency);
            }
            r.put("server_cpu_percent", serverCpu0 < 0 ? -1 : 100 * (serverCpu1 - serverCpu0) / durationS);
            r.put("client_cpu_percent", 100 * (ownCpu1 - ownCpu0) / durationS);
            if (alloc0 != null && received.get() > 0) {
                long loops = 0;
                long all = 0;
                for (Map.Entry<String, Long> e : alloc1.entrySet()) {
                    String kind = RequestCost.group(e.getKey());
                    long bytes = e.getValue() - alloc0.getOrDefault(e.getKey(), 0L);
                    if (!kind.startsWith("(")) {
                        all += bytes;
                    }
                    if (kind.equals("event loops")) {
                        loops += bytes;
                    }
                }
                r.put("server_event_loop_bytes_per_message", loops / received.get());
                r.put("server_bytes_per_message", all / received.get());
            }
            if (firstError != null) {
                r.put("first_error", firstError);
            }
            channels.forEach(Channel::close);
            return Json.write(r);
        } finally {
            publisher.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private List<Channel> connectAll(EventLoopGroup group, URI ws, int clients) throws InterruptedException {
        Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        Client handler = new Client();
        Semaphore inFlight = new Semaphore(64);
        CountDownLatch all = new CountDownLatch(clients);
        List<Channel> channels = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < clients; i++) {
            inFlight.acquire();
            WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder().webSocketUri(ws)
                    .maxFramePayloadLength(16 << 20).handshakeTimeoutMillis(30_000).build();
            bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 20),
                            new WebSocketClientProtocolHandler(config), new WebSocketFrameAggregator(16 << 20),
                            new Handshake(inFlight, all, channels), handler);
                }
            }).connect(ws.getHost(), ws.getPort()).addListener(f -> {
                if (!f.isSuccess()) {
                    error("connect: " + f.cause());
                    inFlight.release();
                    all.countDown();
                }
            });
        }
        if (!all.await(60, TimeUnit.SECONDS)) {
            error("only " + channels.size() + " of " + clients + " clients connected within 60 s");
        }
        return new ArrayList<>(channels);
    }

    private void publish(HttpClient http, URI events, String session, int batch, AtomicLong seq) {
        long t = System.nanoTime();
        StringBuilder b = new StringBuilder(batch * 160).append('[');
        for (int i = 0; i < batch; i++) {
            long n = seq.incrementAndGet();
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"event_id\":\"").append(session).append('-').append(n)
                    .append("\",\"session_id\":\"").append(session)
                    .append("\",\"event_type\":\"BENCH_TICK\",\"iteration\":0,\"data\":{\"bench_t\":").append(t)
                    .append(",\"seq\":").append(n).append("}}");
        }
        HttpRequest request = HttpRequest.newBuilder(events).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(b.append(']').toString())).build();
        boolean counted = t >= measureFrom && t < measureUntil;
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, e) -> {
            if (e != null || response.statusCode() != 200) {
                publishFailures.incrementAndGet();
                error(e != null ? "publish: " + e : "publish: status " + response.statusCode());
            }
        });
        if (counted) {
            published.addAndGet(batch);
        }
    }

    private void error(String what) {
        if (firstError == null) {
            firstError = what;
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Counts a client as connected once its handshake completes, and lets the next one connect. */
    private static final class Handshake extends ChannelInboundHandlerAdapter {
        private final Semaphore inFlight;
        private final CountDownLatch all;
        private final List<Channel> channels;
        private boolean counted;

        Handshake(Semaphore inFlight, CountDownLatch all, List<Channel> channels) {
            this.inFlight = inFlight;
            this.all = all;
            this.channels = channels;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE
                    || evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                    channels.add(ctx.channel());
                }
                done();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            done();
            super.channelInactive(ctx);
        }

        private void done() {
            if (!counted) {
                counted = true;
                inFlight.release();
                all.countDown();
            }
        }
    }

    /** Every client's frames: records the delivery latency of each benchmark event. Shared by all channels. */
    @ChannelHandler.Sharable
    private final class Client extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            long now = System.nanoTime();
            if (frame instanceof CloseWebSocketFrame) {
                closedByServer.incrementAndGet();
                error("closed by server: " + ((CloseWebSocketFrame) frame).statusCode() + " "
                        + ((CloseWebSocketFrame) frame).reasonText());
                return;
            }
            if (!(frame instanceof TextWebSocketFrame)) {
                return;
            }
            ByteBuf text = frame.content();
            if (startsWithin(text, INIT)) {
                inits.incrementAndGet();
                return;
            }
            long t = sentAt(text);
            if (t != Long.MIN_VALUE && t >= measureFrom && t < measureUntil) {
                received.incrementAndGet();
                long micros = TimeUnit.NANOSECONDS.toMicros(now - t);
                synchronized (latency) {
                    latency.recordValue(Math.min(Math.max(micros, 0), latency.getHighestTrackableValue()));
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            error("client: " + cause);
            ctx.close();
        }
    }

    /** Whether the frame's text holds {@code needle} within its first 64 bytes (where {@code "type"} is). */
    static boolean startsWithin(ByteBuf text, byte[] needle) {
        int end = Math.min(text.writerIndex(), text.readerIndex() + 64);
        outer:
        for (int i = text.readerIndex(); i <= end - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (text.getByte(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** The {@code bench_t} value in a frame's JSON text, or {@link Long#MIN_VALUE} when absent. */
    static long sentAt(ByteBuf text) {
        int end = text.writerIndex();
        outer:
        for (int i = text.readerIndex(); i <= end - MARK.length; i++) {
            for (int j = 0; j < MARK.length; j++) {
                if (text.getByte(i + j) != MARK[j]) {
                    continue outer;
                }
            }
            int k = i + MARK.length;
            while (k < end && text.getByte(k) == ' ') {
                k++;
            }
            boolean negative = k < end && text.getByte(k) == '-';
            if (negative) {
                k++;
            }
            long v = 0;
            int digits = 0;
            while (k < end && text.getByte(k) >= '0' && text.getByte(k) <= '9') {
                v = v * 10 + (text.getByte(k) - '0');
                k++;
                digits++;
            }
            return digits == 0 ? Long.MIN_VALUE : negative ? -v : v;
        }
        return Long.MIN_VALUE;
    }
}
