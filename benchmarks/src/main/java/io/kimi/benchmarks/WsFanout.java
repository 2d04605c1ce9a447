package io.kimi.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
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
    private static final byte[] STATUS_101 = "HTTP/1.1 101".getBytes(StandardCharsets.US_ASCII);
    private static final ByteBuf MARK_BUF = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(MARK));
    private static final ByteBuf HEADERS_END = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    private static final int OP_TEXT = 1;
    private static final int OP_CLOSE = 8;
    private static final long MAX_FRAME = 16 << 20;
    private static final int MAX_POSTS_IN_FLIGHT = 32;

    private final Histogram latency = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong inits = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private final Semaphore postsInFlight = new Semaphore(MAX_POSTS_IN_FLIGHT);
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
            r.put("delivered_ratio", measuredEvents * connected == 0 ? 0
                    : (double) received.get() / (measuredEvents * connected));
            r.put("server_cpu_percent", serverCpu0 < 0 ? -1 : 100 * (serverCpu1 - serverCpu0) / durationS);
            r.put("server_cpu_us_per_message", serverCpu0 < 0 || received.get() == 0 ? -1
                    : (serverCpu1 - serverCpu0) * 1e6 / received.get());
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
        byte[] upgrade = ("GET " + ws.getRawPath() + " HTTP/1.1\r\nHost: " + ws.getHost() + ":" + ws.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        Semaphore inFlight = new Semaphore(64);
        CountDownLatch all = new CountDownLatch(clients);
        List<Channel> channels = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < clients; i++) {
            inFlight.acquire();
            bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new RawClient(upgrade, inFlight, all, channels));
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
        // A bounded number of posts (so of connections) at once: a server that ingests slower than the rate
        // makes the publisher late, and events_per_s shows it, instead of the client opening ever more
        // connections (past the server's per-client limit).
        try {
            if (!postsInFlight.tryAcquire(30, TimeUnit.SECONDS)) {
                publishFailures.incrementAndGet();
                error("publish: " + MAX_POSTS_IN_FLIGHT + " posts took more than 30 s");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
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
            postsInFlight.release();
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

    /**
     * One client, as cheap as a client can be so that the run measures the server: it writes a fixed upgrade
     * request, checks the {@code 101}, then reads the server's frames itself (unmasked, RFC 6455 5.2) straight
     * from the socket's buffer, with no frame objects: a text frame is counted, and its {@code bench_t} read at
     * the offset where the previous frame had it (searched for only when it moved). Counts the client as
     * connected once upgraded, and lets the next one connect.
     */
    private final class RawClient extends ByteToMessageDecoder {
        private final byte[] upgrade;
        private final Semaphore inFlight;
        private final CountDownLatch all;
        private final List<Channel> channels;
        private boolean upgraded;
        private boolean counted;
        private boolean initSeen;
        /** Where the last frame had its {@code bench_t}, from the payload's start; -1: not known yet. */
        private int markAt = -1;

        RawClient(byte[] upgrade, Semaphore inFlight, CountDownLatch all, List<Channel> channels) {
            this.upgrade = upgrade;
            this.inFlight = inFlight;
            this.all = all;
            this.channels = channels;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(upgrade));
            super.channelActive(ctx);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (!upgraded) {
                int end = ByteBufUtil.indexOf(HEADERS_END, in);
                if (end < 0) {
                    return;
                }
                boolean ok = startsWithin(in, STATUS_101);
                if (!ok) {
                    error("upgrade refused: " + in.toString(StandardCharsets.US_ASCII));
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                in.readerIndex(end + HEADERS_END.readableBytes());
                upgraded = true;
                channels.add(ctx.channel());
                done();
            }
            long now = System.nanoTime();
            while (in.readableBytes() >= 2) {
                int at = in.readerIndex();
                int b0 = in.getUnsignedByte(at);
                int b1 = in.getUnsignedByte(at + 1);
                long length = b1 & 0x7f;
                int header = 2;
                if (length == 126) {
                    if (in.readableBytes() < 4) {
                        return;
                    }
                    length = in.getUnsignedShort(at + 2);
                    header = 4;
                } else if (length == 127) {
                    if (in.readableBytes() < 10) {
                        return;
                    }
                    length = in.getLong(at + 2);
                    header = 10;
                }
                if ((b1 & 0x80) != 0 || length < 0 || length > MAX_FRAME) {
                    error("client: bad frame from the server (masked, or " + length + " bytes)");
                    in.skipBytes(in.readableBytes());
                    ctx.close();
                    return;
                }
                if (in.readableBytes() < header + length) {
                    return;
                }
                onFrame(b0 & 0x0f, in, at + header, (int) length, now);
                in.skipBytes(header + (int) length);
            }
        }

        private void onFrame(int opcode, ByteBuf in, int from, int length, long now) {
            if (opcode == OP_CLOSE) {
                closedByServer.incrementAndGet();
                error("closed by server: " + (length >= 2 ? in.getUnsignedShort(from) + " "
                        + in.toString(from + 2, length - 2, StandardCharsets.UTF_8) : "no status"));
                return;
            }
            if (opcode != OP_TEXT) {
                return;
            }
            if (!initSeen && startsWithin(in.slice(from, length), INIT)) {
                initSeen = true;
                inits.incrementAndGet();
                return;
            }
            long t = stampOf(in, from, length);
            if (t != Long.MIN_VALUE && t >= measureFrom && t < measureUntil) {
                received.incrementAndGet();
                long micros = TimeUnit.NANOSECONDS.toMicros(now - t);
                synchronized (latency) {
                    latency.recordValue(Math.min(Math.max(micros, 0), latency.getHighestTrackableValue()));
                }
            }
        }

        /** The frame's {@code bench_t}: read where the last frame had it if the mark is there, else searched. */
        private long stampOf(ByteBuf in, int from, int length) {
            if (markAt >= 0 && markAt + MARK.length <= length && matches(in, from + markAt, MARK)) {
                return digitsAt(in, from + markAt + MARK.length, from + length);
            }
            int found = ByteBufUtil.indexOf(MARK_BUF, in.slice(from, length));
            if (found < 0) {
                return Long.MIN_VALUE;
            }
            markAt = found;
            return digitsAt(in, from + found + MARK.length, from + length);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            done();
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            error("client: " + cause);
            ctx.close();
        }

        private void done() {
            if (!counted) {
                counted = true;
                inFlight.release();
                all.countDown();
            }
        }
    }

    private static boolean matches(ByteBuf buf, int at, byte[] what) {
        for (int j = 0; j < what.length; j++) {
            if (buf.getByte(at + j) != what[j]) {
                return false;
            }
        }
        return true;
    }

    /** The decimal number starting at {@code k} (spaces and a sign allowed), or {@link Long#MIN_VALUE}. */
    static long digitsAt(ByteBuf text, int k, int end) {
        int i = k;
        while (i < end && text.getByte(i) == ' ') {
            i++;
        }
        boolean negative = i < end && text.getByte(i) == '-';
        if (negative) {
            i++;
        }
        long v = 0;
        int digits = 0;
        while (i < end && text.getByte(i) >= '0' && text.getByte(i) <= '9') {
            v = v * 10 + (text.getByte(i) - '0');
            i++;
            digits++;
        }
        return digits == 0 ? Long.MIN_VALUE : negative ? -v : v;
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
}
