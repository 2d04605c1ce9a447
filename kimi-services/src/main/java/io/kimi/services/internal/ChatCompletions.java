package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.config.ModelConfig;
import io.kimi.core.Ids;
import io.kimi.core.Session;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.features.TransformContext;
import io.kimi.features.TransformerChain;
import io.kimi.proxy.ExchangeResult;
import io.kimi.proxy.HeaderPolicy;
import io.kimi.proxy.ModelRouter;
import io.kimi.proxy.OpenAiError;
import io.kimi.proxy.ProxyException;
import io.kimi.proxy.Route;
import io.kimi.proxy.UpstreamRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prepares a client's chat completion for the proxy: validates the body, routes the model, counts the prompt,
 * applies the provider's rate limits (a refused request changes no session and is not recorded), picks the
 * session, runs the context features ({@link TransformerChain}: tool-call repair, sanitizer, compaction, MCP
 * memory) and counts what they leave, refuses prompts larger than the model's window, and rewrites the body for
 * the provider
 * (upstream model id; {@code stream_options.include_usage} so streamed usage is reported). Every refusal is a
 * {@link ProxyException} carrying an OpenAI-format error. Thread-safe.
 */
public final class ChatCompletions {
    private static final Logger log = LoggerFactory.getLogger(ChatCompletions.class);
    private final ModelRouter router;
    private final ProxySessions sessions;
    private final TokenCounter counter;
    private final Accountant accountant;
    private final RateLimiter rateLimiter;
    private final TransformerChain chain;
    private final Clock clock;
    private final ObjectMapper json;

    public ChatCompletions(ModelRouter router, ProxySessions sessions, TokenCounter counter, Accountant accountant,
            RateLimiter rateLimiter, TransformerChain chain, Clock clock, ObjectMapper json) {
        this.json = requireNonNull(json, "json");
        this.router = requireNonNull(router, "router");
        this.sessions = requireNonNull(sessions, "sessions");
        this.counter = requireNonNull(counter, "counter");
        this.accountant = requireNonNull(accountant, "accountant");
        this.rateLimiter = requireNonNull(rateLimiter, "rateLimiter");
        this.chain = requireNonNull(chain, "chain");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Prepares a chat completion, deciding itself where that runs: on the caller's thread when it cannot block
     * (the usual case, so an event loop keeps the request), else on {@code blocking} (a first use of a session
     * id reads the store once, and a large body takes a while to count). Never blocks the caller. The stage fails
     * with a {@link ProxyException} carrying the OpenAI error to answer (also a 503 {@code server_busy} when
     * {@code blocking} refuses the work), or with the unexpected error preparing met.
     */
    public CompletionStage<PreparedRequest> prepareAsync(byte[] body, HttpHeaders headers, long arrivalNanos,
            Executor blocking) {
        if (!mayBlock(headers, body.length)) {
            try {
                return CompletableFuture.completedFuture(prepare(body, headers, arrivalNanos));
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                // Every request gets an answer, and the thread lives on: counting is bounded (TokenCounter), so an
                // error here is a defect or an exhausted heap, not the request's size alone.
                return CompletableFuture.failedFuture(e);
            }
        }
        try {
            return CompletableFuture.supplyAsync(() -> prepare(body, headers, arrivalNanos), blocking);
        } catch (RejectedExecutionException e) {
            log.warn("The blocking pool is full; refusing a chat completion");
            return CompletableFuture.failedFuture(new ProxyException(new OpenAiError(503,
                    "The server is overloaded; try again shortly.", "server_error", "server_busy", null, "1")));
        }
    }

    /** Whether preparing this request may block, so that it runs on the blocking pool. */
    private boolean mayBlock(HttpHeaders headers, int bodyBytes) {
        String id = headers.get(HeaderPolicy.SESSION_HEADER);
        return bodyBytes > 64 * 1024 || (id != null && !sessions.isKnown(id));
    }

    /**
     * Parses, checks, routes, counts and rewrites a chat completion, and records it as pending. Refused first, with
     * a 503 {@code server_busy}, while recording is far behind ({@link Accountant#admit()}).
     *
     * @throws ProxyException the OpenAI error to answer instead
     */
    public PreparedRequest prepare(byte[] body, HttpHeaders headers, long arrivalNanos) {
        if (!accountant.admit()) {
            throw new ProxyException(new OpenAiError(503, "The server is recording requests more slowly than they"
                    + " finish; try again shortly.", "server_error", "server_busy", null, "1"));
        }
        ObjectNode request = parse(body);
        JsonNode modelNode = request.get("model");
        if (modelNode == null || !modelNode.isTextual() || modelNode.asText().isBlank()) {
            throw new ProxyException(OpenAiError.badRequest(
                    "'model' is required and must be a non-empty string.", "missing_model", "model"));
        }
        JsonNode messages = request.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new ProxyException(OpenAiError.badRequest(
                    "'messages' is required and must be a non-empty array.", "missing_messages", "messages"));
        }
        JsonNode streamNode = request.get("stream");
        if (streamNode != null && !streamNode.isNull() && !streamNode.isBoolean()) {
            throw new ProxyException(OpenAiError.badRequest("'stream' must be a boolean.", "invalid_type",
                    "stream"));
        }
        boolean stream = streamNode != null && streamNode.asBoolean(false);
        Route route = router.resolve(modelNode.asText());
        String sessionHeader = headers.get(HeaderPolicy.SESSION_HEADER);
        if (sessionHeader != null && !ProxySessions.isValidId(sessionHeader)) {
            throw new ProxyException(OpenAiError.badRequest("X-Session-Id must be 1-128 characters of "
                    + "letters, digits, '.', '_', ':' or '-'.", "invalid_session_id", null));
        }
        ModelConfig model = route.model();
        int originalEstimate = countPrompt(model, request);
        // Before the session is chosen, so a refused request leaves sessions as they are. The reservation uses
        // the prompt as the client wrote it (the transformers only shorten it); the permit is settled with the
        // usage really counted. A prompt over the window is reserved for once the features have run.
        RateLimiter.Permit permit = originalEstimate > model.contextWindow() ? RateLimiter.Permit.NONE
                : rateLimiter.acquire(route, originalEstimate);
        Session session;
        try {
            session = sessions.resolve(sessionHeader, route);
        } catch (RuntimeException e) {
            permit.release();
            if (e instanceof IllegalArgumentException) {
                throw new ProxyException(OpenAiError.badRequest(e.getMessage(), "invalid_session_id", null));
            }
            throw e;
        }
        String requestId = newRequestId();
        Instant now = clock.instant();
        TransformerChain.ChainResult features = transform(request, messages, session, requestId, route, now);
        int promptEstimate = features.changed() ? countPrompt(model, request) : originalEstimate;
        if (originalEstimate > model.contextWindow() && promptEstimate <= model.contextWindow()) {
            permit = rateLimiter.acquire(route, promptEstimate);
        }
        RequestContext context = new RequestContext(requestId, session.sessionId(), route, stream, promptEstimate,
                now, "proxy", permit, originalEstimate, features.reports());
        if (promptEstimate > model.contextWindow()) {
            OpenAiError error = new OpenAiError(413, "This request's prompt is about " + promptEstimate
                    + " tokens, more than the context window of model '" + model.key() + "' ("
                    + model.contextWindow() + " tokens). Shorten the conversation or compact it.",
                    "invalid_request_error", "context_length_exceeded", "messages", null);
            accountant.submit(context, ExchangeResult.refused(413, error, stream, arrivalNanos));
            throw new ProxyException(error);
        }
        boolean strip = false;
        request.put("model", model.upstreamModel());
        if (stream && route.provider().streamUsage()) {
            JsonNode options = request.get("stream_options");
            boolean clientAsked = options != null && options.path("include_usage").asBoolean(false);
            if (!clientAsked) {
                ObjectNode newOptions = options != null && options.isObject() ? (ObjectNode) options
                        : request.putObject("stream_options");
                newOptions.put("include_usage", true);
                strip = true;
            }
        }
        byte[] upstreamBody;
        try {
            upstreamBody = json.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("re-serialising a parsed request failed", e);
        }
        UpstreamRequest upstream = new UpstreamRequest(route, upstreamBody, headers, requestId, stream, strip,
                arrivalNanos);
        return new PreparedRequest(upstream, session.sessionId(), promptEstimate,
                result -> accountant.submit(context, result), accountant.beforeUpstream(context));
    }

    private int countPrompt(ModelConfig model, ObjectNode request) {
        try {
            return counter.countPrompt(model.encoding(), request);
        } catch (IllegalArgumentException e) {
            throw new ProxyException(OpenAiError.badRequest(e.getMessage(), "invalid_messages", "messages"));
        }
    }

    /** Runs the enabled transformers and puts their messages into the request when they changed any. */
    private TransformerChain.ChainResult transform(ObjectNode request, JsonNode messages, Session session,
            String requestId, Route route, Instant now) {
        ModelConfig model = route.model();
        TransformContext context = new TransformContext(session.sessionId(), requestId, model.key(),
                model.encoding(), model.contextWindow(), counter, now);
        TransformerChain.ChainResult result = chain.apply((ArrayNode) messages, context);
        if (result.messages() != messages) {
            request.set("messages", result.messages());
        }
        return result;
    }

    private ObjectNode parse(byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ProxyException(OpenAiError.badRequest("The request body is not valid JSON: "
                    + e.getOriginalMessage(), "invalid_json", null));
        } catch (IOException e) {
            throw new ProxyException(OpenAiError.badRequest("The request body could not be read: "
                    + e.getMessage(), "invalid_json", null));
        }
        if (!(node instanceof ObjectNode)) {
            throw new ProxyException(OpenAiError.badRequest("The request body must be a JSON object.",
                    "invalid_json", null));
        }
        return (ObjectNode) node;
    }

    /** Our own id, always unique, so a client re-using its x-request-id never clashes in the store. */
    private static String newRequestId() {
        return Ids.timeOrdered("req_");
    }
}
