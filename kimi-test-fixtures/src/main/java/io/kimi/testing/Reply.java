package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One scripted answer of {@link FakeUpstream}: immutable, built by a static factory and refined by
 * methods that return a new {@code Reply}.
 *
 * <p>Three kinds exist: fixed-length replies ({@link #json}, {@link #chatCompletion}, {@link
 * #status}), event streams ({@link #sse}, {@link #streamingCompletion}) and {@link #hang()}. Timing
 * and fault options apply to the kinds their javadoc names; others throw {@link
 * IllegalStateException}. All delays run on the fake's event loop.
 */
public final class Reply {

  /** What a reply sends. */
  enum Kind {
    FIXED,
    STREAM,
    HANG
  }

  private final Kind kind;
  private final int status;
  private final List<Map.Entry<String, String>> headers;
  private final Function<RecordedRequest, byte[]> body;
  private final Function<RecordedRequest, List<String>> events;
  private final Duration initialDelay;
  private final Duration delayBeforeBody;
  private final Duration delayBetweenChunks;
  private final int disconnectAfterChunks;
  private final boolean doneMarker;
  private final boolean resetBeforeResponse;
  private final String description;

  private Reply(Draft d) {
    this.kind = d.kind;
    this.status = d.status;
    this.headers = List.copyOf(d.headers);
    this.body = d.body;
    this.events = d.events;
    this.initialDelay = d.initialDelay;
    this.delayBeforeBody = d.delayBeforeBody;
    this.delayBetweenChunks = d.delayBetweenChunks;
    this.disconnectAfterChunks = d.disconnectAfterChunks;
    this.doneMarker = d.doneMarker;
    this.resetBeforeResponse = d.resetBeforeResponse;
    this.description = d.description;
  }

  // ---- factories ----

  /**
   * A fixed-length {@code application/json} reply with {@code body} as given, and Content-Length.
   *
   * @param status an HTTP status, 200-599
   */
  public static Reply json(int status, String body) {
    requireNonNull(body, "body");
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return fixed(status, request -> bytes, "json(" + status + ")");
  }

  /**
   * A 200 OpenAI {@code chat.completion} whose only choice says {@code content}, with {@code usage}.
   * Its {@code model} echoes the request's.
   */
  public static Reply chatCompletion(String content, int promptTokens, int completionTokens) {
    return chatCompletion(content, Usage.of(promptTokens, completionTokens));
  }

  /**
   * A 200 OpenAI {@code chat.completion} whose only choice says {@code content}, with {@code usage}
   * (cached tokens as {@code usage.prompt_tokens_details.cached_tokens}). Its {@code model} echoes
   * the request's.
   */
  public static Reply chatCompletion(String content, Usage usage) {
    requireNonNull(content, "content");
    requireNonNull(usage, "usage");
    return fixed(
        200,
        request ->
            OpenAiJson.chatCompletion(request, content, usage).getBytes(StandardCharsets.UTF_8),
        "chatCompletion(" + content.length() + " chars)");
  }

  /**
   * An OpenAI error reply: {@code {"error":{"message","type","param","code"}}} with the type and code
   * OpenAI uses for that status (401 {@code invalid_api_key}, 404 {@code model_not_found}, 429
   * {@code rate_limit_exceeded}, 5xx {@code server_error}).
   *
   * @param status an HTTP status, 200-599
   */
  public static Reply status(int status, String openAiErrorMessage) {
    requireNonNull(openAiErrorMessage, "openAiErrorMessage");
    byte[] bytes = OpenAiJson.error(status, openAiErrorMessage).getBytes(StandardCharsets.UTF_8);
    return fixed(status, request -> bytes, "status(" + status + ")");
  }

  /**
   * A 200 {@code text/event-stream} reply, chunked: each payload is one {@code data: <payload>}
   * event written and flushed on its own, then {@code data: [DONE]}. A payload spanning several
   * lines becomes one event with several {@code data:} lines.
   */
  public static Reply sse(List<String> dataPayloads) {
    List<String> payloads = List.copyOf(requireNonNull(dataPayloads, "dataPayloads"));
    return stream(request -> payloads, "sse(" + payloads.size() + " events)");
  }

  /**
   * An event stream of OpenAI {@code chat.completion.chunk} payloads, one per content delta (the
   * first delta also carries {@code "role":"assistant"}, the last {@code "finish_reason":"stop"}),
   * then {@code [DONE]}. Usage is reported as {@code style} says; for {@link UsageStyle#OPENAI} the
   * fake reads {@code stream_options.include_usage} of the request it answers, as OpenAI does.
   *
   * @param usageOrNull the usage to report, or {@code null} for none
   */
  public static Reply streamingCompletion(
      List<String> contentDeltas, Usage usageOrNull, UsageStyle style) {
    List<String> deltas = List.copyOf(requireNonNull(contentDeltas, "contentDeltas"));
    requireNonNull(style, "style");
    return stream(
        request -> OpenAiJson.completionChunks(request, deltas, usageOrNull, style),
        "streamingCompletion(" + deltas.size() + " deltas, " + style + ")");
  }

  /**
   * Never answers: the request is read and the connection left open until the client closes it (a
   * client disconnect, see {@link FakeUpstream#clientDisconnects()}) or the fake closes.
   */
  public static Reply hang() {
    Draft d = new Draft(Kind.HANG, 0, "hang");
    return new Reply(d);
  }

  private static Reply fixed(int status, Function<RecordedRequest, byte[]> body, String what) {
    Draft d = new Draft(Kind.FIXED, checkStatus(status), what);
    d.body = body;
    return new Reply(d);
  }

  private static Reply stream(Function<RecordedRequest, List<String>> events, String what) {
    Draft d = new Draft(Kind.STREAM, 200, what);
    d.events = events;
    return new Reply(d);
  }

  // ---- options ----

  /**
   * Adds a response header (fixed and streamed replies). The first header given with a name replaces
   * the fake's default for that name, such as {@code Content-Type}; further ones add values.
   * Content-Length and Transfer-Encoding are the fake's own and cannot be set.
   */
  public Reply header(String name, String value) {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
    requireKind("header", Kind.FIXED, Kind.STREAM);
    if (name.isBlank()) {
      throw new IllegalArgumentException("name: blank (expected: a header name)");
    }
    if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")) {
      throw new IllegalArgumentException("name: " + name + " (expected: not set by scripts)");
    }
    Draft d = draft();
    d.headers.add(Map.entry(name, value));
    return new Reply(d);
  }

  /** Waits this long after reading the request before sending anything (fixed and streamed). */
  public Reply initialDelay(Duration delay) {
    requireKind("initialDelay", Kind.FIXED, Kind.STREAM);
    Draft d = draft();
    d.initialDelay = checkDelay("initialDelay", delay);
    return new Reply(d);
  }

  /**
   * Waits this long between sending the status line and headers and sending the body, or for a
   * stream its first event (fixed and streamed).
   */
  public Reply delayBeforeBody(Duration delay) {
    requireKind("delayBeforeBody", Kind.FIXED, Kind.STREAM);
    Draft d = draft();
    d.delayBeforeBody = checkDelay("delayBeforeBody", delay);
    return new Reply(d);
  }

  /** Waits this long before each event after the first, {@code [DONE]} included (streams only). */
  public Reply delayBetweenChunks(Duration delay) {
    requireKind("delayBetweenChunks", Kind.STREAM);
    Draft d = draft();
    d.delayBetweenChunks = checkDelay("delayBetweenChunks", delay);
    return new Reply(d);
  }

  /**
   * Closes the TCP connection once {@code events} events were written ({@code [DONE]} counts as
   * one), without the terminating chunk: a provider dying mid-stream (streams only).
   *
   * @param events at least 0; 0 closes right after the headers
   */
  public Reply disconnectAfterChunks(int events) {
    requireKind("disconnectAfterChunks", Kind.STREAM);
    if (events < 0) {
      throw new IllegalArgumentException("events: " + events + " (expected: >= 0)");
    }
    Draft d = draft();
    d.disconnectAfterChunks = events;
    return new Reply(d);
  }

  /** Ends the stream without the {@code data: [DONE]} event (streams only). */
  public Reply noDoneMarker() {
    requireKind("noDoneMarker", Kind.STREAM);
    Draft d = draft();
    d.doneMarker = false;
    return new Reply(d);
  }

  /**
   * Resets the connection (TCP RST) right after reading the request, before sending any byte, for
   * retry tests (fixed and streamed; {@link #initialDelay} still applies first).
   */
  public Reply resetBeforeResponse() {
    requireKind("resetBeforeResponse", Kind.FIXED, Kind.STREAM);
    Draft d = draft();
    d.resetBeforeResponse = true;
    return new Reply(d);
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("Reply.").append(description);
    if (!initialDelay.isZero()) {
      s.append(".initialDelay(").append(initialDelay).append(')');
    }
    if (!delayBeforeBody.isZero()) {
      s.append(".delayBeforeBody(").append(delayBeforeBody).append(')');
    }
    if (!delayBetweenChunks.isZero()) {
      s.append(".delayBetweenChunks(").append(delayBetweenChunks).append(')');
    }
    if (disconnectAfterChunks >= 0) {
      s.append(".disconnectAfterChunks(").append(disconnectAfterChunks).append(')');
    }
    if (!doneMarker) {
      s.append(".noDoneMarker()");
    }
    if (resetBeforeResponse) {
      s.append(".resetBeforeResponse()");
    }
    return s.toString();
  }

  // ---- read by the fake's writer ----

  Kind kind() {
    return kind;
  }

  int statusCode() {
    return status;
  }

  List<Map.Entry<String, String>> headers() {
    return headers;
  }

  byte[] body(RecordedRequest request) {
    return body.apply(request);
  }

  List<String> events(RecordedRequest request) {
    return events.apply(request);
  }

  Duration initialDelay() {
    return initialDelay;
  }

  Duration delayBeforeBody() {
    return delayBeforeBody;
  }

  Duration delayBetweenChunks() {
    return delayBetweenChunks;
  }

  /** Events to write before closing, or -1 to write them all. */
  int disconnectAfterChunks() {
    return disconnectAfterChunks;
  }

  boolean doneMarker() {
    return doneMarker;
  }

  boolean resetsBeforeResponse() {
    return resetBeforeResponse;
  }

  // ---- helpers ----

  private void requireKind(String option, Kind... allowed) {
    for (Kind k : allowed) {
      if (k == kind) {
        return;
      }
    }
    throw new IllegalStateException(option + " does not apply to " + this);
  }

  private static int checkStatus(int status) {
    if (status < 200 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 200-599)");
    }
    return status;
  }

  private static Duration checkDelay(String name, Duration delay) {
    requireNonNull(delay, name);
    if (delay.isNegative()) {
      throw new IllegalArgumentException(name + ": " + delay + " (expected: >= 0)");
    }
    return delay;
  }

  private Draft draft() {
    Draft d = new Draft(kind, status, description);
    d.headers.addAll(headers);
    d.body = body;
    d.events = events;
    d.initialDelay = initialDelay;
    d.delayBeforeBody = delayBeforeBody;
    d.delayBetweenChunks = delayBetweenChunks;
    d.disconnectAfterChunks = disconnectAfterChunks;
    d.doneMarker = doneMarker;
    d.resetBeforeResponse = resetBeforeResponse;
    return d;
  }

  /** The mutable copy a {@code Reply} is built from; never escapes a factory or option method. */
  private static final class Draft {
    final Kind kind;
    final int status;
    final String description;
    final List<Map.Entry<String, String>> headers = new ArrayList<>();
    Function<RecordedRequest, byte[]> body;
    Function<RecordedRequest, List<String>> events;
    Duration initialDelay = Duration.ZERO;
    Duration delayBeforeBody = Duration.ZERO;
    Duration delayBetweenChunks = Duration.ZERO;
    int disconnectAfterChunks = -1;
    boolean doneMarker = true;
    boolean resetBeforeResponse;

    Draft(Kind kind, int status, String description) {
      this.kind = kind;
      this.status = status;
      this.description = description;
    }
  }
}
