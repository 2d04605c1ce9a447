package io.kimi.testing;

/** How a streamed completion built by {@link Reply#streamingCompletion} reports token usage. */
public enum UsageStyle {
  /**
   * As OpenAI does: only when the request body has {@code stream_options.include_usage=true}, one
   * extra chunk after the last content chunk, with {@code "choices":[]} and {@code "usage":{...}}
   * (cached tokens in {@code usage.prompt_tokens_details.cached_tokens}); the other chunks then carry
   * {@code "usage":null}.
   */
  OPENAI,
  /**
   * As Moonshot (Kimi) does: always, as {@code choices[0].usage} of the last chunk, the one with
   * {@code finish_reason} (cached tokens in {@code usage.cached_tokens}).
   */
  MOONSHOT,
  /** Never: the stream carries no usage at all. */
  NONE
}
