package io.kimi.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the JSON documents an OpenAI-compatible provider sends, shaped like the real ones. */
final class OpenAiJson {

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiJson.class);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The model reported when the request names none. */
  static final String DEFAULT_MODEL = "fake-model";

  private OpenAiJson() {}

  /** A non-streaming {@code chat.completion} answering {@code request} with {@code content}. */
  static String chatCompletion(RecordedRequest request, String content, Usage usage) {
    ObjectNode root = header("chatcmpl-", "chat.completion", model(request));
    ObjectNode choice = root.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    message.put("content", content);
    choice.putNull("logprobs");
    choice.put("finish_reason", "stop");
    root.set("usage", openAiUsage(usage));
    root.put("system_fingerprint", "fp_fake");
    return root.toString();
  }

  /**
   * The {@code data:} payloads of a streamed completion, one {@code chat.completion.chunk} per delta
   * (the first also carries the role, the last {@code finish_reason: "stop"}), with usage reported in
   * {@code style}. Without deltas there is one chunk with an empty delta.
   */
  static List<String> completionChunks(
      RecordedRequest request, List<String> deltas, Usage usage, UsageStyle style) {
    String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    long created = System.currentTimeMillis() / 1000;
    String model = model(request);
    boolean openAiUsage = style == UsageStyle.OPENAI && usage != null && includeUsage(request);
    boolean moonshotUsage = style == UsageStyle.MOONSHOT && usage != null;
    int count = Math.max(1, deltas.size());
    List<String> payloads = new ArrayList<>(count + 1);
    for (int i = 0; i < count; i++) {
      ObjectNode chunk = chunk(id, created, model);
      ObjectNode choice = chunk.putArray("choices").addObject();
      choice.put("index", 0);
      ObjectNode delta = choice.putObject("delta");
      if (i == 0) {
        delta.put("role", "assistant");
      }
      if (i < deltas.size()) {
        delta.put("content", deltas.get(i));
      }
      choice.putNull("logprobs");
      boolean last = i == count - 1;
      if (last) {
        choice.put("finish_reason", "stop");
      } else {
        choice.putNull("finish_reason");
      }
      if (last && moonshotUsage) {
        choice.set("usage", moonshotUsage(usage));
      }
      if (openAiUsage) {
        chunk.putNull("usage");
      }
      payloads.add(chunk.toString());
    }
    if (openAiUsage) {
      ObjectNode chunk = chunk(id, created, model);
      chunk.putArray("choices");
      chunk.set("usage", openAiUsage(usage));
      payloads.add(chunk.toString());
    }
    return List.copyOf(payloads);
  }

  /** OpenAI's error document: {@code {"error":{"message","type","param","code"}}}. */
  static String error(int status, String message) {
    ObjectNode root = NODES.objectNode();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", errorType(status));
    error.putNull("param");
    String code = errorCode(status);
    if (code == null) {
      error.putNull("code");
    } else {
      error.put("code", code);
    }
    return root.toString();
  }

  private static String errorType(int status) {
    if (status == 429) {
      return "requests";
    }
    if (status >= 500) {
      return "server_error";
    }
    return "invalid_request_error";
  }

  private static String errorCode(int status) {
    return switch (status) {
      case 401 -> "invalid_api_key";
      case 404 -> "model_not_found";
      case 429 -> "rate_limit_exceeded";
      default -> null;
    };
  }

  private static ObjectNode header(String idPrefix, String object, String model) {
    ObjectNode root = NODES.objectNode();
    root.put("id", idPrefix + UUID.randomUUID().toString().replace("-", ""));
    root.put("object", object);
    root.put("created", System.currentTimeMillis() / 1000);
    root.put("model", model);
    return root;
  }

  private static ObjectNode chunk(String id, long created, String model) {
    ObjectNode chunk = NODES.objectNode();
    chunk.put("id", id);
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", created);
    chunk.put("model", model);
    chunk.put("system_fingerprint", "fp_fake");
    return chunk;
  }

  private static ObjectNode openAiUsage(Usage usage) {
    ObjectNode node = totals(usage);
    ObjectNode promptDetails = node.putObject("prompt_tokens_details");
    promptDetails.put("cached_tokens", usage.cachedTokens());
    promptDetails.put("audio_tokens", 0);
    ObjectNode completionDetails = node.putObject("completion_tokens_details");
    completionDetails.put("reasoning_tokens", 0);
    completionDetails.put("audio_tokens", 0);
    return node;
  }

  private static ObjectNode moonshotUsage(Usage usage) {
    ObjectNode node = totals(usage);
    node.put("cached_tokens", usage.cachedTokens());
    return node;
  }

  /** The three counts every provider's {@code usage} starts with; each adds its cached-token field. */
  private static ObjectNode totals(Usage usage) {
    ObjectNode node = NODES.objectNode();
    node.put("prompt_tokens", usage.promptTokens());
    node.put("completion_tokens", usage.completionTokens());
    node.put("total_tokens", usage.totalTokens());
    return node;
  }

  /** The request's {@code model}, or {@link #DEFAULT_MODEL} when absent or the body is not JSON. */
  static String model(RecordedRequest request) {
    JsonNode model = json(request).path("model");
    return model.isTextual() ? model.asText() : DEFAULT_MODEL;
  }

  /** Whether the request asked for usage in the stream, as OpenAI requires. */
  static boolean includeUsage(RecordedRequest request) {
    return json(request).path("stream_options").path("include_usage").asBoolean(false);
  }

  private static JsonNode json(RecordedRequest request) {
    try {
      return request.bodyAsJson();
    } catch (UncheckedIOException e) {
      LOG.debug("Request body is not JSON; answering with defaults: {}", request, e);
      return NODES.missingNode();
    }
  }
}
