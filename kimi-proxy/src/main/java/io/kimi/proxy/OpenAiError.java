package io.kimi.proxy;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An error in OpenAI's wire shape, {@code {"error":{"message","type","param","code"}}}, with the HTTP status
 * it is sent with. Messages must never contain a secret.
 *
 * @param httpStatus the HTTP status code
 * @param message a readable message saying what went wrong and, where possible, what to do
 * @param type OpenAI's error type, e.g. {@code invalid_request_error}
 * @param code a stable machine-readable code, e.g. {@code model_not_found}
 * @param param the offending request parameter, or {@code null}
 * @param retryAfterSeconds the {@code Retry-After} value to send, or {@code null}
 */
public record OpenAiError(int httpStatus, String message, String type, String code, String param,
        String retryAfterSeconds) {

    private static final JsonFactory JSON = new JsonFactory();

    public OpenAiError {
        requireNonNull(message, "message");
        requireNonNull(type, "type");
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("httpStatus: " + httpStatus + " (expected: 400-599)");
        }
    }

    public static OpenAiError badRequest(String message, String code, String param) {
        return new OpenAiError(400, message, "invalid_request_error", code, param, null);
    }

    public static OpenAiError of(int status, String type, String code, String message) {
        return new OpenAiError(status, message, type, code, null, null);
    }

    /** The JSON body, UTF-8. */
    public byte[] toJsonBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + message.length());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type);
            g.writeStringField("param", param);
            g.writeStringField("code", code);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing an error body to memory failed", e);
        }
        return out.toByteArray();
    }
}
