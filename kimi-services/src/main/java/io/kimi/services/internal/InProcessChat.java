package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.RequestStatus;
import io.kimi.features.chat.ChatModel;
import io.kimi.features.chat.ChatReply;
import io.kimi.proxy.ChatProxy;
import io.kimi.proxy.ExchangeResult;
import io.kimi.proxy.HeaderPolicy;
import io.kimi.proxy.ProxyException;
import io.kimi.proxy.ReplyTranscript;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's in-process {@link ChatModel}: a call takes the proxy's own path ({@link ChatCompletions} prepares,
 * routes, rate-limits, transforms and records it as pending in the named session; {@link ChatProxy} sends it
 * with the provider's key and the accountant records how it ended), with the reply collected in memory instead
 * of written to a socket. No HTTP to the server's own port, so no access token either; the provider's key stays
 * inside the proxy (never in a reply, error or log). Thread-safe.
 */
public final class InProcessChat implements ChatModel {
    private static final Logger log = LoggerFactory.getLogger(InProcessChat.class);

    private final ChatCompletions completions;
    private final ChatProxy proxy;
    private final EventLoopGroup loops;
    private final Executor blocking;
    private final int maxReplyBytes;
    private final ObjectMapper json;

    /**
     * @param loops the server's event loops: each call's exchange runs on one of them
     * @param blocking where preparing a call runs when it may block
     */
    public InProcessChat(ChatCompletions completions, ChatProxy proxy, EventLoopGroup loops, Executor blocking,
            ObjectMapper json) {
        this.json = requireNonNull(json, "json");
        this.completions = requireNonNull(completions, "completions");
        this.proxy = requireNonNull(proxy, "proxy");
        this.loops = requireNonNull(loops, "loops");
        this.blocking = requireNonNull(blocking, "blocking");
        // The proxy relays at most this much (a whole non-streamed reply, or an error body).
        this.maxReplyBytes = Math.max(proxy.options().maxBufferedReplyBytes(), proxy.options().maxErrorBodyBytes());
    }

    @Override
    public CompletableFuture<ChatReply> complete(String sessionId, ObjectNode request) {
        requireNonNull(sessionId, "sessionId");
        requireNonNull(request, "request");
        byte[] body;
        try {
            body = json.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            return CompletableFuture.failedFuture(e);
        }
        HttpHeaders headers = new DefaultHttpHeaders()
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .set(HeaderPolicy.SESSION_HEADER, sessionId);
        CompletableFuture<ChatReply> reply = new CompletableFuture<>();
        EventLoop loop = loops.next();
        completions.prepareAsync(body, headers, System.nanoTime(), blocking).whenComplete((prepared, error) -> {
            if (error != null) {
                refused(reply, error);
            } else {
                prepared.traced().whenComplete((v, e) -> onLoop(loop, prepared, () -> send(loop, prepared, reply)));
            }
        });
        return reply;
    }

    /** A call the services refused answers like the proxy route would: with its OpenAI error. */
    private static void refused(CompletableFuture<ChatReply> reply, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ProxyException p) {
            reply.complete(new ChatReply(p.error().httpStatus(),
                    new String(p.error().toJsonBytes(), StandardCharsets.UTF_8)));
        } else {
            reply.completeExceptionally(cause);
        }
    }

    private void send(EventLoop loop, PreparedRequest prepared, CompletableFuture<ChatReply> reply) {
        if (reply.isDone()) {
            // Abandoned (cancelled) before it was sent: nothing reached the provider.
            prepared.observer().onComplete(cancelled(prepared));
            return;
        }
        EmbeddedChannel client = new EmbeddedChannel(new ReplyCollector(reply, maxReplyBytes));
        // Closing the in-memory client cancels the exchange (as a client hanging up would); done after the
        // exchange ended, on a later task of its loop.
        reply.whenComplete((r, e) -> onLoop(loop, prepared, client::close));
        proxy.proxy(client, loop, prepared.request(), prepared.observer());
    }

    private static void onLoop(EventLoop loop, PreparedRequest prepared, Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            log.debug("Event loop shut down before in-process request {} was sent", prepared.request().requestId());
        }
    }

    /** The call was abandoned before it was sent: nothing reached the provider. */
    private static ExchangeResult cancelled(PreparedRequest prepared) {
        return new ExchangeResult(RequestStatus.CANCELLED, 499, null, prepared.request().stream(),
                ReplyTranscript.EMPTY, -1, -1, System.nanoTime() - prepared.request().arrivalNanos(), 0);
    }

    /** Collects what the proxy writes to the in-memory client: the status, then the body up to a bound. */
    private static final class ReplyCollector extends ChannelOutboundHandlerAdapter {
        private final CompletableFuture<ChatReply> reply;
        private final int maxBytes;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status;

        ReplyCollector(CompletableFuture<ChatReply> reply, int maxBytes) {
            this.reply = reply;
            this.maxBytes = maxBytes;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            try {
                if (msg instanceof HttpResponse head) {
                    status = head.status().code();
                }
                if (msg instanceof HttpContent content) {
                    append(content.content());
                }
                if (msg instanceof ByteBuf raw) {
                    append(raw);
                }
                if (msg instanceof LastHttpContent && !reply.isDone()) {
                    reply.complete(new ChatReply(status, body.toString(StandardCharsets.UTF_8)));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            promise.setSuccess();
        }

        private void append(ByteBuf content) {
            int n = content.readableBytes();
            if (reply.isDone()) {
                return;
            }
            if (body.size() + n > maxBytes) {
                log.warn("An in-process chat reply is over {} bytes; the call fails", maxBytes);
                reply.completeExceptionally(new IllegalStateException("the reply is over " + maxBytes + " bytes"));
                return;
            }
            body.writeBytes(ByteBufUtil.getBytes(content));
        }
    }
}
