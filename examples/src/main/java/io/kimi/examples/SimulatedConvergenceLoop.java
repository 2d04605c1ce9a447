package io.kimi.examples;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.services.convergence.SimulatedLoop;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated convergence loop to point the dashboard at: a WebSocket server on 127.0.0.1 that sends the
 * events of a {@link SimulatedLoop} (diagnose → fix → attack → validate, iteration after iteration, sessions
 * that converge or fail) to every connected client, one step per interval.
 *
 * <pre>
 * java -cp kimi-api/target/kimi-api.jar:examples/target/classes io.kimi.examples.SimulatedConvergenceLoop [port] [interval-ms]
 * java -jar kimi-api/target/kimi-api.jar --convergence-url ws://127.0.0.1:8765
 * </pre>
 *
 * <p>A client that connects mid-session first receives that session's events so far, as a loop that
 * replays its session does; the dashboard ignores the {@code event_id}s it already has.
 */
public final class SimulatedConvergenceLoop implements AutoCloseable {
    /** The port of {@code CONVERGENCE_WS_URL}'s default, {@code ws://localhost:8765}. */
    public static final int DEFAULT_PORT = 8765;
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(500);
    private static final Logger log = LoggerFactory.getLogger(SimulatedConvergenceLoop.class);
    private static final Set<String> LOGGED = Set.of("SESSION_STARTED", "CONVERGENCE_REACHED", "ERROR",
            "SESSION_ENDED");

    private final ObjectMapper json = new ObjectMapper();

    private final SimulatedLoop simulation;
    private final EventLoopGroup group;
    private final ChannelGroup clients = new DefaultChannelGroup("simulated-loop", GlobalEventExecutor.INSTANCE);
    private final ScheduledExecutorService ticker;
    private final Object sendLock = new Object();
    private final List<String> currentSession = new ArrayList<>();
    private final Channel server;

    private SimulatedConvergenceLoop(int port, Duration interval, long seed) {
        simulation = new SimulatedLoop(seed, Clock.systemUTC(), json);
        group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("simulated-loop-io", true),
                NioIoHandler.newFactory());
        try {
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new Initializer()).bind(new InetSocketAddress(NetUtil.LOCALHOST4, port))
                    .syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("simulated-loop-steps", true));
        ticker.scheduleAtFixedRate(this::step, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Starts listening on 127.0.0.1 and {@code port} (0 picks a free one) and sends one step of the simulation
     * every {@code interval}, the first at once; equal seeds give equal sessions.
     */
    public static SimulatedConvergenceLoop start(int port, Duration interval, long seed) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
        requireNonNull(interval, "interval");
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("interval: " + interval + " (expected: at least 1 ms)");
        }
        return new SimulatedConvergenceLoop(port, interval, seed);
    }

    /** Usage: {@code SimulatedConvergenceLoop [port] [interval-ms]}, by default 8765 and 500. */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
        Duration interval = args.length > 1 ? Duration.ofMillis(Long.parseLong(args[1])) : DEFAULT_INTERVAL;
        SimulatedConvergenceLoop loop = start(port, interval, System.nanoTime());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.close();
            stopped.countDown();
        }, "simulated-loop-shutdown"));
        log.info("Simulated convergence loop on {}, one step every {} ms. Start the dashboard with "
                + "--convergence-url {}; Ctrl+C stops.", loop.url(), interval.toMillis(), loop.url());
        stopped.await();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String url() {
        return "ws://127.0.0.1:" + port();
    }

    /** Stops the steps, closes every connection and the port, waiting a bounded time. */
    @Override
    public void close() {
        ticker.shutdownNow();
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private void step() {
        try {
            List<String> events = simulation.nextStep();
            synchronized (sendLock) {
                for (String event : events) {
                    if (eventType(event).equals("SESSION_STARTED")) {
                        currentSession.clear();
                    }
                    currentSession.add(event);
                    clients.writeAndFlush(new TextWebSocketFrame(event));
                }
            }
            for (String event : events) {
                if (LOGGED.contains(eventType(event))) {
                    log.info("{} client(s) <- {}", clients.size(), event);
                }
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: report it and keep stepping.
            log.error("A simulated step failed", e);
        }
    }

    private String eventType(String event) {
        try {
            return json.readTree(event).path("event_type").asText();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the simulation wrote invalid JSON: " + event, e);
        }
    }

    /** Sends a new client the current session so far, then makes it receive every new event. */
    private void connected(Channel channel) {
        synchronized (sendLock) {
            for (String event : currentSession) {
                channel.write(new TextWebSocketFrame(event));
            }
            channel.flush();
            clients.add(channel);
        }
    }

    private final class Initializer extends ChannelInitializer<SocketChannel> {
        @Override
        protected void initChannel(SocketChannel ch) {
            ch.pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(64 * 1024))
                    .addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                            .websocketPath("/").checkStartsWith(true).build()))
                    .addLast(new ClientHandler());
        }
    }

    /** Registers a client once its handshake is done; what it sends is ignored. */
    private final class ClientHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                connected(ctx.channel());
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            // The loop only talks; pings are answered by the protocol handler.
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn("Closing {} after an error", ctx.channel(), cause);
            ctx.close();
        }
    }
}
