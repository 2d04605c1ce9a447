package io.kimi.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.Threads;
import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffLoopResolverTest {
    private final ExecutorService lookups = Executors.newSingleThreadExecutor(Threads.daemon("test-dns"));
    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final List<String> lookedUpOn = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        lookups.shutdownNow();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Test
    void aHostNameIsLookedUpOnTheLookupThreadNotOnTheEventLoop() throws Exception {
        OffLoopResolver group = new OffLoopResolver(lookups, host -> {
            lookedUpOn.add(Thread.currentThread().getName());
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 0, 0, 7})};
        });
        AddressResolver<InetSocketAddress> resolver = group.getResolver(loop);

        Future<InetSocketAddress> resolved = loop.submit(
                () -> resolver.resolve(InetSocketAddress.createUnresolved("api.provider.test", 443))).get().await();

        assertThat(resolved.isSuccess()).isTrue();
        assertThat(resolved.getNow().getAddress().getHostAddress()).isEqualTo("10.0.0.7");
        assertThat(resolved.getNow().getPort()).isEqualTo(443);
        assertThat(lookedUpOn).containsExactly("test-dns");
        group.close();
    }

    @Test
    void anIpLiteralIsResolvedAtOnceWithoutALookup() throws Exception {
        OffLoopResolver group = new OffLoopResolver(lookups, host -> {
            lookedUpOn.add(host);
            throw new UnknownHostException(host);
        });

        Future<InetSocketAddress> resolved = group.getResolver(loop)
                .resolve(InetSocketAddress.createUnresolved("127.0.0.1", 8080)).await();

        assertThat(resolved.isSuccess()).isTrue();
        assertThat(resolved.getNow().getAddress().isLoopbackAddress()).isTrue();
        assertThat(lookedUpOn).isEmpty();
        group.close();
    }

    @Test
    void anUnknownHostFailsTheResolution() throws Exception {
        OffLoopResolver group = new OffLoopResolver(lookups, host -> {
            throw new UnknownHostException(host + ": no such host");
        });

        Future<List<InetSocketAddress>> resolved = group.getResolver(loop)
                .resolveAll(InetSocketAddress.createUnresolved("nowhere.test", 443)).await();

        assertThat(resolved.isSuccess()).isFalse();
        assertThat(resolved.cause()).isInstanceOf(UnknownHostException.class).hasMessageContaining("nowhere.test");
        group.close();
    }
}
