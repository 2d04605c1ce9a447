package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * A chat completion ready to send upstream.
 *
 * @param route where it goes
 * @param body the JSON body to send, already rewritten for the provider (upstream model id, usage option)
 * @param clientHeaders the client's request headers; {@link HeaderPolicy} decides which are passed on
 * @param requestId our id for the request; sent as {@code x-request-id} unless the client sent its own
 * @param stream whether the client asked for a stream
 * @param stripUsageChunk whether we asked the provider for a usage chunk the client did not ask for, which
 *     must then be removed from the stream before it reaches the client
 * @param arrivalNanos {@link System#nanoTime()} when the request arrived, for latency figures
 */
public record UpstreamRequest(Route route, byte[] body, HttpHeaders clientHeaders, String requestId,
        boolean stream, boolean stripUsageChunk, long arrivalNanos) {

    public UpstreamRequest {
        requireNonNull(route, "route");
        requireNonNull(body, "body");
        requireNonNull(clientHeaders, "clientHeaders");
        requireNonNull(requestId, "requestId");
    }
}
