package io.kimi.testing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

/** The texts a convergence loop sends: events, a greeting, wrapped events and batches. */
final class LoopMessages {

  static final String GREETING = "{\"type\":\"connected\",\"message\":\"convergence loop ready\"}";

  private static final ObjectMapper JSON = new ObjectMapper();

  private LoopMessages() {}

  /** A fresh, random event id. */
  static String newEventId() {
    return UUID.randomUUID().toString();
  }

  /**
   * An event object with the fields in the loop's order; {@code dataJson} must be a JSON object.
   *
   * @throws IllegalArgumentException when {@code dataJson} is not a JSON object
   */
  static String event(
      String eventId,
      String sessionId,
      int iteration,
      String state,
      String eventType,
      String dataJson) {
    ObjectNode event = JSON.createObjectNode();
    event.put("event_id", requireNonNull(eventId, "eventId"));
    event.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    event.put("session_id", requireNonNull(sessionId, "sessionId"));
    event.put("iteration", iteration);
    event.put("state", requireNonNull(state, "state"));
    event.put("event_type", requireNonNull(eventType, "eventType"));
    event.set("data", dataObject(requireNonNull(dataJson, "dataJson")));
    return write(event);
  }

  /** {@code {"type":"event","data":<event>}}, the event inserted as is. */
  static String wrapped(String eventJson) {
    return "{\"type\":\"event\",\"data\":" + requireNonNull(eventJson, "eventJson") + "}";
  }

  /** A JSON array of the events, each inserted as is. */
  static String batch(List<String> eventJsons) {
    requireNonNull(eventJsons, "eventJsons");
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < eventJsons.size(); i++) {
      if (i > 0) {
        batch.append(',');
      }
      batch.append(requireNonNull(eventJsons.get(i), "eventJsons[" + i + "]"));
    }
    return batch.append(']').toString();
  }

  private static JsonNode dataObject(String dataJson) {
    JsonNode data;
    try {
      data = JSON.readTree(dataJson);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("dataJson: not JSON: " + dataJson, e);
    }
    if (data == null || !data.isObject()) {
      throw new IllegalArgumentException("dataJson: " + dataJson + " (expected: a JSON object)");
    }
    return data;
  }

  private static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + node, e);
    }
  }
}
