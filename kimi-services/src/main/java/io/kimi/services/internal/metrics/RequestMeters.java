package io.kimi.services.internal.metrics;

import static java.util.Objects.requireNonNull;

import io.kimi.core.RequestRecord;
import io.kimi.core.RequestStatus;
import io.kimi.core.TokenUsage;
import io.kimi.core.UsageSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
    /**
     * The meters of each label set met so far, looked up once each: building and registering a meter's id for
     * every request cost about 2 KB and several microseconds. As many entries as the registry has meters (the
     * labels are the configured providers and models, statuses, and the bounded error codes); meters are never
     * removed from the registry.
     */
    private final Map<ModelKey, ModelMeters> byModel = new ConcurrentHashMap<>();
    private final Map<String, ProviderMeters> byProvider = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();

    RequestMeters(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    void record(RequestRecord r, long sentNanos) {
        requireNonNull(r, "r");
        ModelMeters model = byModel.computeIfAbsent(
                new ModelKey(r.provider(), r.model(), r.status(), r.stream(), r.usageSource()), this::modelMeters);
        model.requests.increment();
        TokenUsage used = r.effective();
        model.tokens(Kind.PROMPT, used.promptTokens());
        model.tokens(Kind.COMPLETION, used.completionTokens());
        model.tokens(Kind.CACHED, used.cachedPromptTokens());
        if (r.costUsd() > 0) {
            model.cost().increment(r.costUsd());
        }
        if (r.status() == RequestStatus.ERROR) {
            errors.computeIfAbsent(errorType(r.errorType()), type -> Counter.builder(ServerMetrics.ERRORS)
                    .description("Requests that ended in an error, by error code")
                    .baseUnit("errors")
                    .tag("type", type)
                    .register(registry)).increment();
        }
        ProviderMeters provider = byProvider.computeIfAbsent(r.provider(), this::providerMeters);
        if (r.status() == RequestStatus.MALFORMED_REPLY) {
            provider.malformed().increment();
        }
        if (sentNanos < 0) {
            return;
        }
        provider.latency().record(r.latencyMs(), TimeUnit.MILLISECONDS);
        if (r.ttftMs() >= 0) {
            provider.ttft().record(r.ttftMs(), TimeUnit.MILLISECONDS);
        }
        provider.overhead().record(sentNanos, TimeUnit.NANOSECONDS);
    }

    /** The labels of the per-model meters. */
    private record ModelKey(String provider, String model, RequestStatus status, boolean stream, UsageSource source) {
    }

    private enum Kind {
        PROMPT, COMPLETION, CACHED;

        final String label = name().toLowerCase(Locale.ROOT);
    }

    private ModelMeters modelMeters(ModelKey key) {
        Tags model = Tags.of("provider", key.provider(), "model", key.model());
        Counter requests = Counter.builder(ServerMetrics.REQUESTS)
                .description("Proxied chat completions, by how they ended")
                .baseUnit("requests")
                .tags(model)
                .tag("status", key.status().wireName())
                .tag("stream", Boolean.toString(key.stream()))
                .register(registry);
        return new ModelMeters(model, key.source().wireName(), requests);
    }

    /**
     * The meters of one label set; the token and cost counters are registered on their first non-zero amount, as
     * before (a series appears once it has something to count).
     */
    private final class ModelMeters {
        private final Tags model;
        private final String source;
        private final Counter requests;
        private final Counter[] tokens = new Counter[Kind.values().length];
        private Counter cost;

        ModelMeters(Tags model, String source, Counter requests) {
            this.model = model;
            this.source = source;
            this.requests = requests;
        }

        void tokens(Kind kind, int amount) {
            if (amount <= 0) {
                return;
            }
            Counter counter = tokens[kind.ordinal()];
            if (counter == null) {
                // Registering again returns the same counter: a race here only looks it up twice.
                counter = Counter.builder(ServerMetrics.TOKENS)
                        .description("Tokens counted in sessions (cached tokens are a part of prompt tokens)")
                        .baseUnit("tokens")
                        .tags(model)
                        .tag("kind", kind.label)
                        .tag("source", source)
                        .register(registry);
                tokens[kind.ordinal()] = counter;
            }
            counter.increment(amount);
        }

        Counter cost() {
            if (cost == null) {
                cost = Counter.builder(ServerMetrics.COST)
                        .description("Cost of the counted tokens at the configured prices")
                        .baseUnit("usd")
                        .tags(model)
                        .register(registry);
            }
            return cost;
        }
    }

    private ProviderMeters providerMeters(String name) {
        return new ProviderMeters(name, Tags.of("provider", name));
    }

    /** The per-provider meters; the timers are registered when first needed (a request that was sent). */
    private final class ProviderMeters {
        private final String name;
        private final Tags tags;
        private Counter malformed;
        private Timer latency;
        private Timer ttft;
        private Timer overhead;

        ProviderMeters(String name, Tags tags) {
            this.name = name;
            this.tags = tags;
        }

        Counter malformed() {
            if (malformed == null) {
                malformed = Counter.builder(ServerMetrics.MALFORMED)
                        .description("Replies of 2xx that were not chat completions (not JSON, JSON without choices,"
                                + " a stream event that is not JSON), relayed unchanged")
                        .baseUnit("replies")
                        .tag("provider", name)
                        .register(registry);
            }
            return malformed;
        }

        Timer latency() {
            if (latency == null) {
                latency = timer(ServerMetrics.LATENCY, "Time from a request's arrival to the last byte sent to the"
                        + " client", tags, Duration.ofMillis(1), Duration.ofMinutes(10));
            }
            return latency;
        }

        Timer ttft() {
            if (ttft == null) {
                ttft = timer(ServerMetrics.TTFT, "Time from a request's arrival to the first byte of the provider's"
                        + " reply", tags, Duration.ofMillis(1), Duration.ofMinutes(10));
            }
            return ttft;
        }

        Timer overhead() {
            if (overhead == null) {
                overhead = timer(ServerMetrics.OVERHEAD, "Time from a request's arrival until it was written to the"
                        + " provider (parsing, counting, connecting, retries)", tags, Duration.ofNanos(50_000),
                        Duration.ofMinutes(1));
            }
            return overhead;
        }
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
