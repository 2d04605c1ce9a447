package io.kimi.api;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The access token check: when a token is set, every route needs {@code Authorization: Bearer <token>}
 * (OpenAI SDKs send their {@code api_key} this way, so clients set it to the token).
 */
final class Auth {
    private final byte[] token;

    /** @param token the required token, or {@code null} for none */
    Auth(String token) {
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    boolean enabled() {
        return token != null;
    }

    boolean allows(HttpHeaders headers) {
        if (token == null) {
            return true;
        }
        String header = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token);
    }
}
