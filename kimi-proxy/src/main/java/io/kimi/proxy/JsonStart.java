package io.kimi.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.IOException;

/**
 * Whether the first bytes of a body cut short ({@link ReplyTranscript#cut()}) can start a chat completion: they
 * must open a JSON object and hold no syntax error before the cut. Read token by token (strings skipped, not
 * decoded): linear in the bytes, no tree built.
 */
final class JsonStart {
    /** A syntax error this close to the cut may be a token the cut split ({@code tru}, half a character). */
    private static final int CUT_SLACK = 8;

    private JsonStart() {
    }

    /** Why {@code head} cannot start a chat completion, or {@code null} when it can. */
    static String malformed(JsonFactory factory, byte[] head) {
        try (JsonParser p = factory.createParser(head)) {
            JsonToken first = p.nextToken();
            if (first != null && first != JsonToken.START_OBJECT) {
                return "JSON that is not an object";
            }
            while (p.nextToken() != null) {
                p.skipChildren();
            }
            return null;
        } catch (JsonEOFException cut) {
            return null;
        } catch (JsonParseException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            return at >= 0 && at >= head.length - CUT_SLACK ? null : "a body that is not JSON";
        } catch (IOException e) {
            return "a body that is not JSON";
        }
    }
}
