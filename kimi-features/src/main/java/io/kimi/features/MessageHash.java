package io.kimi.features;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content hashes that name masked content and identify compacted messages: SHA-256, first 128 bits, hex. */
public final class MessageHash {
    private MessageHash() {
    }

    /** Hash of a text (32 lowercase hex characters). */
    public static String ofText(String text) {
        return digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Hash of a message as its exact JSON text: equal hashes mean equal role, content, name and tool calls. */
    public static String ofMessage(JsonNode message) {
        return ofText(message.toString());
    }

    private static String digest(byte[] bytes) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(sha, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
