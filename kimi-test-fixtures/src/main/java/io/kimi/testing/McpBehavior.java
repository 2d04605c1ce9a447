package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

/**
 * How {@link FakeMcpServer} answers one JSON-RPC request: immutable, built by a static factory and
 * refined by {@link #delayed(Duration)}.
 *
 * <p>Every JSON-RPC reply keeps the request's {@code id}. A request without an {@code id} (a
 * notification) gets {@code 202 Accepted} with an empty body from the JSON-RPC behaviours, as the
 * MCP Streamable HTTP transport answers notifications; the raw HTTP behaviours ({@link #garbage()},
 * {@link #httpStatus}) answer it like any other request. A body that is not JSON gets a JSON-RPC
 * {@code -32700} parse error with HTTP 400.
 */
public final class McpBehavior {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Function<RecordedRequest, Reply> reply;
  private final Duration delay;
  private final String description;

  private McpBehavior(Function<RecordedRequest, Reply> reply, Duration delay, String description) {
    this.reply = reply;
    this.delay = delay;
    this.description = description;
  }

  /** Answers with {@code result} = the request's {@code params} ({@code {}} when absent). */
  public static McpBehavior echo() {
    return rpc(
        request -> {
          JsonNode params = request.get("params");
          return result(request, params == null ? NODES.objectNode() : params.deepCopy());
        },
        "echo");
  }

  /**
   * Answers like an MCP {@code tools/call}: {@code result = {"content":[{"type":"text","text":
   * text}],"isError":false}}, whatever the method.
   */
  public static McpBehavior toolResult(String text) {
    requireNonNull(text, "text");
    return rpc(
        request -> result(request, toolContent(text)), "toolResult(" + text.length() + " chars)");
  }

  /**
   * Answers with {@code result} = {@code resultJson} parsed.
   *
   * @throws IllegalArgumentException when {@code resultJson} is not JSON
   */
  public static McpBehavior result(String resultJson) {
    requireNonNull(resultJson, "resultJson");
    JsonNode parsed;
    try {
      parsed = JSON.readTree(resultJson);
    } catch (IOException e) {
      throw new IllegalArgumentException("resultJson: not JSON (" + e.getMessage() + ")", e);
    }
    return rpc(request -> result(request, parsed.deepCopy()), "result");
  }

  /**
   * Answers a {@code tools/call}-shaped result whose text is {@code bytes} ASCII characters long
   * (so the whole reply is somewhat larger than {@code bytes}).
   */
  public static McpBehavior hugeResult(int bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes: " + bytes + " (expected: >= 0)");
    }
    return rpc(
        request -> result(request, toolContent(filler(bytes))), "hugeResult(" + bytes + " bytes)");
  }

  /** Answers with a JSON-RPC error object {@code {"code":code,"message":message}}, HTTP 200. */
  public static McpBehavior jsonRpcError(int code, String message) {
    requireNonNull(message, "message");
    return rpc(
        request -> {
          ObjectNode error = NODES.objectNode().put("code", code).put("message", message);
          return reply(request).set("error", error);
        },
        "jsonRpcError(" + code + ")");
  }

  /** Answers HTTP 200 with an HTML body that is not JSON. */
  public static McpBehavior garbage() {
    return raw(
        request ->
            Reply.json(200, "<html><body>502 Bad Gateway, or so</body></html>")
                .header("Content-Type", "text/html; charset=utf-8"),
        "garbage");
  }

  /** Answers HTTP {@code status} (200-599) with a short plain-text body. */
  public static McpBehavior httpStatus(int status) {
    return httpStatus(status, "upstream says " + status);
  }

  /** Answers HTTP {@code status} (200-599) with {@code body} as plain text. */
  public static McpBehavior httpStatus(int status, String body) {
    requireNonNull(body, "body");
    Reply fixed = Reply.json(status, body).header("Content-Type", "text/plain; charset=utf-8");
    return raw(request -> fixed, "httpStatus(" + status + ")");
  }

  /**
   * Answers like {@link #echo()}, but as the MCP Streamable HTTP transport may: a {@code
   * text/event-stream} body holding a {@code notifications/progress} event, then the response
   * event.
   */
  public static McpBehavior eventStream() {
    McpBehavior echo = echo();
    return raw(
        request -> {
          JsonNode json = jsonObject(request);
          if (json == null || !json.has("id")) {
            return echo.replyTo(request);
          }
          JsonNode params = json.get("params");
          String progress =
              "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
                  + "\"params\":{\"progress\":1}}";
          String response =
              result(json, params == null ? NODES.objectNode() : params.deepCopy()).toString();
          String body =
              "event: message\ndata: "
                  + progress
                  + "\n\nevent: message\ndata: "
                  + response
                  + "\n\n";
          return Reply.json(200, body).header("Content-Type", "text/event-stream");
        },
        "eventStream");
  }

  /**
   * The same answer with one more response header, such as {@code Mcp-Session-Id}. Content-Length
   * and Transfer-Encoding cannot be set.
   */
  public McpBehavior withHeader(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    Function<RecordedRequest, Reply> base = reply;
    return new McpBehavior(
        request -> base.apply(request).header(name, value),
        delay,
        description + ".withHeader(" + name + ")");
  }

  /** The same answer, sent only after {@code delay} (a slow server). */
  public McpBehavior delayed(Duration delay) {
    requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
    }
    return new McpBehavior(reply, delay, description);
  }

  @Override
  public String toString() {
    return "McpBehavior." + description + (delay.isZero() ? "" : ".delayed(" + delay + ")");
  }

  /** The scripted reply to {@code request}; called on the fake's event loop. */
  Reply replyTo(RecordedRequest request) {
    Reply answer = reply.apply(request);
    return delay.isZero() ? answer : answer.initialDelay(delay);
  }

  // ---- helpers ----

  private static McpBehavior raw(Function<RecordedRequest, Reply> reply, String description) {
    return new McpBehavior(reply, Duration.ZERO, description);
  }

  /** A JSON-RPC behaviour: parses the request, answers notifications with 202. */
  private static McpBehavior rpc(Function<JsonNode, ObjectNode> answer, String description) {
    return raw(
        request -> {
          JsonNode json = jsonObject(request);
          if (json == null) {
            ObjectNode error =
                NODES.objectNode().put("code", -32700).put("message", "Parse error");
            ObjectNode body = NODES.objectNode().put("jsonrpc", "2.0");
            body.set("id", NullNode.getInstance());
            body.set("error", error);
            return Reply.json(400, body.toString());
          }
          if (!json.has("id")) {
            return Reply.json(202, "");
          }
          return Reply.json(200, answer.apply(json).toString());
        },
        description);
  }

  /**
   * The request's body as a JSON object, or {@code null} when it is not one (not JSON, or another
   * JSON value): each behaviour then gives its own answer to a body it cannot read.
   */
  private static JsonNode jsonObject(RecordedRequest request) {
    JsonNode json;
    try {
      json = JSON.readTree(request.body());
    } catch (IOException notJson) {
      return null;
    }
    return json != null && json.isObject() ? json : null;
  }

  private static ObjectNode reply(JsonNode request) {
    ObjectNode body = NODES.objectNode().put("jsonrpc", "2.0");
    body.set("id", request.get("id").deepCopy());
    return body;
  }

  private static ObjectNode result(JsonNode request, JsonNode result) {
    ObjectNode body = reply(request);
    body.set("result", result);
    return body;
  }

  private static ObjectNode toolContent(String text) {
    ObjectNode result = NODES.objectNode();
    result.putArray("content").addObject().put("type", "text").put("text", text);
    result.put("isError", false);
    return result;
  }

  private static String filler(int bytes) {
    StringBuilder s = new StringBuilder(bytes);
    String line = "line of a very large tool output, repeated to fill the result. ";
    while (s.length() < bytes) {
      s.append(line, 0, Math.min(line.length(), bytes - s.length()));
    }
    return s.toString();
  }
}
