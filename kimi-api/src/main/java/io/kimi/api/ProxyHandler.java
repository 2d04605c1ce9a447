package io.kimi.api;

import io.kimi.core.RequestStatus;
import io.kimi.proxy.ChatProxy;
import io.kimi.proxy.ExchangeResult;
import io.kimi.proxy.OpenAiError;
import io.kimi.proxy.ProxyException;
import io.kimi.proxy.ReplyTranscript;
import io.kimi.services.internal.ChatCompletions;
import io.kimi.services.internal.PreparedRequest;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /chat/completions}: has the services prepare the request ({@link ChatCompletions#prepareAsync}, which
 * decides itself what runs where) and, once its pending record is committed, hands it to the proxy on the
 * client's event loop.
 */
final class ProxyHandler {
    private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

    private final ChatCompletions completions;
    private final ChatProxy proxy;
    private final Executor blocking;

    ProxyHandler(ChatCompletions completions, ChatProxy proxy, Executor blocking) {
        this.completions = completions;
        this.proxy = proxy;
        this.blocking = blocking;
    }

    void handle(Channel channel, FullHttpRequest request, long arrivalNanos) {
        HttpHeaders headers = request.headers().copy();
        if (proxy.isOwnHop(headers)) {
            Responses.write(channel, Errors.fromError(OpenAiError.of(508, "invalid_request_error", "loop_detected",
                    "This request came back to the proxy that sent it: a provider's base_url points at this "
                            + "server. Fix that provider's base_url.")));
            return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        // The services decide where preparing runs (here, or on the blocking pool when it may block); the answer
        // is always handled on this channel's event loop.
        completions.prepareAsync(body, headers, arrivalNanos, blocking).whenComplete((prepared, error) -> {
            if (channel.eventLoop().inEventLoop()) {
                sendOrAnswer(channel, prepared, error);
                return;
            }
            try {
                channel.eventLoop().execute(() -> sendOrAnswer(channel, prepared, error));
            } catch (RejectedExecutionException rejected) {
                log.debug("Event loop shut down before a chat completion was prepared");
                if (prepared != null) {
                    prepared.observer().onComplete(cancelled(prepared));
                }
            }
        });
    }

    private void sendOrAnswer(Channel channel, PreparedRequest prepared, Throwable error) {
        if (error == null) {
            send(channel, prepared);
            return;
        }
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ProxyException e) {
            Responses.write(channel, Errors.fromError(e.error()));
        } else {
            // Every request gets an answer: counting is bounded (TokenCounter), so an error here is a defect or an
            // exhausted heap, not the request's size alone.
            Responses.write(channel, Errors.fromException(cause, "Preparing a chat completion"));
        }
    }

    /**
     * Sends the request upstream once its pending record is committed (see {@link PreparedRequest#traced()}), on
     * the channel's event loop; the wait holds no thread.
     */
    private void send(Channel channel, PreparedRequest prepared) {
        CompletableFuture<Void> traced = prepared.traced();
        if (traced.isDone()) {
            sendNow(channel, prepared);
            return;
        }
        traced.whenComplete((v, e) -> {
            try {
                channel.eventLoop().execute(() -> sendNow(channel, prepared));
            } catch (RejectedExecutionException rejected) {
                log.debug("Event loop shut down before request {} was sent", prepared.request().requestId());
                prepared.observer().onComplete(cancelled(prepared));
            }
        });
    }

    private void sendNow(Channel channel, PreparedRequest prepared) {
        if (!channel.isActive()) {
            prepared.observer().onComplete(cancelled(prepared));
            return;
        }
        proxy.proxy(channel, prepared.request(), prepared.observer());
    }

    /** The client went away before the request was sent: nothing reached the provider. */
    private static ExchangeResult cancelled(PreparedRequest prepared) {
        return new ExchangeResult(RequestStatus.CANCELLED, 499, null, prepared.request().stream(),
                ReplyTranscript.EMPTY, -1, -1, System.nanoTime() - prepared.request().arrivalNanos(), 0);
    }
}
