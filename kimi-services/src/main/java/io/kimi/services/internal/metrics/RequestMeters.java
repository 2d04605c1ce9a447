package io.kimi.services.internal.metrics;

import static java.util.Objects.requireNonNull;

import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.TokenUsage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The meters of recorded requests ({@link ServerMetrics#recordRequest}): requests by how they ended, tokens by
 * kind and source, cost, errors by a bounded set of codes, malformed replies, and the latency, time-to-first-byte
 * and overhead timers.
 */
final class RequestMeters {
    /**
     * The error codes that label {@code kimi.proxy.errors} as they are: ours, and the common ones of OpenAI-style
     * providers. Codes come from providers too, and a provider may send anything (a request id, an echoed
     * credential): any other code is counted as {@code other}, so the label has a bounded set of values.
     */
    static final Set<String> KNOWN_ERROR_CODES = Set.of(
            // ours
            "upstream_timeout", "upstream_unreachable", "upstream_connection_reset", "upstream_disconnected",
            "upstream_tls_failed", "upstream_reply_too_large", "upstream_event_too_large", "provider_key_missing",
            "provider_not_configured",
            "context_length_exceeded", "rate_limit_exceeded", "model_not_found", "log_error",
            // OpenAI-style providers'
            "invalid_api_key", "insufficient_quota", "server_error", "invalid_request_error", "invalid_value",
            "invalid_type", "missing_required_parameter", "unsupported_value", "unsupported_parameter",
            "content_filter", "content_policy_violation", "model_overloaded", "engine_overloaded",
            "service_unavailable", "authentication_error", "permission_denied", "rate_limit_error",
            "string_above_max_length", "tokens_exceeded", "quota_exceeded", "resource_exhausted",
            "invalid_argument", "unauthenticated", "internal", "unavailable", "deadline_exceeded", "not_found");
    /** Our code for a provider's error that had none: {@code upstream_} and its HTTP status. */
    private static final Pattern UPSTREAM_STATUS_CODE = Pattern.compile("upstream_[1-5][0-9][0-9]");

    private final MeterRegistry registry;

    RequestMeters(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    void record(RequestRecord r, long sentNanos) {
        requireNonNull(r, "r");
        Tags model = Tags.of("provider", r.provider(), "model", r.model());
        Counter.builder(ServerMetrics.REQUESTS)
                .description("Proxied chat completions, by how they ended")
                .baseUnit("requests")
                .tags(model)
                .tag("status", r.status().wireName())
                .tag("stream", Boolean.toString(r.stream()))
                .register(registry)
                .increment();
        TokenUsage used = r.effective();
        String source = r.usageSource().wireName();
        tokens(model, "prompt", source, used.promptTokens());
        tokens(model, "completion", source, used.completionTokens());
        tokens(model, "cached", source, used.cachedPromptTokens());
        if (r.costUsd() > 0) {
            Counter.builder(ServerMetrics.COST)
                    .description("Cost of the counted tokens at the configured prices")
                    .baseUnit("usd")
                    .tags(model)
                    .register(registry)
                    .increment(r.costUsd());
        }
        if (r.status() == RequestStatus.ERROR) {
            Counter.builder(ServerMetrics.ERRORS)
                    .description("Requests that ended in an error, by error code")
                    .baseUnit("errors")
                    .tag("type", errorType(r.errorType()))
                    .register(registry)
                    .increment();
        }
        if (r.status() == RequestStatus.MALFORMED_REPLY) {
            Counter.builder(ServerMetrics.MALFORMED)
                    .description("Replies of 2xx that were not chat completions (not JSON, JSON without choices, a"
                            + " stream event that is not JSON), relayed unchanged")
                    .baseUnit("replies")
                    .tag("provider", r.provider())
                    .register(registry)
                    .increment();
        }
        if (sentNanos < 0) {
            return;
        }
        Tags provider = Tags.of("provider", r.provider());
        timer(ServerMetrics.LATENCY, "Time from a request's arrival to the last byte sent to the client", provider,
                Duration.ofMillis(1), Duration.ofMinutes(10))
                .record(r.latencyMs(), TimeUnit.MILLISECONDS);
        if (r.ttftMs() >= 0) {
            timer(ServerMetrics.TTFT, "Time from a request's arrival to the first byte of the provider's reply", provider,
                    Duration.ofMillis(1), Duration.ofMinutes(10))
                    .record(r.ttftMs(), TimeUnit.MILLISECONDS);
        }
        timer(ServerMetrics.OVERHEAD, "Time from a request's arrival until it was written to the provider"
                + " (parsing, counting, connecting, retries)", provider, Duration.ofNanos(50_000), Duration.ofMinutes(1))
                .record(sentNanos, TimeUnit.NANOSECONDS);
    }

    private void tokens(Tags model, String kind, String source, int amount) {
        if (amount <= 0) {
            return;
        }
        Counter.builder(ServerMetrics.TOKENS)
                .description("Tokens counted in sessions (cached tokens are a part of prompt tokens)")
                .baseUnit("tokens")
                .tags(model)
                .tag("kind", kind)
                .tag("source", source)
                .register(registry)
                .increment(amount);
    }

    private Timer timer(String name, String description, Tags tags, Duration min, Duration max) {
        return Timer.builder(name)
                .description(description)
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(min)
                .maximumExpectedValue(max)
                .register(registry);
    }

    /**
     * The error code as a label value from a bounded set: the code (lower case) when it is known or {@code
     * upstream_<status>}, {@code unknown} when there is none, else {@code other}.
     */
    static String errorType(String code) {
        if (code == null || code.isBlank()) {
            return "unknown";
        }
        String lower = code.strip().toLowerCase(Locale.ROOT);
        return KNOWN_ERROR_CODES.contains(lower) || UPSTREAM_STATUS_CODE.matcher(lower).matches() ? lower : "other";
    }
}
