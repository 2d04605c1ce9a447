package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What the gateway answers one forwarded call with: the HTTP status for {@code POST
 * /api/mcp-gateway/{server}/rpc} and the JSON-RPC reply as UTF-8 JSON bytes.
 *
 * <p>The body is empty only for a notification the server accepted (HTTP 202). Otherwise it is a JSON-RPC
 * 2.0 response: the server's own reply (HTTP 200, result or error, possibly truncated), or an error made by
 * the gateway that keeps the request's {@code id} when one could be read.
 *
 * @param httpStatus the HTTP status to send
 * @param json the body ({@code application/json}); never {@code null}
 */
public record GatewayReply(int httpStatus, byte[] json) {

    public GatewayReply {
        requireNonNull(json, "json");
        if (httpStatus < 100 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 100-599)");
        }
    }

    /** The body decoded as UTF-8. */
    public String jsonText() {
        return new String(json, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GatewayReply that && httpStatus == that.httpStatus && Arrays.equals(json, that.json);
    }

    @Override
    public int hashCode() {
        return 31 * httpStatus + Arrays.hashCode(json);
    }

    @Override
    public String toString() {
        return "GatewayReply[" + httpStatus + ", " + json.length + " bytes]";
    }
}
