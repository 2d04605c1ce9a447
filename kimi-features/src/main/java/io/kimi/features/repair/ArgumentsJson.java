package io.kimi.features.repair;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/** Strict JSON validity of argument strings, by streaming through the tokens with Jackson (no tree built). */
final class ArgumentsJson {
    private final JsonFactory factory = new JsonFactory();

    /** True when {@code text} is exactly one JSON value (of any type) with nothing after it but whitespace. */
    boolean isValid(String text) {
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            // Malformed JSON is the expected negative answer here, not an error to log.
            return false;
        }
    }

    /** True when {@code text} is one JSON object or array with nothing after it. */
    boolean isValidContainer(String text) {
        String trimmed = text.strip();
        return !trimmed.isEmpty() && (trimmed.charAt(0) == '{' || trimmed.charAt(0) == '[') && isValid(trimmed);
    }
}
