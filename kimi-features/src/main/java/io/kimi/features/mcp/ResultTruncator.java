package io.kimi.features.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Cuts an oversized JSON-RPC reply down to {@code maxBytes} while keeping it a valid JSON-RPC response.
 *
 * <p>The longest string values inside {@code result} (or inside {@code error} for an error reply) are
 * replaced, longest first, by their head and tail around a marker:
 * <pre>{@code <head>\n…[truncated by kimi gateway: N bytes omitted]…\n<tail>}</pre>
 * where N counts the UTF-8 bytes left out, until the serialised reply fits. Every string keeps at least
 * {@value #MIN_KEEP} characters. When that is not enough (a result made of numbers, thousands of short
 * strings...), {@code result} becomes an object {@code {"truncated":true,"notice":...,"original_bytes":N,
 * "head":...,"tail":...}} holding the head and tail of the original result's JSON text. Keys, numbers and
 * the reply's {@code jsonrpc} and {@code id} are never touched.
 */
final class ResultTruncator {

    static final int MIN_KEEP = 128;
    private static final int MARKER_ALLOWANCE = 64;
    private static final int MAX_ROUNDS = 256;

    private final ObjectMapper mapper;
    private final int maxBytes;

    ResultTruncator(ObjectMapper mapper, int maxBytes) {
        this.mapper = requireNonNull(mapper, "mapper");
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: >= 1024)");
        }
        this.maxBytes = maxBytes;
    }

    /** The marker put where {@code omittedBytes} UTF-8 bytes were cut out. */
    static String marker(long omittedBytes) {
        return "\n…[truncated by kimi gateway: " + omittedBytes + " bytes omitted]…\n";
    }

    /**
     * {@code original} when it fits, else the serialised reply cut to fit (see the class comment).
     *
     * @param reply {@code original} parsed; not modified
     */
    byte[] fit(ObjectNode reply, byte[] original) {
        if (original.length <= maxBytes) {
            return original;
        }
        String field = reply.has("result") ? "result" : reply.has("error") ? "error" : null;
        if (field == null) {
            return original; // not a JSON-RPC response: the caller never passes one
        }
        ObjectNode copy = reply.deepCopy();
        List<Slot> slots = new ArrayList<>();
        collect(copy, field, slots);
        byte[] bytes = serialise(copy);
        for (int round = 0; round < MAX_ROUNDS && bytes.length > maxBytes; round++) {
            Slot longest = null;
            for (Slot slot : slots) {
                if (slot.keep > MIN_KEEP && (longest == null || slot.currentLength() > longest.currentLength())) {
                    longest = slot;
                }
            }
            if (longest == null) {
                break;
            }
            int excess = bytes.length - maxBytes;
            long target = (long) longest.keep - excess - (longest.cut ? 8 : MARKER_ALLOWANCE);
            longest.cutTo((int) Math.max(MIN_KEEP, target));
            bytes = serialise(copy);
        }
        if (bytes.length <= maxBytes) {
            return bytes;
        }
        return fallback(reply, field, original.length);
    }

    /** Replaces the whole result (or error) by a notice with the head and tail of its JSON text. */
    private byte[] fallback(ObjectNode reply, String field, int originalBytes) {
        String text = reply.get(field).toString();
        ObjectNode copy = reply.deepCopy();
        int keep = Math.min(text.length() / 2, maxBytes / 2);
        for (int round = 0; round < 64; round++) {
            ObjectNode notice = mapper.createObjectNode();
            if (field.equals("error")) {
                JsonNode code = reply.get("error").get("code");
                notice.put("code", code != null && code.canConvertToInt() ? code.intValue() : RpcError.INTERNAL_ERROR);
                notice.put("message", "error reply of " + originalBytes + " bytes truncated by kimi gateway");
                ObjectNode data = notice.putObject("data");
                fillNotice(data, text, keep, originalBytes);
            } else {
                fillNotice(notice, text, keep, originalBytes);
            }
            copy.set(field, notice);
            byte[] bytes = serialise(copy);
            if (bytes.length <= maxBytes || keep == 0) {
                return bytes;
            }
            keep = keep * 3 / 4 - 1;
            keep = Math.max(0, keep);
        }
        return serialise(copy);
    }

    private void fillNotice(ObjectNode notice, String text, int keep, int originalBytes) {
        int head = safeEnd(text, keep);
        int tail = safeStart(text, text.length() - keep);
        notice.put("truncated", true);
        notice.put("notice", "the " + originalBytes + "-byte reply exceeded max_result_bytes (" + maxBytes
                + "); only the head and tail of its JSON text are kept");
        notice.put("original_bytes", originalBytes);
        notice.put("head", text.substring(0, head));
        notice.put("tail", tail >= head ? text.substring(tail) : "");
    }

    private byte[] serialise(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e);
        }
    }

    /** Every string value under {@code parent[key]} (the value itself included). */
    private static void collect(ObjectNode parent, String key, List<Slot> slots) {
        JsonNode node = parent.get(key);
        if (node.isTextual()) {
            slots.add(new Slot(node.textValue(), text -> parent.set(key, text)));
        } else {
            collectChildren(node, slots);
        }
    }

    private static void collectChildren(JsonNode node, List<Slot> slots) {
        if (node instanceof ObjectNode object) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                keys.add(field.getKey());
            }
            for (String key : keys) {
                collect(object, key, slots);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode element = array.get(i);
                if (element.isTextual()) {
                    int index = i;
                    slots.add(new Slot(element.textValue(), text -> array.set(index, text)));
                } else {
                    collectChildren(element, slots);
                }
            }
        }
    }

    /** A cut that does not split a surrogate pair: the end of a head of {@code length} chars. */
    private static int safeEnd(String s, int length) {
        int end = Math.max(0, Math.min(length, s.length()));
        if (end > 0 && end < s.length() && Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return end;
    }

    /** A cut that does not split a surrogate pair: the start of a tail. */
    private static int safeStart(String s, int start) {
        int begin = Math.max(0, Math.min(start, s.length()));
        if (begin > 0 && begin < s.length() && Character.isLowSurrogate(s.charAt(begin))) {
            begin++;
        }
        return begin;
    }

    private static long utf8Length(String s, int from, int to) {
        long bytes = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** One string value that may be cut, and where to put its cut version. */
    private static final class Slot {
        private final String original;
        private final Consumer<TextNode> store;
        private int keep;
        private boolean cut;
        private int markerLength;

        Slot(String original, Consumer<TextNode> store) {
            this.original = original;
            this.store = store;
            this.keep = original.length();
        }

        int currentLength() {
            return keep + markerLength;
        }

        void cutTo(int newKeep) {
            keep = Math.min(keep, newKeep);
            int head = safeEnd(original, keep / 2 + keep % 2);
            int tail = safeStart(original, original.length() - keep / 2);
            if (tail < head) {
                tail = head;
            }
            String marker = marker(utf8Length(original, head, tail));
            markerLength = marker.length();
            cut = true;
            store.accept(TextNode.valueOf(original.substring(0, head) + marker + original.substring(tail)));
        }
    }
}
