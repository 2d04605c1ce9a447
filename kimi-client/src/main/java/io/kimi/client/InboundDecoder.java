package io.kimi.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.protocol.MessageTypes;

/**
 * Reads one message from the dashboard into what it is for the client: a reply to a request, an event, another
 * live message, or something it cannot read. No state; never throws.
 */
final class InboundDecoder {
    private InboundDecoder() {
    }

    /** What the dashboard sent. */
    sealed interface Inbound {
    }

    /**
     * A reply to a request: {@code response}, {@code pong} (action {@code ping}, the whole message as data), or an
     * {@code error} that names its request.
     *
     * @param requestId the {@code request_id} echoed by the server, or {@code null} (a server without ids)
     * @param action the {@code request_action}, or {@code null}
     * @param data the reply's data; {@code null} for an error
     * @param error the error reply as an exception; {@code null} for a reply
     */
    record Reply(String requestId, String action, JsonNode data, DashboardException error) implements Inbound {
    }

    record PushedEvent(Event event) implements Inbound {
    }

    /**
     * Another live message.
     *
     * @param always whether it is delivered whatever the subscriptions ({@code init}, and an {@code error} about
     *     no request)
     */
    record Pushed(LiveMessage message, boolean always) implements Inbound {
    }

    record Unreadable(String why) implements Inbound {
    }

    static Inbound decode(String text) {
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            return new Unreadable("a message that is not JSON: " + e);
        }
        if (m == null || !m.isObject()) {
            return new Unreadable("a message that is not a JSON object");
        }
        String type = m.path("type").asText("");
        String requestId = m.path("request_id").isTextual() ? m.path("request_id").asText() : null;
        switch (type) {
            case MessageTypes.EVENT:
                try {
                    return new PushedEvent(Json.convert(m, Event.class));
                } catch (DashboardException e) {
                    return new Unreadable("an event that cannot be read: " + e.getMessage());
                }
            case MessageTypes.RESPONSE:
                return new Reply(requestId, text(m, "request_action"), m.path("data"), null);
            case MessageTypes.PONG:
                return new Reply(requestId, "ping", m, null);
            case MessageTypes.ERROR:
                String action = text(m, "request_action");
                if (action == null && requestId == null) {
                    return new Pushed(new LiveMessage(type, m), true);
                }
                String code = m.path("code").asText("error");
                String message = m.path("message").asText("");
                return new Reply(requestId, action, null, code.equals("session_not_found")
                        ? new SessionNotFoundException(0, null, message) : new ApiException(0, code, message));
            default:
                return new Pushed(new LiveMessage(type, m), type.equals(MessageTypes.INIT));
        }
    }

    private static String text(JsonNode m, String field) {
        JsonNode n = m.path(field);
        return n.isTextual() ? n.asText() : null;
    }
}
