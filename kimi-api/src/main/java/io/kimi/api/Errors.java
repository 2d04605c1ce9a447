package io.kimi.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kimi.config.ConfigException;
import io.kimi.core.store.StoreException;
import io.kimi.features.compaction.CompactionInProgressException;
import io.kimi.features.compaction.NothingToCompactException;
import io.kimi.proxy.OpenAiError;
import io.kimi.proxy.ProxyException;
import io.kimi.services.internal.SessionNotFoundException;
import io.kimi.services.internal.features.FeatureDisabledException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exceptions to API errors: the one place where they become JSON, in OpenAI's shape
 * {@code {"error":{"message","type","param","code"}}} on every route.
 */
final class Errors {
    private static final Logger log = LoggerFactory.getLogger(Errors.class);

    private Errors() {
    }

    static ApiResponse response(int status, String code, String message) {
        String type = status == 404 ? "not_found_error" : status < 500 ? "invalid_request_error" : "server_error";
        return fromError(new OpenAiError(status, message, type, code, null, null));
    }

    static ApiResponse fromError(OpenAiError error) {
        ApiResponse r = ApiResponse.json(error.httpStatus(), error.toJsonBytes());
        return error.retryAfterSeconds() == null ? r : r.withHeader("Retry-After", error.retryAfterSeconds());
    }

    static ApiResponse fromException(Throwable t, String what) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ProxyException) {
            return fromError(((ProxyException) e).error());
        }
        if (e instanceof SessionNotFoundException) {
            return response(404, "session_not_found", e.getMessage());
        }
        if (e instanceof NothingToCompactException) {
            return response(409, "nothing_to_compact", e.getMessage());
        }
        if (e instanceof CompactionInProgressException) {
            return response(409, "compaction_in_progress", e.getMessage());
        }
        if (e instanceof FeatureDisabledException) {
            return response(409, "feature_disabled", e.getMessage());
        }
        if (e instanceof JsonProcessingException) {
            return response(400, "invalid_json", "The body is not valid JSON: "
                    + ((JsonProcessingException) e).getOriginalMessage());
        }
        if (e instanceof IllegalArgumentException || e instanceof ConfigException) {
            return response(400, "invalid_request", e.getMessage());
        }
        if (e instanceof TimeoutException) {
            log.error("{} timed out", what, e);
            return response(503, "busy", "The server is busy writing; try again in a moment.");
        }
        if (e instanceof StoreException) {
            log.error("{} failed in the database", what, e);
            return response(500, "database_error", "The database failed: " + e.getMessage());
        }
        log.error("{} failed", what, e);
        return response(500, "internal_error", "Internal error (" + e.getClass().getSimpleName()
                + "); the server log has the details.");
    }
}
