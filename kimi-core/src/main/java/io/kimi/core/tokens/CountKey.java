package io.kimi.core.tokens;

/**
 * The exact cache key of one counted item: equal only when encoding, kind and the full JSON text are equal,
 * so two different messages never share a count (no hash-only keys).
 *
 * @param encoding the encoding counted with
 * @param kind a message or a tool definition (they are counted by different rules)
 * @param json the item's compact JSON text, as received
 */
record CountKey(TokenEncoding encoding, Kind kind, String json) {

    enum Kind {
        MESSAGE,
        TOOL
    }

    /** The cache weight: the JSON text's length. */
    int weight() {
        return json.length();
    }
}
