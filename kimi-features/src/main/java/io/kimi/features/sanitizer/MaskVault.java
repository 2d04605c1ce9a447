package io.kimi.features.sanitizer;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.kimi.core.MaskedContent;
import io.kimi.core.store.MaskRecords;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where masked originals are kept, so {@code GET /api/mask/{hash}} can serve them back.
 *
 * <p>Recent masks stay in memory in a cache bounded by the total length of their content; each mask is also
 * written through to the {@link MaskRecords} (asynchronously: the store batches writes on its own thread) the first
 * time this vault sees its hash, or again once the cache has evicted it (the store keeps the first copy of a
 * hash, so a second write changes nothing). A failed write is logged with its stack trace and does not affect
 * the request. {@link #find} reads the cache, then the store.
 *
 * <p>Also keeps the sanitizer's per-process {@link SanitizerCounters}. Thread-safe.
 */
public final class MaskVault {
    /** Default bound of the in-memory cache, in characters of masked content. */
    public static final long DEFAULT_MAX_CACHED_CHARS = 64L << 20;

    private static final Logger log = LoggerFactory.getLogger(MaskVault.class);
    private static final int HASH_LENGTH = 32;

    private final MaskRecords store;
    private final Cache<String, MaskedContent> recent;
    private final LongAdder requestsSeen = new LongAdder();
    private final LongAdder requestsMasked = new LongAdder();
    private final LongAdder messagesMasked = new LongAdder();
    private final LongAdder tokensSaved = new LongAdder();

    public MaskVault(MaskRecords store) {
        this(store, DEFAULT_MAX_CACHED_CHARS);
    }

    /**
     * @param store where masks are persisted
     * @param maxCachedChars bound of the in-memory cache, in characters of masked content (0: no cache, every
     *     {@link #find} reads the store)
     */
    public MaskVault(MaskRecords store, long maxCachedChars) {
        this.store = requireNonNull(store, "store");
        if (maxCachedChars < 0) {
            throw new IllegalArgumentException("maxCachedChars: " + maxCachedChars + " (expected: >= 0)");
        }
        this.recent = Caffeine.newBuilder()
                .maximumWeight(maxCachedChars)
                .weigher((String hash, MaskedContent mask) -> Math.max(1, mask.content().length()))
                .executor(Runnable::run)
                .build();
    }

    /** True for a mask hash as placeholders name it: 32 hexadecimal characters (either case). */
    public static boolean isValidHash(String hash) {
        if (hash == null || hash.length() != HASH_LENGTH) {
            return false;
        }
        for (int i = 0; i < HASH_LENGTH; i++) {
            if (Character.digit(hash.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The masked content with this hash, from memory or else from the store. May block on a store read: call it
     * off the event loop.
     *
     * @throws IllegalArgumentException when {@code hash} is not {@linkplain #isValidHash valid}
     */
    public Optional<MaskedContent> find(String hash) {
        if (!isValidHash(hash)) {
            throw new IllegalArgumentException("hash: '" + hash + "' (expected: 32 hexadecimal characters)");
        }
        String key = hash.toLowerCase(Locale.ROOT);
        MaskedContent cached = recent.getIfPresent(key);
        return cached != null ? Optional.of(cached) : store.findMask(key);
    }

    /** The sanitizer's counters since this vault was created. */
    public SanitizerCounters counters() {
        return new SanitizerCounters(requestsSeen.sum(), requestsMasked.sum(), messagesMasked.sum(),
                tokensSaved.sum());
    }

    /** Keeps a mask: in memory now, and in the store unless this vault holds its hash already. Never throws. */
    void keep(MaskedContent mask) {
        if (recent.asMap().putIfAbsent(mask.hash(), mask) != null) {
            return;
        }
        try {
            store.saveMask(mask).whenComplete((ignored, error) -> {
                if (error != null) {
                    log.warn("Could not store masked content {} of session {}; it stays readable while cached",
                            mask.hash(), mask.sessionId(), error);
                }
            });
        } catch (RuntimeException e) {
            log.warn("Could not store masked content {} of session {}; it stays readable while cached",
                    mask.hash(), mask.sessionId(), e);
        }
    }

    /** Counts one request the sanitizer ran on. */
    void countRequest(int masked, long saved) {
        requestsSeen.increment();
        if (masked > 0) {
            requestsMasked.increment();
            messagesMasked.add(masked);
            tokensSaved.add(saved);
        }
    }
}
