package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One HTTP request as {@link FakeUpstream} received it.
 *
 * @param method the request method, such as {@code POST}
 * @param uri the request target as sent, path and query, such as {@code /v1/chat/completions}
 * @param headers every header, names lower-cased, values in the order received; lookups ignore case
 * @param body the body bytes (empty when there was none); a copy is returned
 */
public record RecordedRequest(
    String method, String uri, Map<String, List<String>> headers, byte[] body) {

  /** Immutable, so safe to share between threads. */
  private static final ObjectReader JSON = new ObjectMapper().reader();

  /** Copies everything so the record is immutable; header names are lower-cased. */
  public RecordedRequest {
    requireNonNull(method, "method");
    requireNonNull(uri, "uri");
    requireNonNull(headers, "headers");
    requireNonNull(body, "body");
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(
        (name, values) ->
            copy.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>())
                .addAll(values));
    copy.replaceAll((name, values) -> List.copyOf(values));
    headers = Collections.unmodifiableMap(copy);
    body = body.clone();
  }

  /** The body bytes; a fresh copy on each call. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The path part of {@link #uri()}, without the query string. */
  public String path() {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }

  /** The first value of the header {@code name} (any case), or {@code null} when it was absent. */
  public String header(String name) {
    List<String> values = headers.get(requireNonNull(name, "name"));
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** The body decoded as UTF-8. */
  public String bodyAsString() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * The body parsed as JSON; a {@link MissingNode} when the body is empty.
   *
   * @throws UncheckedIOException when the body is not JSON
   */
  public JsonNode bodyAsJson() {
    try {
      JsonNode node = JSON.readTree(body);
      return node == null ? MissingNode.getInstance() : node;
    } catch (IOException e) {
      throw new UncheckedIOException("request body is not JSON: " + method + " " + uri, e);
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RecordedRequest that
        && method.equals(that.method)
        && uri.equals(that.uri)
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * method.hashCode() + uri.hashCode()) + headers.hashCode())
        + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "RecordedRequest[" + method + " " + uri + ", " + body.length + " body bytes]";
  }
}
