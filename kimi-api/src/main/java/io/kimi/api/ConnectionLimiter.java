package io.kimi.api;

import static java.util.Objects.requireNonNull;

import com.sun.management.UnixOperatingSystemMXBean;
import io.kimi.config.ConnectionLimits;
import io.kimi.core.ThrottledLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.ReferenceCountUtil;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Admits a new connection while fewer than {@code max_connections} are open in all and fewer than
 * {@code max_connections_per_client} from its address; any other gets a 503 in our error JSON and is closed at
 * once, before any of its bytes are parsed. Refusals are counted (by reason) and logged at most once per 10 s
 * per reason. Thread-safe; one per server.
 */
final class ConnectionLimiter {
    static final String TOTAL = "total";
    static final String PER_CLIENT = "per_client";

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
    /** Files kept for the database, jars, logs and the listening socket when checking max_connections. */
    private static final int FILE_RESERVE = 256;

    private final int maxTotal;
    private final int maxPerClient;
    private final Consumer<String> onRefused;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, Integer> perClient = new ConcurrentHashMap<>();
    private final ThrottledLog totalLog = new ThrottledLog(log, Level.WARN, LOG_INTERVAL, System::nanoTime);
    private final ThrottledLog perClientLog = new ThrottledLog(log, Level.WARN, LOG_INTERVAL, System::nanoTime);
    private final ChannelHandler refuseTotal;
    private final ChannelHandler refusePerClient;

    /** @param onRefused told the reason of each refusal ({@link #TOTAL} or {@link #PER_CLIENT}), for metrics */
    ConnectionLimiter(ConnectionLimits limits, Consumer<String> onRefused) {
        this.maxTotal = limits.maxConnections();
        this.maxPerClient = limits.maxConnectionsPerClient();
        this.onRefused = requireNonNull(onRefused, "onRefused");
        this.refuseTotal = new Refuse(Errors.response(503, "too_many_connections", "This server has " + maxTotal
                + " connections open, its limit (server.max_connections); try again shortly."));
        this.refusePerClient = new Refuse(Errors.response(503, "too_many_connections", "Your address has "
                + maxPerClient + " connections open to this server, its limit per client "
                + "(server.max_connections_per_client); close some and try again."));
    }

    /**
     * Warns when {@code max_connections} leaves too few of the process's files (sockets) for the rest: the
     * database, upstream connections (one per proxied request), the log. Then a flood can still starve the server.
     *
     * @param fileLimit the most files this process may open, or -1 when unknown
     */
    void warnIfOverFileLimit(long fileLimit) {
        if (fileLimit > 0 && 2L * maxTotal + FILE_RESERVE > fileLimit) {
            log.warn("server.max_connections = {} is too high for this process's limit of {} open files: each "
                    + "proxied request also holds an upstream connection, and the database and logs need some. "
                    + "Lower max_connections to {} or less, or raise the limit (ulimit -n)", maxTotal, fileLimit,
                    Math.max(1, (fileLimit - FILE_RESERVE) / 2));
        }
    }

    /** This process's limit of open files (from the JVM), or -1 when the platform does not say. */
    static long fileLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount() : -1;
    }

    /** Connections open now. */
    int open() {
        return open.get();
    }

    /**
     * Counts the channel in, and out again when it closes; or, over a limit, sets it up to be answered 503 and
     * closed, and returns false: the caller then adds nothing else to its pipeline.
     */
    boolean admit(Channel ch) {
        if (!(ch.remoteAddress() instanceof InetSocketAddress remote)) {
            ch.close(); // reset before it was set up: nothing to count or answer
            return false;
        }
        InetAddress client = remote.getAddress();
        if (open.incrementAndGet() > maxTotal) {
            open.decrementAndGet();
            refuse(ch, TOTAL, refuseTotal);
            totalLog.log("Refused a connection from {}: {} connections are open, the limit (server.max_connections"
                    + " = {})", client.getHostAddress(), maxTotal, maxTotal);
            return false;
        }
        boolean[] admitted = {false};
        perClient.compute(client, (address, count) -> {
            int n = count == null ? 0 : count;
            if (n >= maxPerClient) {
                return count;
            }
            admitted[0] = true;
            return n + 1;
        });
        if (!admitted[0]) {
            open.decrementAndGet();
            refuse(ch, PER_CLIENT, refusePerClient);
            perClientLog.log("Refused a connection from {}: it has {} connections open, the limit per client "
                    + "(server.max_connections_per_client = {})", client.getHostAddress(), maxPerClient,
                    maxPerClient);
            return false;
        }
        ch.closeFuture().addListener(f -> release(client));
        return true;
    }

    private void release(InetAddress client) {
        perClient.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
        open.decrementAndGet();
    }

    private void refuse(Channel ch, String reason, ChannelHandler answer) {
        onRefused.accept(reason);
        ch.pipeline().addLast("http-encoder", new HttpResponseEncoder()).addLast("refuse", answer);
    }

    /** Answers a refused connection once it is active, drops whatever it sends meanwhile, and closes it. */
    @ChannelHandler.Sharable
    private static final class Refuse extends ChannelInboundHandlerAdapter {
        private final ApiResponse answer;

        Refuse(ApiResponse answer) {
            this.answer = answer.withHeader("Connection", "close").withHeader("Retry-After", "1");
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Responses.toHttp(answer)).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("Refused connection {} failed: {}", ctx.channel(), cause.toString());
            ctx.close();
        }
    }
}
