package io.kimi.proxy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kimi.core.TokenUsage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what it can of a JSON reply body kept only in part ({@link ReplyTranscript#cut()}): the generated text
 * in its head, up to where the head ends (inside a string, the part of the string before the cut), and the usage
 * in its tail. Linear in the bytes kept. Thread-safe.
 */
final class CutBody {
    private static final Logger log = LoggerFactory.getLogger(CutBody.class);
    private static final Set<String> MESSAGE_TEXT = Set.of("content", "reasoning_content", "reasoning", "refusal");
    private static final byte[] USAGE_KEY = "\"usage\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FINISH_KEY = "\"finish_reason\"".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper json;

    CutBody(ObjectMapper json) {
        this.json = json;
    }

    ParsedReply parse(byte[] head, byte[] tail) {
        StringBuilder text = new StringBuilder(head.length);
        TokenUsage usage = null;
        try (JsonParser p = json.getFactory().createParser(head)) {
            JsonToken token;
            while ((token = nextOrEnd(p)) != null) {
                if (token == JsonToken.VALUE_STRING && isGenerated(path(p.getParsingContext()))) {
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    try {
                        text.append(p.getText());
                    } catch (IOException cutInside) {
                        appendCutString(head, start + 1, text);
                        break;
                    }
                } else if (token == JsonToken.START_OBJECT && "usage".equals(p.currentName())) {
                    JsonNode node = readTree(p);
                    if (node == null) {
                        break;
                    }
                    TokenUsage u = ReplyParser.usage(node);
                    usage = u != null ? u : usage;
                }
            }
        } catch (IOException e) {
            log.debug("The kept head of a reply body is not JSON; counting nothing from it: {}", e.toString());
        }
        TokenUsage inTail = usageIn(tail);
        return new ParsedReply(inTail != null ? inTail : usage, text.toString(), hasFinishReason(tail));
    }

    /** The next token, or null at the end of the input or where it stops being readable. */
    private static JsonToken nextOrEnd(JsonParser p) {
        try {
            return p.nextToken();
        } catch (IOException endInsideAToken) {
            return null;
        }
    }

    private static JsonNode readTree(JsonParser p) {
        try {
            return p.readValueAsTree();
        } catch (IOException cutInside) {
            return null;
        }
    }

    /** Field names from the root to the current value, array indexes left out. */
    private static List<String> path(JsonStreamContext context) {
        List<String> names = new ArrayList<>(6);
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inObject()) {
                names.add(0, c.getCurrentName());
            }
        }
        return names;
    }

    /** The text {@link ReplyParser} counts in a whole body: message text, its content parts, tool calls. */
    private static boolean isGenerated(List<String> path) {
        int n = path.size();
        if (n < 3 || !"choices".equals(path.get(0)) || !"message".equals(path.get(1))) {
            return false;
        }
        String field = path.get(2);
        if (n == 3 || (n == 4 && "text".equals(path.get(3)))) {
            return MESSAGE_TEXT.contains(field);
        }
        return n == 5 && "tool_calls".equals(field) && "function".equals(path.get(3))
                && ("name".equals(path.get(4)) || "arguments".equals(path.get(4)));
    }

    /**
     * Appends the JSON string that starts at {@code from} (after its opening quote) and is cut by the end of
     * {@code bytes}: escapes decoded, an escape cut in the middle dropped.
     */
    static void appendCutString(byte[] bytes, int from, StringBuilder out) {
        int i = from;
        int n = bytes.length;
        while (i < n) {
            byte b = bytes[i];
            if (b == '"') {
                return;
            }
            if (b != '\\') {
                int run = i;
                while (i < n && bytes[i] != '\\' && bytes[i] != '"') {
                    i++;
                }
                out.append(new String(bytes, run, i - run, StandardCharsets.UTF_8));
                continue;
            }
            if (i + 1 >= n) {
                return;
            }
            byte e = bytes[i + 1];
            if (e == 'u') {
                if (i + 6 > n) {
                    return;
                }
                int code = hex(bytes, i + 2);
                if (code < 0) {
                    return;
                }
                out.append((char) code);
                i += 6;
                continue;
            }
            out.append(switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                case 'b' -> '\b';
                case 'f' -> '\f';
                default -> (char) e;
            });
            i += 2;
        }
    }

    private static int hex(byte[] bytes, int at) {
        int code = 0;
        for (int k = at; k < at + 4; k++) {
            int d = Character.digit(bytes[k], 16);
            if (d < 0) {
                return -1;
            }
            code = code * 16 + d;
        }
        return code;
    }

    /** The last {@code "usage": {...}} object that is whole in {@code tail}, or null. */
    private TokenUsage usageIn(byte[] tail) {
        for (int at = lastIndexOf(tail, USAGE_KEY, tail.length); at >= 0; at = lastIndexOf(tail, USAGE_KEY, at)) {
            int value = valueStart(tail, at + USAGE_KEY.length);
            if (value >= 0 && tail[value] == '{') {
                try {
                    TokenUsage u = ReplyParser.usage(json.readTree(json.getFactory().createParser(tail, value,
                            tail.length - value)));
                    if (u != null) {
                        return u;
                    }
                } catch (IOException notWhole) {
                    log.debug("A usage object in a reply's tail is cut: {}", notWhole.getClass().getSimpleName());
                }
            }
        }
        return null;
    }

    private static boolean hasFinishReason(byte[] tail) {
        int at = lastIndexOf(tail, FINISH_KEY, tail.length);
        if (at < 0) {
            return false;
        }
        int value = valueStart(tail, at + FINISH_KEY.length);
        return value >= 0 && tail[value] == '"';
    }

    /** Where the value after a key ending at {@code from} starts (past spaces and the colon), or -1. */
    private static int valueStart(byte[] bytes, int from) {
        int i = skipSpaces(bytes, from);
        if (i >= bytes.length || bytes[i] != ':') {
            return -1;
        }
        i = skipSpaces(bytes, i + 1);
        return i < bytes.length ? i : -1;
    }

    private static int skipSpaces(byte[] bytes, int from) {
        int i = from;
        while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\n' || bytes[i] == '\r')) {
            i++;
        }
        return i;
    }

    /** The last start of {@code key} in {@code bytes} before {@code before}, or -1. */
    private static int lastIndexOf(byte[] bytes, byte[] key, int before) {
        outer:
        for (int i = Math.min(before - 1, bytes.length - key.length); i >= 0; i--) {
            for (int j = 0; j < key.length; j++) {
                if (bytes[i + j] != key[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
