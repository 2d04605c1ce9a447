package io.kimi.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ProviderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.io.IOException;

/** Turns a provider's non-2xx reply into our OpenAI-format error, keeping its message but never a secret. */
final class ProviderErrors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE = 2000;

    private ProviderErrors() {
    }

    static OpenAiError map(ProviderConfig provider, HttpResponse response, String body, String apiKey) {
        int upstreamStatus = response.status().code();
        String upstreamMessage = null;
        String type = null;
        String code = null;
        String param = null;
        JsonNode json = parseContainer(body);
        if (json != null && json.isArray() && json.size() > 0) {
            json = json.get(0); // Gemini's OpenAI endpoint wraps errors in an array
        }
        if (json == null || !json.isObject()) {
            upstreamMessage = body.isBlank() ? null : body.strip();
        } else {
            JsonNode error = json.path("error");
            if (error.isObject()) {
                upstreamMessage = text(error.get("message"));
                type = text(error.get("type"));
                code = text(error.get("code"));
                param = text(error.get("param"));
            } else if (error.isTextual()) {
                upstreamMessage = error.asText();
            } else if (json.has("message")) {
                upstreamMessage = text(json.get("message"));
            }
        }
        if (upstreamMessage == null || upstreamMessage.isBlank()) {
            upstreamMessage = response.status().reasonPhrase();
        }
        upstreamMessage = scrub(upstreamMessage, apiKey);
        if (upstreamMessage.length() > MAX_MESSAGE) {
            upstreamMessage = upstreamMessage.substring(0, MAX_MESSAGE) + "…";
        }
        int status = upstreamStatus >= 500 ? 502 : upstreamStatus >= 400 ? upstreamStatus : 502;
        if (type == null) {
            type = typeFor(upstreamStatus);
        }
        if (code == null) {
            code = "upstream_" + upstreamStatus;
        }
        String message = "Provider '" + provider.key() + "' answered " + upstreamStatus + ": " + upstreamMessage;
        if (upstreamStatus == 401 || upstreamStatus == 403) {
            message += " (check the API key configured for provider '" + provider.key() + "')";
        }
        String retryAfter = response.headers().get(HttpHeaderNames.RETRY_AFTER);
        return new OpenAiError(status, message, type, code, param, retryAfter);
    }

    /** The body as a JSON object or array, or {@code null} when it is anything else (e.g. "404 page not found"). */
    private static JsonNode parseContainer(String body) {
        String trimmed = body.strip();
        if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) {
            return null;
        }
        try {
            return JSON.readTree(trimmed);
        } catch (IOException e) {
            // Looks like JSON but is not: the caller shows the raw text instead.
            return null;
        }
    }

    private static String typeFor(int status) {
        switch (status) {
            case 401:
                return "authentication_error";
            case 403:
                return "permission_error";
            case 404:
                return "not_found_error";
            case 429:
                return "rate_limit_error";
            default:
                return status >= 500 ? "upstream_error" : "invalid_request_error";
        }
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
    }

    /**
     * Removes the key, and the parts providers echo when they mask it (e.g. {@code sk-proj-Abc1****Wxyz}):
     * its last 4 characters and its first half (at most 12 characters), for keys of 8 characters or more.
     */
    static String scrub(String message, String apiKey) {
        if (apiKey == null || apiKey.isEmpty()) {
            return message;
        }
        String out = message.replace(apiKey, "****");
        if (apiKey.length() >= 8) {
            out = out.replace(apiKey.substring(0, Math.min(12, apiKey.length() / 2)), "****");
            out = out.replace(apiKey.substring(apiKey.length() - 4), "****");
        }
        return out;
    }
}
