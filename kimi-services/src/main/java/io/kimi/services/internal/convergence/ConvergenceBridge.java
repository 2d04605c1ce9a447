package io.kimi.services.internal.convergence;

import static java.util.Objects.requireNonNull;

import io.kimi.core.Threads;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A WebSocket client to the convergence loop ({@code CONVERGENCE_WS_URL}), on Netty with one thread of its own.
 * Each message is parsed and queued for storing by {@link LoopInbox}; reading pauses only while too much waits
 * to be stored. A connection that ends (a close frame, the TCP connection dropped, an error) or stays silent past
 * the liveness timeout (the bridge pings; no message and no pong came) is closed and the bridge reconnects with
 * capped exponential backoff and jitter; the server does not depend on it. The loop's pings are answered.
 * Thread-safe.
 */
public final class ConvergenceBridge implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConvergenceBridge.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(250);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    /** The connection's state; changed on the bridge's thread only. */
    private record Link(String state, Channel channel, Instant connectedSince, String lastError, Instant nextAttemptAt) {
    }

    private final URI url;
    private final Duration maxBackoff;
    private final Clock clock;
    private final BridgeCounters counters = new BridgeCounters();
    private final LoopInbox inbox;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            Threads.daemon("kimi-convergence-bridge"), NioIoHandler.newFactory());
    private final Bootstrap bootstrap;
    private final AtomicReference<Link> link = new AtomicReference<>(new Link("connecting", null, null, null, null));
    private volatile boolean closed;
    private int failures;

    /**
     * @param maxBackoff the longest wait between two connection attempts
     * @param livenessTimeout how long an open connection may stay silent (no message, no pong) before it is closed
     *     and the bridge reconnects; the bridge pings the loop after a third of it without a message
     */
    public ConvergenceBridge(URI url, IncomingEvents parser, ConvergenceIngest ingest, Duration maxBackoff,
            Duration livenessTimeout, Clock clock) {
        this.url = requireNonNull(url, "url");
        this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff");
        this.clock = requireNonNull(clock, "clock");
        requireNonNull(livenessTimeout, "livenessTimeout");
        this.inbox = new LoopInbox(parser, ingest, counters, clock);
        bootstrap = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .remoteAddress(url.getHost(), LoopPipeline.port(url))
                .handler(new LoopPipeline(url, tlsFor(url), livenessTimeout, inbox, this::opened));
    }

    private static SslContext tlsFor(URI url) {
        if (!"wss".equalsIgnoreCase(url.getScheme())) {
            return null;
        }
        try {
            return SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("the JDK's TLS provider is unavailable", e);
        }
    }

    /** Starts connecting in the background; returns at once. */
    public void start() {
        group.execute(this::connect);
    }

    public BridgeStatus status() {
        Link l = link.get();
        return new BridgeStatus(l.state(), url.toString(), l.connectedSince(), counters.lastMessageAt(),
                counters.messages(), counters.accepted(), counters.connections(), counters.reconnects(),
                counters.invalid(), counters.readPauses(), l.lastError(), l.nextAttemptAt());
    }

    private void connect() {
        if (closed) {
            return;
        }
        link.updateAndGet(l -> new Link("connecting", null, null, l.lastError(), null));
        ChannelFuture connecting = bootstrap.connect();
        connecting.addListener(f -> {
            if (f.isSuccess()) {
                connecting.channel().closeFuture().addListener(c -> ended(connecting.channel()));
            } else {
                connecting.channel().close();
                retry("cannot connect: " + LoopReader.rootMessage(f.cause()));
            }
        });
    }

    /** The handshake completed; on the bridge's thread. */
    private void opened(Channel channel) {
        if (closed) {
            channel.close();
            return;
        }
        failures = 0;
        counters.connected();
        link.set(new Link("connected", channel, clock.instant(), link.get().lastError(), null));
        inbox.attach(channel);
        log.info("Connected to the convergence loop at {}", url);
    }

    /** A connection (or an attempt) ended; on the bridge's thread. */
    private void ended(Channel channel) {
        if (closed) {
            return;
        }
        String reason = channel.attr(LoopReader.CLOSE_REASON).get();
        if (link.get().channel() == channel) {
            counters.lost();
            String why = reason != null ? reason : "the loop dropped the connection without a close frame";
            log.warn("Lost the convergence loop at {} ({}); reconnecting", url, why);
            retry(why);
        } else {
            retry(reason != null ? reason : "the connection ended before the WebSocket handshake");
        }
    }

    private void retry(String problem) {
        if (closed) {
            return;
        }
        failures++;
        long base = Math.min(maxBackoff.toMillis(), FIRST_RETRY.toMillis() << Math.min(failures - 1, 20));
        long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        Instant next = clock.instant().plusMillis(delay);
        if (failures == 1) {
            log.info("Convergence loop at {} unavailable ({}); retrying in the background", url, problem);
        } else {
            log.debug("Convergence loop at {} still unavailable ({}); attempt {} in {} ms", url, problem,
                    failures + 1, delay);
        }
        link.set(new Link("waiting", null, null, problem, next));
        group.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    /** Closes the connection (with a close frame when open) and stops the bridge's thread, waiting a bounded time. */
    @Override
    public void close() {
        closed = true;
        Channel channel = link.get().channel();
        if (channel != null) {
            channel.close().awaitUninterruptibly(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (!group.shutdownGracefully(0, STOP_WAIT.toSeconds(), TimeUnit.SECONDS)
                .awaitUninterruptibly(STOP_WAIT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
            log.warn("The convergence bridge's thread did not stop within {}", STOP_WAIT.multipliedBy(2));
        }
        link.set(new Link("disabled", null, null, link.get().lastError(), null));
    }
}
