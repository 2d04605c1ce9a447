package io.kimi.core.tokens;

import com.fasterxml.jackson.databind.JsonNode;
import io.kimi.core.SampledHash;
import java.util.Map;

/**
 * The exact cache key of one counted item: equal only when encoding, kind and the JSON content are equal (deep
 * {@link JsonNode#equals}), so two different messages never share a count (no hash-only keys).
 *
 * <p>Building a key costs no serialisation: its hash reads each string's length and a fixed sample of its
 * characters, so looking up every message of a long conversation does not re-read it all; a hit is then confirmed
 * by comparing the content (vectorised string comparison). A key stored in the cache holds its own deep copy of the
 * item ({@link #detached}), so later changes to a request never change a cached key.
 */
final class CountKey {
    enum Kind {
        MESSAGE,
        TOOL
    }

    private final TokenEncoding encoding;
    private final Kind kind;
    private final JsonNode node;
    private final int hash;
    /** The cache weight: the item's compact JSON text's length; computed once the key is stored. */
    private final int weight;

    private CountKey(TokenEncoding encoding, Kind kind, JsonNode node, int hash, int weight) {
        this.encoding = encoding;
        this.kind = kind;
        this.node = node;
        this.hash = hash;
        this.weight = weight;
    }

    /** A key to look {@code node} up with; it refers to the caller's node and must not be stored. */
    static CountKey probe(TokenEncoding encoding, Kind kind, JsonNode node) {
        int h = 31 * (31 * encoding.hashCode() + kind.hashCode()) + contentHash(node);
        return new CountKey(encoding, kind, node, h, -1);
    }

    /** The key to store: the same key over a private deep copy of the node, weighed by its JSON text. */
    CountKey detached() {
        JsonNode copy = node.deepCopy();
        return new CountKey(encoding, kind, copy, hash, copy.toString().length());
    }

    Kind kind() {
        return kind;
    }

    /** The cache weight: the JSON text's length (only for detached keys). */
    int weight() {
        return weight;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CountKey)) {
            return false;
        }
        CountKey other = (CountKey) o;
        return hash == other.hash && encoding == other.encoding && kind == other.kind && node.equals(other.node);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "CountKey[" + encoding + ", " + kind + ", " + Integer.toHexString(hash) + "]";
    }

    /**
     * A hash consistent with {@link JsonNode#equals}: object fields combine independently of their order (object
     * equality ignores it), array elements in order, strings through {@link SampledHash}, other values through
     * their own {@code hashCode}.
     */
    static int contentHash(JsonNode node) {
        if (node.isTextual()) {
            return SampledHash.of(node.textValue());
        }
        if (node.isObject()) {
            int h = 0x5bd1e995;
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                h += field.getKey().hashCode() ^ mix(contentHash(field.getValue()));
            }
            return h;
        }
        if (node.isArray()) {
            int h = 0x27d4eb2d;
            for (int i = 0; i < node.size(); i++) {
                h = 31 * h + contentHash(node.get(i));
            }
            return h;
        }
        return node.hashCode();
    }

    private static int mix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }
}
