package io.kimi.features.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON-RPC 2.0 request as the gateway accepts it.
 *
 * <p>Accepted: a JSON object with {@code "jsonrpc":"2.0"}, a string {@code method}, an {@code id} that is a
 * string, a number or {@code null} (absent for a notification), and {@code params}, when present, an object
 * or an array. Batches (a JSON array) are refused with {@code -32600}: MCP removed JSON-RPC batching from its
 * transport (protocol revision 2025-06-18), and confining, timing and truncating one call at a time keeps
 * every error tied to one {@code id}. Send one request per call instead.
 *
 * <p>The body is forwarded as received, so it must read the same to the gateway and to the server: a key
 * repeated in one object is refused with {@code -32600} (parsers differ in which value they keep, so the
 * workspace check could see one path and the server use the other), and so is anything after the request
 * ({@code -32700}).
 *
 * @param id the request's id ({@code null} for a notification; a JSON {@code null} node when sent as null)
 * @param method the method, such as {@code tools/call}
 * @param params the params, or {@code null} when absent
 */
record JsonRpcRequest(JsonNode id, String method, JsonNode params) {

    /** A request without an {@code id}: the server sends no JSON-RPC reply. */
    boolean isNotification() {
        return id == null;
    }

    /**
     * Parses and validates {@code body}.
     *
     * @throws RpcFailure {@code -32700} (HTTP 400) when it is not JSON, {@code -32600} (HTTP 400) when it is
     *     not a single valid request; the error keeps the id when one could be read
     */
    static JsonRpcRequest parse(ObjectMapper mapper, byte[] body) {
        JsonNode json;
        try {
            json = body.length == 0 ? null : strict(mapper).readTree(body);
        } catch (JsonProcessingException e) {
            String detail = e.getOriginalMessage();
            if (detail != null && detail.startsWith(DUPLICATE)) {
                throw invalid(idOrNull(mapper, body), "duplicate key " + detail.substring(DUPLICATE.length())
                        + ": servers differ in which value they read; send each key once");
            }
            throw parseError("not JSON: " + detail);
        } catch (IOException e) {
            throw parseError("unreadable body: " + e.getMessage());
        }
        if (json == null || json.isMissingNode()) {
            throw parseError("empty body");
        }
        if (json.isArray()) {
            throw invalid(null, "batch requests are not supported by the kimi gateway; send one JSON-RPC request"
                    + " per call");
        }
        if (!json.isObject()) {
            throw invalid(null, "a JSON-RPC request must be a JSON object, not " + json.getNodeType());
        }
        ObjectNode request = (ObjectNode) json;
        JsonNode id = request.get("id");
        if (id != null && !(id.isTextual() || id.isNumber() || id.isNull())) {
            throw invalid(null, "id must be a string, a number or null, not " + id.getNodeType());
        }
        JsonNode version = request.get("jsonrpc");
        if (version == null || !version.isTextual() || !"2.0".equals(version.textValue())) {
            throw invalid(id, "jsonrpc must be \"2.0\"");
        }
        JsonNode method = request.get("method");
        if (method == null || !method.isTextual() || method.textValue().isEmpty()) {
            throw invalid(id, "method must be a non-empty string");
        }
        JsonNode params = request.get("params");
        if (params != null && !(params.isObject() || params.isArray())) {
            throw invalid(id, "params must be an object or an array, not " + params.getNodeType());
        }
        return new JsonRpcRequest(id, method.textValue(), params);
    }

    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcRequest.class);

    /** How Jackson starts the message of a repeated key ({@code Duplicate field 'path'}). */
    private static final String DUPLICATE = "Duplicate field ";

    private static ObjectReader strict(ObjectMapper mapper) {
        return mapper.reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature())
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The id of a body the strict reading refused, for the error; {@code null} when it cannot be read. */
    private static JsonNode idOrNull(ObjectMapper mapper, byte[] body) {
        try {
            JsonNode id = mapper.readTree(body).get("id");
            return id != null && (id.isTextual() || id.isNumber() || id.isNull()) ? id : null;
        } catch (IOException e) {
            LOG.debug("No id in a request refused for a duplicate key", e);
            return null;
        }
    }

    private static RpcFailure parseError(String detail) {
        return new RpcFailure(new RpcError(400, RpcError.PARSE_ERROR, "Parse error: " + detail, null));
    }

    private static RpcFailure invalid(JsonNode id, String detail) {
        return new RpcFailure(new RpcError(400, RpcError.INVALID_REQUEST, "Invalid Request: " + detail, null), id);
    }
}
