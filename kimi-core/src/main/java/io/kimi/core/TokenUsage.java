package io.kimi.core;

/**
 * Token counts of one request, as a provider reports them ({@code usage}) or as we estimate them.
 *
 * @param promptTokens tokens in the prompt, including cached ones
 * @param completionTokens tokens generated
 * @param cachedPromptTokens prompt tokens served from the provider's cache (0 when unknown)
 */
public record TokenUsage(int promptTokens, int completionTokens, int cachedPromptTokens) {

    public static final TokenUsage ZERO = new TokenUsage(0, 0, 0);

    public TokenUsage {
        if (promptTokens < 0 || completionTokens < 0 || cachedPromptTokens < 0) {
            throw new IllegalArgumentException("token counts must be >= 0: prompt=" + promptTokens
                    + ", completion=" + completionTokens + ", cached=" + cachedPromptTokens);
        }
    }

    public int totalTokens() {
        return promptTokens + completionTokens;
    }
}
