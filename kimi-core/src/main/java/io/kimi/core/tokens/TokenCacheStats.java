package io.kimi.core.tokens;

/**
 * How well the per-message count cache of a {@link TokenCounter} works.
 *
 * @param hitCount counts answered from the cache
 * @param missCount counts that had to tokenize (one per new message or tool definition)
 * @param evictionCount entries dropped to stay under the size bound
 * @param entries entries cached now
 * @param cachedChars total weight cached now: the characters of the cached messages' JSON text
 */
public record TokenCacheStats(long hitCount, long missCount, long evictionCount, long entries, long cachedChars) {
}
