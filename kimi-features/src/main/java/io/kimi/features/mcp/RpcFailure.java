package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Thrown inside the gateway to stop handling a call with a JSON-RPC error; {@link McpGateway#forward} turns
 * it into the reply. Never leaves this package.
 */
final class RpcFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient RpcError error;
    private final transient JsonNode id;

    /** A failure before the request's id could be read. */
    RpcFailure(RpcError error) {
        this(error, null);
    }

    /** A failure for the request with this id ({@code null} when unknown). */
    RpcFailure(RpcError error, JsonNode id) {
        super(requireNonNull(error, "error").message(), null, false, false);
        this.error = error;
        this.id = id;
    }

    RpcError error() {
        return error;
    }

    /** The request's id, or {@code null} when it could not be read. */
    JsonNode id() {
        return id;
    }
}
