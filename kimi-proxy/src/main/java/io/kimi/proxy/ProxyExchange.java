package io.kimi.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ProviderConfig;
import io.kimi.core.RequestStatus;
import io.kimi.core.ServerJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.pool.ChannelPool;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied chat completion, from connecting upstream to the client's last byte. Everything runs on the
 * client's event loop, which is also the upstream connection's, so there is no locking and no thread hop.
 *
 * <p>Replies of 2xx with {@code text/event-stream} are relayed event by event as they arrive, the events of one
 * read from the provider in one flush. The provider's connection reads on its own (auto-read) while the client
 * takes what it is sent: the client connection's write-buffer water marks are lowered to
 * {@value #STREAM_LOW_WATER_MARK}/{@value #STREAM_HIGH_WATER_MARK} bytes for the stream, and as soon as more than
 * the high mark waits for the client (it is not writable), reading stops until all of it has been written
 * (backpressure): what waits for one client is at most the high mark plus one read. An event longer
 * than {@link ProxyOptions#maxBufferedReplyBytes()} ends the stream with {@code upstream_event_too_large}. Other 2xx
 * replies are relayed whole, byte for byte, gathered as they came (never merged: linear in their size). Non-2xx
 * replies become our OpenAI-format error, with the provider's message. A bounded copy of what passed, apart from
 * the relayed buffers, is handed to accounting ({@link Transcript}). No configured secret passes:
 * {@link SecretScrubber} replaces it in every event, body and error, and a response header that holds one is not
 * passed on.
 */
final class ProxyExchange implements UpstreamListener {
    private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);
    private static final ObjectMapper JSON = ServerJson.newMapper();
    private static final long BASE_BACKOFF_MS = 100;
    /** The client connection's write-buffer water marks while a stream is relayed (see the class comment). */
    static final int STREAM_LOW_WATER_MARK = 32 << 10;
    static final int STREAM_HIGH_WATER_MARK = 64 << 10;

    private enum Mode { AWAITING, STREAM, BUFFERED, ERROR }

    private final Channel client;
    private final EventLoop loop;
    private final UpstreamRequest request;
    private final ProviderConfig provider;
    private final ChannelPool pool;
    private final ProxyOptions options;
    private final String authorization;
    private final SecretScrubber secrets;
    private final ExchangeObserver observer;
    private final Transcript transcript;
    private final UpstreamTarget target;
    private final ChannelFutureListener onClientClosed = f -> onClientClosed();

    private Channel upstream;
    private int attempts;
    private Mode mode = Mode.AWAITING;
    private boolean done;
    private long ttftNanos = -1;
    private long sentNanos = -1;
    /** When the outstanding read was asked for; the read timeout counts only while one is outstanding. */
    private long readRequestedNanos;
    private boolean readOutstanding;
    /** A stream's events written to the client since the last flush (flushed at the end of the provider's read). */
    private boolean unflushed;
    /** A stream's reading paused until the client has taken what waits for it. */
    private boolean paused;
    /** The last write made while paused: reading resumes once it completed (writes complete in order). */
    private ChannelFuture pausedOn;
    /** The client connection's water marks before the stream lowered them; restored at the end. */
    private WriteBufferWaterMark clientWaterMark;
    /** Whether a secret was found in this reply already (it is logged once per exchange). */
    private boolean secretSeen;
    private HttpResponse upstreamResponse;
    private SseFramer framer;
    private CompositeByteBuf body;
    private ScheduledFuture<?> totalTimer;
    private ScheduledFuture<?> readTimer;

    ProxyExchange(Channel client, EventLoop loop, UpstreamRequest request, UpstreamTarget target, ChannelPool pool,
            ProxyOptions options, String authorization, SecretScrubber secrets, ExchangeObserver observer) {
        this.client = client;
        this.target = target;
        this.loop = loop;
        this.request = request;
        this.provider = request.route().provider();
        this.pool = pool;
        this.options = options;
        this.authorization = authorization;
        this.secrets = secrets;
        this.observer = observer;
        this.transcript = new Transcript(options.transcriptLimitBytes());
    }

    void start() {
        client.closeFuture().addListener(onClientClosed);
        long remaining = provider.totalTimeout().toNanos() - (System.nanoTime() - request.arrivalNanos());
        totalTimer = loop.schedule(this::onTotalTimeout, Math.max(remaining, 0), TimeUnit.NANOSECONDS);
        attempt();
    }

    // ---- connecting and sending ------------------------------------------------------------------------

    private void attempt() {
        attempts++;
        Future<Channel> acquired = pool.acquire();
        acquired.addListener((GenericFutureListener<Future<Channel>>) f -> {
            if (done) {
                if (f.isSuccess()) {
                    f.getNow().close();
                    pool.release(f.getNow());
                }
                return;
            }
            if (!f.isSuccess()) {
                onConnectFailed(f.cause());
                return;
            }
            Channel ch = f.getNow();
            upstream = ch;
            UpstreamHandler handler = ch.pipeline().get(UpstreamHandler.class);
            handler.bind(this);
            ch.writeAndFlush(buildRequest()).addListener((ChannelFutureListener) w -> {
                if (!w.isSuccess()) {
                    onUpstreamClosed(w.cause());
                } else if (!done && upstream == w.channel()) {
                    sentNanos = System.nanoTime() - request.arrivalNanos();
                    requestRead();
                    if (readTimer == null) {
                        scheduleReadCheck(provider.readTimeout().toNanos());
                    }
                }
            });
        });
    }

    private FullHttpRequest buildRequest() {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, target.path(),
                Unpooled.wrappedBuffer(request.body()));
        HttpHeaders h = req.headers();
        HeaderPolicy.copyClientHeaders(request.clientHeaders(), h);
        h.set(HttpHeaderNames.HOST, target.host());
        h.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, request.body().length);
        h.set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
        if (!h.contains(HeaderPolicy.REQUEST_ID)) {
            h.set(HeaderPolicy.REQUEST_ID, request.requestId());
        }
        h.set(HeaderPolicy.HOP_HEADER, options.instanceId());
        if (authorization != null) {
            h.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + authorization);
        }
        provider.headers().forEach(h::set);
        return req;
    }

    private void onConnectFailed(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            fail(OpenAiError.of(504, "timeout_error", "upstream_timeout",
                    "Connecting to provider '" + provider.key() + "' at " + hostPort() + " timed out after "
                            + provider.connectTimeout().toMillis() + " ms."));
        } else if (!retryLater(cause)) {
            fail(OpenAiError.of(502, "upstream_error", "upstream_unreachable",
                    "Could not connect to provider '" + provider.key() + "' at " + hostPort() + " after "
                            + attempts + " attempt(s): " + describe(cause)));
        }
    }

    /** Schedules another attempt when retries remain; returns whether it did. */
    private boolean retryLater(Throwable cause) {
        if (attempts > provider.maxRetries() || cause instanceof SSLException) {
            return false;
        }
        long backoff = BASE_BACKOFF_MS << (attempts - 1);
        backoff += ThreadLocalRandom.current().nextLong(backoff / 4 + 1);
        log.debug("Provider '{}' attempt {} failed before replying ({}); retrying in {} ms", provider.key(),
                attempts, secrets.scrub(describe(cause)), backoff);
        loop.schedule(() -> {
            if (!done) {
                attempt();
            }
        }, backoff, TimeUnit.MILLISECONDS);
        return true;
    }

    // ---- receiving --------------------------------------------------------------------------------------

    @Override
    public void onUpstreamMessage(Object msg) {
        if (done) {
            ReferenceCountUtil.release(msg);
            return;
        }
        readOutstanding = false;
        try {
            if (msg instanceof HttpResponse) {
                onResponseHead((HttpResponse) msg);
            }
            if (msg instanceof HttpContent) {
                onContent((HttpContent) msg);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            onUpstreamClosed(response.decoderResult().cause());
            return;
        }
        ttftNanos = System.nanoTime() - request.arrivalNanos();
        upstreamResponse = response;
        int status = response.status().code();
        if (status < 200 || status >= 300) {
            mode = Mode.ERROR;
            body = wholeBody();
        } else if (request.stream() && HeaderPolicy.isEventStream(response.headers())) {
            mode = Mode.STREAM;
            framer = new SseFramer(client.alloc(), options.maxBufferedReplyBytes());
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status());
            copyResponseHeaders(response, head);
            HttpUtil.setTransferEncodingChunked(head, true);
            head.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
            head.headers().set("X-Accel-Buffering", "no");
            clientWaterMark = client.config().getWriteBufferWaterMark();
            client.config().setWriteBufferWaterMark(
                    new WriteBufferWaterMark(STREAM_LOW_WATER_MARK, STREAM_HIGH_WATER_MARK));
            client.write(head);
            unflushed = true;
            awaitProvider();
            upstream.config().setAutoRead(true);
            return;
        } else {
            mode = Mode.BUFFERED;
            body = wholeBody();
        }
        requestRead();
    }

    /**
     * Where a reply relayed whole gathers: the pieces as they came, never merged (a composite that consolidated
     * every few pieces copied the whole body again each time: quadratic in its size).
     */
    private CompositeByteBuf wholeBody() {
        return client.alloc().compositeBuffer(Integer.MAX_VALUE);
    }

    private void onContent(HttpContent content) {
        if (mode == Mode.AWAITING) {
            return;
        }
        if (content.decoderResult().isFailure()) {
            onUpstreamClosed(content.decoderResult().cause());
            return;
        }
        boolean last = content instanceof LastHttpContent;
        ByteBuf data = content.content();
        switch (mode) {
            case STREAM:
                relayEvents(data.retain(), last);
                break;
            case BUFFERED:
            case ERROR:
                int max = mode == Mode.ERROR ? options.maxErrorBodyBytes() : options.maxBufferedReplyBytes();
                if (body.readableBytes() + data.readableBytes() <= max) {
                    body.addComponent(true, data.retain());
                } else if (mode == Mode.BUFFERED) {
                    fail(OpenAiError.of(502, "upstream_error", "upstream_reply_too_large",
                            "Provider '" + provider.key() + "' sent a reply larger than "
                                    + options.maxBufferedReplyBytes() + " bytes."));
                    return;
                }
                if (last) {
                    finishWhole();
                } else {
                    requestRead();
                }
                break;
            default:
                throw new IllegalStateException("mode " + mode);
        }
    }

    private void relayEvents(ByteBuf data, boolean last) {
        List<ByteBuf> events = new ArrayList<>(4);
        boolean fits = framer.feed(data, events);
        if (fits && last) {
            ByteBuf rest = framer.remainder();
            if (rest.isReadable()) {
                events.add(rest);
            } else {
                rest.release();
            }
        }
        CompositeByteBuf out = null;
        for (ByteBuf raw : events) {
            ByteBuf event = secrets.scrub(raw);
            if (event != raw) {
                secretFound("in a stream event");
            }
            boolean usage = SseEvents.mayHoldUsage(event);
            transcript.appendEvent(event, usage);
            if (usage && request.stripUsageChunk() && isUsageOnlyChunk(event)) {
                event.release();
                continue;
            }
            if (out == null) {
                out = client.alloc().compositeBuffer(Math.max(events.size(), 2));
            }
            out.addComponent(true, event);
        }
        if (!fits) {
            if (out != null) {
                client.write(new DefaultHttpContent(out));
            }
            log.warn("Provider '{}' sent a stream event larger than {} bytes to request {}; the stream is ended with"
                    + " upstream_event_too_large", provider.key(), options.maxBufferedReplyBytes(), request.requestId());
            fail(OpenAiError.of(502, "upstream_error", "upstream_event_too_large",
                    "Provider '" + provider.key() + "' sent a stream event larger than "
                            + options.maxBufferedReplyBytes() + " bytes."));
            return;
        }
        if (last) {
            finish(RequestStatus.SUCCESS, upstreamResponse.status().code(), null);
            if (out != null) {
                client.write(new DefaultHttpContent(out));
            }
            client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            unflushed = false;
            releaseUpstream(HttpUtil.isKeepAlive(upstreamResponse));
            return;
        }
        if (out == null) {
            awaitProvider();
            return;
        }
        ChannelFuture written = client.write(new DefaultHttpContent(out));
        unflushed = true;
        if (client.isWritable() || !client.isActive()) {
            awaitProvider();
            return;
        }
        // More than the high-water mark waits for the client: read nothing more until it has taken all of it
        // (events of a read already made still come; each moves the resumption to its own write).
        Channel reading = upstream;
        pausedOn = written;
        if (!paused) {
            paused = true;
            reading.config().setAutoRead(false);
        }
        written.addListener((ChannelFutureListener) w -> resumeAfter(w, reading));
    }

    /** The client has taken everything written before the pause: the provider's connection reads again. */
    private void resumeAfter(ChannelFuture write, Channel reading) {
        if (!write.isSuccess() || done || upstream != reading || !paused || write != pausedOn) {
            return;
        }
        paused = false;
        pausedOn = null;
        awaitProvider();
        reading.config().setAutoRead(true);
    }

    /** A stream waits for the provider from now: the read timeout runs (reading itself is automatic). */
    private void awaitProvider() {
        readOutstanding = true;
        readRequestedNanos = System.nanoTime();
    }

    @Override
    public void onUpstreamReadComplete() {
        if (unflushed) {
            unflushed = false;
            client.flush();
        }
    }

    /** Asks the provider's connection for more; the read timeout runs from now until something arrives. */
    private void requestRead() {
        if (done || upstream == null) {
            return;
        }
        if (!readOutstanding) {
            readOutstanding = true;
            readRequestedNanos = System.nanoTime();
        }
        upstream.read();
    }

    static boolean isUsageOnlyChunk(ByteBuf event) {
        String data = SseEvents.data(event);
        if (data == null) {
            return false;
        }
        try {
            JsonNode chunk = JSON.readTree(data);
            JsonNode choices = chunk.path("choices");
            return chunk.path("usage").isObject() && (choices.isMissingNode() || choices.isNull()
                    || (choices.isArray() && choices.isEmpty()));
        } catch (IOException e) {
            log.debug("SSE event with a usage field is not JSON; relaying it as is: {}", e.toString());
            return false;
        }
    }

    private void finishWhole() {
        CompositeByteBuf whole = body;
        body = null;
        if (mode == Mode.ERROR) {
            String text = whole.toString(StandardCharsets.UTF_8);
            if (secrets.reveals(text)) {
                secretFound("in an error");
            }
            OpenAiError error = ProviderErrors.map(provider, upstreamResponse, text, secrets);
            whole.release();
            releaseUpstream(HttpUtil.isKeepAlive(upstreamResponse));
            fail(error);
            return;
        }
        ByteBuf clean = secrets.scrub(whole);
        if (clean != whole) {
            secretFound("in the reply body");
        }
        transcript.appendBody(clean);
        finish(RequestStatus.SUCCESS, upstreamResponse.status().code(), null);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, upstreamResponse.status(),
                clean);
        copyResponseHeaders(upstreamResponse, response);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, clean.readableBytes());
        client.writeAndFlush(response);
        releaseUpstream(HttpUtil.isKeepAlive(upstreamResponse));
    }

    // ---- failures -----------------------------------------------------------------------------------------

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (done) {
            return;
        }
        if (mode == Mode.AWAITING) {
            discardUpstream();
            if (cause instanceof SSLException) {
                fail(OpenAiError.of(502, "upstream_error", "upstream_tls_failed",
                        "TLS with provider '" + provider.key() + "' at " + hostPort() + " failed: "
                                + describe(cause)));
            } else if (!retryLater(cause == null ? new IOException("connection closed") : cause)) {
                fail(OpenAiError.of(502, "upstream_error", "upstream_connection_reset",
                        "Provider '" + provider.key() + "' closed the connection before replying, after "
                                + attempts + " attempt(s)" + (cause == null ? "." : ": " + describe(cause))));
            }
            return;
        }
        fail(OpenAiError.of(502, "upstream_error", "upstream_disconnected",
                "Provider '" + provider.key() + "' closed the connection before the reply was complete"
                        + (cause == null ? "." : ": " + describe(cause))));
    }

    private void onTotalTimeout() {
        if (!done) {
            fail(OpenAiError.of(504, "timeout_error", "upstream_timeout",
                    "Provider '" + provider.key() + "' did not finish within the total timeout of "
                            + provider.totalTimeout().toMillis() + " ms."));
        }
    }

    /**
     * The read timeout: the provider sent nothing for that long while we were waiting for it. Time spent
     * waiting for a slow client to take what we already have (backpressure) does not count.
     */
    private void scheduleReadCheck(long delayNanos) {
        readTimer = loop.schedule(() -> {
            if (done) {
                return;
            }
            long limit = provider.readTimeout().toNanos();
            long idle = readOutstanding ? System.nanoTime() - readRequestedNanos : 0;
            if (idle >= limit) {
                fail(OpenAiError.of(504, "timeout_error", "upstream_timeout",
                        "Provider '" + provider.key() + "' sent nothing for " + provider.readTimeout().toMillis()
                                + " ms (read timeout)."));
            } else {
                scheduleReadCheck(limit - idle);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Ends the exchange with an error, in whatever form the client can still receive. */
    private void fail(OpenAiError unscrubbed) {
        if (done) {
            return;
        }
        OpenAiError error = secrets.scrub(unscrubbed);
        if (error != unscrubbed) {
            secretFound("in an error");
        }
        Mode failedIn = mode;
        discardUpstream();
        if (failedIn == Mode.STREAM) {
            // Headers and events already went out (or wait to): end the stream with an SSE error event.
            finish(RequestStatus.ERROR, 200, error);
            byte[] json = error.toJsonBytes();
            ByteBuf event = client.alloc().buffer(json.length + 8);
            event.writeBytes("data: ".getBytes(StandardCharsets.US_ASCII)).writeBytes(json).writeByte('\n')
                    .writeByte('\n');
            client.write(new DefaultHttpContent(event));
            client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        finish(RequestStatus.ERROR, error.httpStatus(), error);
        if (client.isActive()) {
            client.writeAndFlush(ErrorResponses.toResponse(error));
        }
    }

    private void onClientClosed() {
        if (done) {
            return;
        }
        discardUpstream();
        int status = upstreamResponse == null ? 499 : upstreamResponse.status().code();
        finish(RequestStatus.CANCELLED, status, null);
    }

    // ---- bookkeeping ---------------------------------------------------------------------------------------

    private void finish(RequestStatus status, int httpStatus, OpenAiError error) {
        done = true;
        client.closeFuture().removeListener(onClientClosed);
        if (totalTimer != null) {
            totalTimer.cancel(false);
        }
        if (readTimer != null) {
            readTimer.cancel(false);
        }
        if (framer != null) {
            framer.release();
        }
        if (clientWaterMark != null) {
            client.config().setWriteBufferWaterMark(clientWaterMark);
        }
        if (body != null) {
            body.release();
            body = null;
        }
        ExchangeResult result = new ExchangeResult(status, httpStatus, error, mode == Mode.STREAM,
                transcript.result(), sentNanos, ttftNanos,
                System.nanoTime() - request.arrivalNanos(), attempts);
        try {
            observer.onComplete(result);
        } catch (RuntimeException e) {
            log.error("Recording request {} failed; the reply is not affected", request.requestId(), e);
        }
    }

    private void copyResponseHeaders(HttpResponse from, HttpResponse to) {
        int held = HeaderPolicy.copyResponseHeaders(from.headers(), to.headers(), secrets);
        if (held > 0) {
            secretFound("in " + held + " response header(s), held back");
        }
    }

    /** Logs, once per exchange, that the provider sent a secret back (never the secret itself). */
    private void secretFound(String where) {
        if (!secretSeen) {
            secretSeen = true;
            log.warn("Provider '{}' sent a configured secret back ({}) to request {}; it was replaced by {}",
                    provider.key(), where, request.requestId(), SecretScrubber.MARKER);
        }
    }

    private void releaseUpstream(boolean reusable) {
        Channel ch = upstream;
        upstream = null;
        readOutstanding = false;
        if (ch == null) {
            return;
        }
        ch.pipeline().get(UpstreamHandler.class).unbind();
        if (!reusable) {
            ch.close();
        }
        pool.release(ch);
    }

    private void discardUpstream() {
        Channel ch = upstream;
        upstream = null;
        readOutstanding = false;
        if (ch != null) {
            UpstreamHandler handler = ch.pipeline().get(UpstreamHandler.class);
            if (handler != null) {
                handler.unbind();
            }
            ch.close();
            pool.release(ch);
        }
    }

    private String hostPort() {
        URI uri = provider.baseUrl();
        return uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : " (" + message + ")");
    }

    /** For tests and logs. */
    @Override
    public String toString() {
        return "ProxyExchange[" + request.requestId() + ", " + provider.key() + ", " + mode + "]";
    }
}
