package io.kimi.core.store;

/**
 * What the stored masks hold.
 *
 * @param masks distinct masked contents
 * @param originalTokens their tokens as the client sent them
 * @param placeholderTokens the tokens of the placeholders sent instead
 */
public record MaskStats(long masks, long originalTokens, long placeholderTokens) {
    public static final MaskStats EMPTY = new MaskStats(0, 0, 0);

    public long savedTokens() {
        return originalTokens - placeholderTokens;
    }
}
