package io.kimi.testing;

/**
 * Token usage a fake reply reports.
 *
 * @param promptTokens tokens of the prompt, at least 0
 * @param completionTokens tokens of the completion, at least 0
 * @param cachedTokens how many of the prompt tokens were served from the provider's cache, between 0
 *     and {@code promptTokens}
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {

  /** Checks the counts. */
  public Usage {
    if (promptTokens < 0) {
      throw new IllegalArgumentException("promptTokens: " + promptTokens + " (expected: >= 0)");
    }
    if (completionTokens < 0) {
      throw new IllegalArgumentException(
          "completionTokens: " + completionTokens + " (expected: >= 0)");
    }
    if (cachedTokens < 0 || cachedTokens > promptTokens) {
      throw new IllegalArgumentException(
          "cachedTokens: " + cachedTokens + " (expected: 0-" + promptTokens + ")");
    }
  }

  /** Usage with no cached tokens. */
  public static Usage of(int promptTokens, int completionTokens) {
    return new Usage(promptTokens, completionTokens, 0);
  }

  /** Prompt plus completion tokens, as the provider's {@code total_tokens}. */
  public int totalTokens() {
    return promptTokens + completionTokens;
  }
}
