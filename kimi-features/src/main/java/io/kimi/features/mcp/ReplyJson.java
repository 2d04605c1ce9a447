package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what an MCP server replied: whether it is a JSON-RPC 2.0 response, what to quote of an error reply, and
 * the server's token scrubbed out of every text that leaves the gateway.
 */
final class ReplyJson {
    private static final Logger LOG = LoggerFactory.getLogger(ReplyJson.class);

    /** The most characters of an upstream text quoted in an error, or written to a log line. */
    static final int SNIPPET_CHARS = 200;

    private final ObjectMapper mapper;

    ReplyJson(ObjectMapper mapper) {
        this.mapper = requireNonNull(mapper, "mapper");
    }

    /** The JSON-RPC response in {@code reply}'s body (also inside an event stream), or {@code null}. */
    JsonNode response(McpTransport.Reply reply) {
        byte[] json = jsonOf(reply);
        JsonNode parsed = json == null || json.length == 0 ? null : parseOrNull(json);
        return parsed != null && isResponse(parsed) ? parsed : null;
    }

    /** The JSON body of {@code reply}: the body, or the response an event stream carries ({@code null} if none). */
    static byte[] jsonOf(McpTransport.Reply reply) {
        return reply.isEventStream() ? EventStreamReply.responseIn(reply.body()) : reply.body();
    }

    /** An object with {@code jsonrpc: "2.0"} and either {@code result} or an object {@code error}. */
    static boolean isResponse(JsonNode json) {
        if (!json.isObject()) {
            return false;
        }
        JsonNode version = json.get("jsonrpc");
        if (version == null || !"2.0".equals(version.asText())) {
            return false;
        }
        JsonNode error = json.get("error");
        return json.has("result") != (error != null) && (error == null || error.isObject());
    }

    /** {@code json} parsed, or {@code null} when it is not JSON. */
    JsonNode parseOrNull(byte[] json) {
        try {
            JsonNode node = mapper.readTree(json);
            return node == null || node.isMissingNode() ? null : node;
        } catch (JsonProcessingException e) {
            return null; // not JSON: each caller turns this into its own error
        } catch (IOException e) {
            LOG.debug("Unreadable JSON", e);
            return null;
        }
    }

    /** What the server sent with an error status, for {@code error.data}; never the token. */
    ObjectNode upstreamDetails(McpTransport.Reply reply, String token) {
        ObjectNode data = mapper.createObjectNode();
        data.put("upstream_status", reply.status());
        JsonNode body = parseOrNull(reply.body());
        if (body != null && body.isObject() && body.get("error") != null && body.get("error").isObject()) {
            JsonNode error = parseOrNull(scrub(body.get("error").toString(), token).getBytes(StandardCharsets.UTF_8));
            if (error != null) {
                data.set("upstream_error", error);
                return data;
            }
        }
        String text = new String(reply.body(), StandardCharsets.UTF_8);
        if (!text.isBlank()) {
            String snippet = text.length() > SNIPPET_CHARS ? text.substring(0, SNIPPET_CHARS) + "…" : text;
            data.put("upstream_body", scrub(snippet, token));
        }
        return data;
    }

    /** {@code text} with every occurrence of {@code token} masked; as is when there is no token. */
    static String scrub(String text, String token) {
        return token == null || token.isEmpty() ? text : text.replace(token, "****");
    }

    static boolean contains(byte[] json, String token) {
        return token != null && !token.isEmpty() && new String(json, StandardCharsets.UTF_8).contains(token);
    }
}
