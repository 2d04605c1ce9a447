package io.kimi.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.config.ProviderConfig;
import io.kimi.core.ServerJson;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.io.IOException;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a provider's non-2xx reply into our OpenAI-format error, keeping its fields but never a secret. */
final class ProviderErrors {
    private static final ObjectMapper JSON = ServerJson.newMapper();
    private static final Logger log = LoggerFactory.getLogger(ProviderErrors.class);
    private static final int MAX_MESSAGE = 2000;
    /** Type, code and param are identifiers: longer ones are cut. */
    private static final int MAX_FIELD = 200;
    private static final Pattern DELAY_SECONDS = Pattern.compile("[0-9]{1,9}");

    private ProviderErrors() {
    }

    /**
     * Our error for the provider's reply: its message, type, code and param (each scrubbed of every configured
     * secret, then cut to a bounded length), and its {@code Retry-After} when that is a valid value.
     */
    static OpenAiError map(ProviderConfig provider, HttpResponse response, String body, SecretScrubber secrets) {
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
        upstreamMessage = bound(secrets.scrub(upstreamMessage), MAX_MESSAGE);
        type = bound(secrets.scrub(type), MAX_FIELD);
        code = bound(secrets.scrub(code), MAX_FIELD);
        param = bound(secrets.scrub(param), MAX_FIELD);
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
        return new OpenAiError(status, message, type, code, param,
                retryAfter(response.headers().get(HttpHeaderNames.RETRY_AFTER)));
    }

    /** {@code Retry-After} as RFC 9110 allows it (delay-seconds or an HTTP-date), else {@code null}. */
    static String retryAfter(String value) {
        if (value == null) {
            return null;
        }
        String v = value.strip();
        if (DELAY_SECONDS.matcher(v).matches()) {
            return v;
        }
        try {
            DateTimeFormatter.RFC_1123_DATE_TIME.parse(v);
            return v;
        } catch (DateTimeParseException e) {
            log.debug("Ignoring a provider's Retry-After that is neither seconds nor an HTTP-date ({} characters)",
                    v.length());
            return null;
        }
    }

    private static String bound(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max) + "…";
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
}
