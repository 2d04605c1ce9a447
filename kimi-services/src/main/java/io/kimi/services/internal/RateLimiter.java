package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.kimi.config.KimiConfig;
import io.kimi.config.ProviderConfig;
import io.kimi.config.RateLimit;
import io.kimi.proxy.OpenAiError;
import io.kimi.proxy.ProxyException;
import io.kimi.proxy.Route;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-provider rate limits from {@code [providers.<key>]} ({@code requests_per_minute},
 * {@code tokens_per_minute}), as token buckets (Bucket4j) that refill continuously: a full minute's allowance
 * is available at once, and it comes back at the configured rate.
 *
 * <p>{@link #acquire} takes one request and the prompt estimate before a request is sent, or refuses it with a
 * 429 {@link ProxyException} carrying {@code Retry-After}. Once the exchange is counted, {@link Permit#settle}
 * corrects the tokens with the usage that counts (prompt + completion): the extra is taken, a surplus is given
 * back. Time comes from the injected {@link Clock}. Thread-safe; one per server.
 */
public final class RateLimiter {
    private static final Duration PERIOD = Duration.ofMinutes(1);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final List<String> providers;
    private final Map<String, ProviderLimit> limits;

    public RateLimiter(KimiConfig config, Clock clock) {
        requireNonNull(config, "config");
        TimeMeter time = new ClockTimeMeter(requireNonNull(clock, "clock"));
        this.providers = List.copyOf(config.providers().keySet());
        Map<String, ProviderLimit> byKey = new LinkedHashMap<>();
        for (ProviderConfig p : config.providers().values()) {
            if (p.rateLimit().isLimited()) {
                byKey.put(p.key(), new ProviderLimit(p.key(), p.rateLimit(), time));
            }
        }
        this.limits = Map.copyOf(byKey);
    }

    /**
     * Takes one request and {@code promptEstimate} tokens from the route's provider, or refuses.
     *
     * @return the permit to {@linkplain Permit#settle settle} once the usage is known ({@link Permit#NONE} for an
     *     unlimited provider)
     * @throws ProxyException 429, type {@code rate_limit_error}, code {@code rate_limit_exceeded}, with
     *     {@code Retry-After}, when the provider's limit is reached; nothing is taken then
     */
    public Permit acquire(Route route, int promptEstimate) {
        requireNonNull(route, "route");
        if (promptEstimate < 0) {
            throw new IllegalArgumentException("promptEstimate: " + promptEstimate + " (expected: >= 0)");
        }
        ProviderLimit limit = limits.get(route.provider().key());
        return limit == null ? Permit.NONE : limit.acquire(promptEstimate);
    }

    /** Every configured provider's limits and what is available now, in configuration order. */
    public List<RateLimitUsage> usage() {
        List<RateLimitUsage> usage = new ArrayList<>(providers.size());
        for (String provider : providers) {
            ProviderLimit limit = limits.get(provider);
            usage.add(limit == null ? RateLimitUsage.unlimited(provider) : limit.usage());
        }
        return usage;
    }

    /**
     * What one request took from its provider's limits. {@link #settle} corrects the tokens once the usage is
     * known; {@link #release} gives everything back when the request is not sent after all. Only the first of
     * these calls has an effect.
     */
    public static final class Permit {
        /** The permit of a request to an unlimited provider: settling it does nothing. */
        public static final Permit NONE = new Permit(null, 0);

        private final ProviderLimit limit;
        private final long reservedTokens;
        private final AtomicBoolean done = new AtomicBoolean();

        private Permit(ProviderLimit limit, long reservedTokens) {
            this.limit = limit;
            this.reservedTokens = reservedTokens;
        }

        /** The tokens taken before sending (the prompt estimate, when the provider has a token limit). */
        public long reservedTokens() {
            return reservedTokens;
        }

        /**
         * Corrects the token bucket with the tokens the request really used: takes what was used beyond the
         * reservation (as far as tokens are left: never below zero), or gives back what was reserved but not used
         * (never beyond the limit).
         */
        public void settle(long usedTokens) {
            if (usedTokens < 0) {
                throw new IllegalArgumentException("usedTokens: " + usedTokens + " (expected: >= 0)");
            }
            if (limit != null && done.compareAndSet(false, true)) {
                limit.adjustTokens(usedTokens - reservedTokens);
            }
        }

        /** Gives the request and its reserved tokens back: for a request refused before it was sent. */
        public void release() {
            if (limit != null && done.compareAndSet(false, true)) {
                limit.release(reservedTokens);
            }
        }

        @Override
        public String toString() {
            return limit == null ? "Permit[none]" : "Permit[" + limit.provider + ", " + reservedTokens + " tokens]";
        }
    }

    /** One provider's buckets. Every access holds this object's lock, so both are checked and taken together. */
    private static final class ProviderLimit {
        private final String provider;
        private final RateLimit limit;
        private final Bucket requests;
        private final Bucket tokens;

        ProviderLimit(String provider, RateLimit limit, TimeMeter time) {
            this.provider = provider;
            this.limit = limit;
            this.requests = limit.requestsPerMinute() > 0 ? bucket(limit.requestsPerMinute(), time) : null;
            this.tokens = limit.tokensPerMinute() > 0 ? bucket(limit.tokensPerMinute(), time) : null;
        }

        private static Bucket bucket(long perMinute, TimeMeter time) {
            return Bucket.builder()
                    .addLimit(b -> b.capacity(perMinute).refillGreedy(perMinute, PERIOD))
                    .withCustomTimePrecision(time)
                    .build();
        }

        synchronized Permit acquire(int promptEstimate) {
            long needed = tokens != null ? promptEstimate : 0;
            if (needed > limit.tokensPerMinute() && tokens != null) {
                throw tooLarge(promptEstimate);
            }
            EstimationProbe r = requests != null ? requests.estimateAbilityToConsume(1) : null;
            EstimationProbe t = needed > 0 ? tokens.estimateAbilityToConsume(needed) : null;
            boolean requestsOk = r == null || r.canBeConsumed();
            boolean tokensOk = t == null || t.canBeConsumed();
            if (!requestsOk || !tokensOk) {
                throw refusal(requestsOk ? null : r, tokensOk ? null : t, needed);
            }
            // Both estimates were positive under this lock, and buckets only refill meanwhile.
            if (r != null) {
                requests.consumeIgnoringRateLimits(1);
            }
            if (t != null) {
                tokens.consumeIgnoringRateLimits(needed);
            }
            return new Permit(this, needed);
        }

        synchronized void adjustTokens(long delta) {
            if (tokens == null || delta == 0) {
                return;
            }
            if (delta > 0) {
                tokens.tryConsumeAsMuchAsPossible(delta);
            } else {
                tokens.addTokens(-delta);
            }
        }

        synchronized void release(long reservedTokens) {
            if (requests != null) {
                requests.addTokens(1);
            }
            if (tokens != null && reservedTokens > 0) {
                tokens.addTokens(reservedTokens);
            }
        }

        synchronized RateLimitUsage usage() {
            return new RateLimitUsage(provider,
                    requests != null ? limit.requestsPerMinute() : null,
                    tokens != null ? limit.tokensPerMinute() : null,
                    requests != null ? requests.getAvailableTokens() : null,
                    tokens != null ? Math.max(0, tokens.getAvailableTokens()) : null,
                    true);
        }

        private ProxyException refusal(EstimationProbe requestsRefused, EstimationProbe tokensRefused, long needed) {
            long waitNanos = 0;
            List<String> reached = new ArrayList<>(2);
            if (requestsRefused != null) {
                waitNanos = requestsRefused.getNanosToWaitForRefill();
                reached.add(limit.requestsPerMinute() + " requests per minute");
            }
            if (tokensRefused != null) {
                waitNanos = Math.max(waitNanos, tokensRefused.getNanosToWaitForRefill());
                reached.add(limit.tokensPerMinute() + " tokens per minute (this request needs about " + needed
                        + ", " + Math.max(0, tokensRefused.getRemainingTokens()) + " are left)");
            }
            long seconds = Math.max(1, (waitNanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
            String message = "Rate limit reached for provider '" + provider + "': " + String.join(" and ", reached)
                    + ". Retry in " + seconds + " s. The limit is set by requests_per_minute and tokens_per_minute"
                    + " in [providers." + provider + "] of this proxy's configuration.";
            return new ProxyException(new OpenAiError(429, message, "rate_limit_error", "rate_limit_exceeded", null,
                    Long.toString(seconds)));
        }

        /** A prompt larger than a whole minute's tokens can never pass: no Retry-After, since waiting is useless. */
        private ProxyException tooLarge(int promptEstimate) {
            String message = "This request's prompt is about " + promptEstimate + " tokens, more than provider '"
                    + provider + "' may receive in a minute (tokens_per_minute = " + limit.tokensPerMinute()
                    + " in [providers." + provider + "] of this proxy's configuration): it can never pass. "
                    + "Shorten or compact the conversation, or raise the limit.";
            return new ProxyException(new OpenAiError(429, message, "rate_limit_error", "rate_limit_exceeded",
                    "messages", null));
        }
    }

    /** Bucket4j's time source, read from the injected clock (so tests move time instead of sleeping). */
    private record ClockTimeMeter(Clock clock) implements TimeMeter {
        @Override
        public long currentTimeNanos() {
            Instant now = clock.instant();
            return now.getEpochSecond() * NANOS_PER_SECOND + now.getNano();
        }

        @Override
        public boolean isWallClockBased() {
            return true;
        }
    }
}
