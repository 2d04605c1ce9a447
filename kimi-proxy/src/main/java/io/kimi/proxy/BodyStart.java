package io.kimi.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the first bytes of a chat completion body that was cut short say: whether they can start one (a syntax
 * error before the cut, or anything but an object, cannot), and the generated text and end of reply found in
 * them, read token by token (the same fields {@link ReplyParser} reads from a whole body).
 *
 * @param malformed why these bytes cannot start a chat completion, or {@code null}
 * @param generatedText content, reasoning, refusal and tool-call names and arguments of the choices' messages
 * @param finished whether a choice's {@code finish_reason} was seen, not null
 */
record BodyStart(String malformed, String generatedText, boolean finished) {
    /** A syntax error this close to the cut may be a token the cut split ({@code tru}, half a character). */
    private static final int CUT_SLACK = 8;
    private static final List<String> FINISH_REASON = List.of("choices", "finish_reason");
    private static final Set<String> MESSAGE_TEXT = Set.of("content", "reasoning_content", "reasoning", "refusal");

    static BodyStart read(JsonFactory factory, byte[] head) {
        StringBuilder text = new StringBuilder();
        boolean finished = false;
        try (JsonParser p = factory.createParser(head)) {
            JsonToken first = p.nextToken();
            if (first != null && first != JsonToken.START_OBJECT) {
                return new BodyStart("JSON that is not an object", "", false);
            }
            for (JsonToken t = first == null ? null : p.nextToken(); t != null; t = p.nextToken()) {
                if (t.isScalarValue()) {
                    List<String> path = path(p.getParsingContext());
                    if (t == JsonToken.VALUE_STRING && isGenerated(path)) {
                        text.append(p.getText());
                    } else if (t != JsonToken.VALUE_NULL && path.equals(FINISH_REASON)) {
                        finished = true;
                    }
                }
            }
        } catch (JsonEOFException e) {
            // The cut: everything before it was read.
        } catch (JsonParseException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            if (at >= 0 && at < head.length - CUT_SLACK) {
                return new BodyStart("a body that is not JSON", "", false);
            }
        } catch (IOException e) {
            return new BodyStart("a body that is not JSON", "", false);
        }
        return new BodyStart(null, text.toString(), finished);
    }

    /** The field names from the root to the current value, array levels left out. */
    private static List<String> path(JsonStreamContext context) {
        List<String> names = new ArrayList<>(6);
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject()) {
                names.add(0, c.getCurrentName());
            }
            if (names.size() > 6) {
                break;
            }
        }
        return names;
    }

    /**
     * {@code choices[].message.content} (and the other message texts, also as arrays of parts with {@code
     * text}) and {@code choices[].message.tool_calls[].function.name/arguments}.
     */
    private static boolean isGenerated(List<String> path) {
        if (path.size() < 3 || !path.get(0).equals("choices") || !path.get(1).equals("message")) {
            return false;
        }
        String field = path.get(2);
        return switch (path.size()) {
            case 3 -> MESSAGE_TEXT.contains(field);
            case 4 -> MESSAGE_TEXT.contains(field) && path.get(3).equals("text");
            case 5 -> field.equals("tool_calls") && path.get(3).equals("function")
                    && (path.get(4).equals("name") || path.get(4).equals("arguments"));
            default -> false;
        };
    }
}
