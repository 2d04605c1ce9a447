package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Resolves provider host names without blocking an event loop. Netty's default resolver calls
 * {@link InetAddress#getAllByName} on the thread that connects, i.e. on the event loop of the client whose
 * exchange needs a new upstream connection: a slow DNS answer would stall every exchange on that loop. Here an IP
 * literal is converted at once, and a name is looked up on {@code lookups} (the JDK caches the answers), the
 * connection going on when the answer comes.
 */
final class OffLoopResolver extends AddressResolverGroup<InetSocketAddress> {
    /** The blocking lookup; {@link InetAddress#getAllByName} outside tests. */
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    private final Executor lookups;
    private final Lookup lookup;

    OffLoopResolver(Executor lookups, Lookup lookup) {
        this.lookups = requireNonNull(lookups, "lookups");
        this.lookup = requireNonNull(lookup, "lookup");
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new NameResolver(executor).asAddressResolver();
    }

    private final class NameResolver extends InetNameResolver {
        NameResolver(EventExecutor executor) {
            super(executor);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            resolve(host, promise, all -> all[0]);
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            resolve(host, promise, Arrays::asList);
        }

        private <T> void resolve(String host, Promise<T> promise, Function<InetAddress[], T> pick) {
            byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
            if (literal != null) {
                try {
                    promise.trySuccess(pick.apply(new InetAddress[] {InetAddress.getByAddress(host, literal)}));
                } catch (UnknownHostException e) {
                    promise.tryFailure(e);
                }
                return;
            }
            try {
                lookups.execute(() -> {
                    try {
                        promise.trySuccess(pick.apply(lookup.all(host)));
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                promise.tryFailure(e);
            }
        }
    }
}
