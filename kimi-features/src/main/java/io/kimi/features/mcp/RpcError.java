package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC error the gateway answers with, and the HTTP status it goes with. Codes: the JSON-RPC 2.0
 * ones ({@code -32700} parse error, {@code -32600} invalid request, {@code -32602} invalid params, {@code
 * -32603} internal error) and the gateway's own in the server-error range ({@code -32001} unknown server,
 * {@code -32002} server unreachable or too slow, {@code -32003} reply not JSON).
 *
 * @param httpStatus the HTTP status of the gateway's reply
 * @param code the JSON-RPC error code
 * @param message a one-line, human-readable reason (never a credential)
 * @param data extra details for {@code error.data}, or {@code null}
 */
record RpcError(int httpStatus, int code, String message, ObjectNode data) {

    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;
    static final int UNKNOWN_SERVER = -32001;
    static final int UNREACHABLE = -32002;
    static final int NOT_JSON = -32003;

    RpcError {
        requireNonNull(message, "message");
    }

    /**
     * The JSON-RPC 2.0 error response for {@code id}.
     *
     * @param id the request's id, or {@code null} when it could not be read (sent as JSON {@code null})
     */
    GatewayReply toReply(ObjectMapper mapper, JsonNode id) {
        ObjectNode body = mapper.createObjectNode();
        body.put("jsonrpc", "2.0");
        body.set("id", id == null ? NullNode.getInstance() : id);
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (data != null) {
            error.set("data", data);
        }
        try {
            return new GatewayReply(httpStatus, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            // A tree of plain nodes always serialises; reaching this is a bug.
            throw new IllegalStateException("cannot serialise a JSON-RPC error", e);
        }
    }
}
