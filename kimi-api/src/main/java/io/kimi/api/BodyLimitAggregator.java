package io.kimi.api;

import io.kimi.proxy.ErrorResponses;
import io.kimi.proxy.OpenAiError;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Aggregates request bodies up to the configured limit; a larger body gets a 413 in OpenAI's error shape. */
final class BodyLimitAggregator extends HttpObjectAggregator {
    private final int maxBytes;

    BodyLimitAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse response = ErrorResponses.toResponse(new OpenAiError(413,
                "The request body is larger than this server's limit of " + maxBytes
                        + " bytes (server.max_body_bytes).", "invalid_request_error", "request_too_large", null,
                null));
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        // The rest of the body is still coming; close rather than read it.
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
