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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /chat/completions}: prepares the request (on the event loop when that cannot block, else on the
 * blocking pool) and, once its pending record is committed, hands it to the proxy on the client's event loop.
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
        if (!completions.mayBlock(headers, body.length)) {
            prepareAndProxy(channel, body, headers, arrivalNanos);
            return;
        }
        try {
            blocking.execute(() -> {
                PreparedRequest prepared = prepareOrAnswer(channel, body, headers, arrivalNanos);
                if (prepared != null) {
                    channel.eventLoop().execute(() -> send(channel, prepared));
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("Blocking pool is full; refusing a chat completion");
            Responses.write(channel, Errors.response(503, "busy", "The server is overloaded; try again shortly."));
        }
    }

    private void prepareAndProxy(Channel channel, byte[] body, HttpHeaders headers, long arrivalNanos) {
        PreparedRequest prepared = prepareOrAnswer(channel, body, headers, arrivalNanos);
        if (prepared != null) {
            send(channel, prepared);
        }
    }

    private PreparedRequest prepareOrAnswer(Channel channel, byte[] body, HttpHeaders headers, long arrivalNanos) {
        try {
            return completions.prepare(body, headers, arrivalNanos);
        } catch (ProxyException e) {
            Responses.write(channel, Errors.fromError(e.error()));
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            // Every request gets an answer, and the worker lives on: counting is bounded (TokenCounter), so an
            // error here is a defect or an exhausted heap, not the request's size alone.
            Responses.write(channel, Errors.fromException(e, "Preparing a chat completion"));
        }
        return null;
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
