package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

import io.kimi.config.MissingSecretException;
import io.kimi.config.ProviderConfig;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends chat completions to providers and relays the replies to clients as they arrive. Thread-safe; one per
 * server. Call {@link #proxy} on the client channel's event loop.
 */
public final class ChatProxy implements AutoCloseable {
    private final ProxyOptions options;
    private final SecretScrubber secrets;
    private final UpstreamPools pools = new UpstreamPools();
    /** Per provider key, as the pools are: one entry per configured provider. */
    private final Map<String, UpstreamTarget> targets = new ConcurrentHashMap<>();

    /**
     * @param options the relay's limits
     * @param secrets what no reply may pass on: the scrubber applied to every reply, error and header
     */
    public ChatProxy(ProxyOptions options, SecretScrubber secrets) {
        this.options = requireNonNull(options, "options");
        this.secrets = requireNonNull(secrets, "secrets");
    }

    public ProxyOptions options() {
        return options;
    }

    /**
     * Proxies one request and writes the reply (or an OpenAI-format error) to {@code client}. The observer
     * learns how it ended, exactly once.
     */
    public void proxy(Channel client, UpstreamRequest request, ExchangeObserver observer) {
        proxy(client, requireNonNull(client, "client").eventLoop(), request, observer);
    }

    /**
     * As {@link #proxy(Channel, UpstreamRequest, ExchangeObserver)}, with the exchange (its provider connection
     * and timers) on {@code loop}: for an in-process client, a channel with no network event loop of its own
     * (such as an {@code EmbeddedChannel} that collects the reply). Call it on {@code loop}; {@code client} is
     * then used only from {@code loop}.
     */
    public void proxy(Channel client, EventLoop loop, UpstreamRequest request, ExchangeObserver observer) {
        requireNonNull(client, "client");
        requireNonNull(loop, "loop");
        requireNonNull(request, "request");
        requireNonNull(observer, "observer");
        if (!loop.inEventLoop()) {
            throw new IllegalStateException("proxy() must be called on the exchange's event loop");
        }
        ProviderConfig provider = request.route().provider();
        String key = null;
        if (provider.apiKey().isConfigured()) {
            try {
                key = provider.apiKey().value();
            } catch (MissingSecretException e) {
                OpenAiError error = OpenAiError.of(503, "server_error", "provider_key_missing",
                        "Provider '" + provider.key() + "' cannot be used: " + e.getMessage()
                                + ". Set it and restart the server.");
                observer.onComplete(ExchangeResult.refused(503, error, request.stream(), request.arrivalNanos()));
                client.writeAndFlush(ErrorResponses.toResponse(error));
                return;
            }
        }
        UpstreamTarget target = targets.computeIfAbsent(provider.key(), k -> UpstreamTarget.of(provider));
        new ProxyExchange(client, loop, request, target, pools.poolFor(provider, loop), options, key, secrets,
                observer).start();
    }

    /** Whether a request carries this proxy's own hop marker, i.e. a provider's URL points back at us. */
    public boolean isOwnHop(HttpHeaders headers) {
        return options.instanceId().equals(headers.get(HeaderPolicy.HOP_HEADER));
    }

    @Override
    public void close() {
        pools.close();
    }
}
