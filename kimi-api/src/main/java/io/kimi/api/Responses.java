package io.kimi.api;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Writes {@link ApiResponse}s to a channel, on its event loop. */
final class Responses {
    private Responses() {
    }

    static FullHttpResponse toHttp(ApiResponse r) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(r.status()), Unpooled.wrappedBuffer(r.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        r.headers().forEach(response.headers()::set);
        return response;
    }

    /** Writes from any thread; the write itself happens on the channel's event loop. */
    static void write(Channel channel, ApiResponse r) {
        if (channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(toHttp(r));
        } else {
            channel.eventLoop().execute(() -> channel.writeAndFlush(toHttp(r)));
        }
    }

    /** As {@link #write}, then closes the connection once the response is written. */
    static void writeAndClose(Channel channel, ApiResponse r) {
        if (channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(toHttp(r)).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.eventLoop().execute(() -> writeAndClose(channel, r));
        }
    }
}
