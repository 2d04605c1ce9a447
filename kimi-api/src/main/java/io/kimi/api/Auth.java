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
        return matches(header.substring(7).trim());
    }

    /** For WebSockets, which browsers cannot give headers: the token as the {@code token} query parameter. */
    boolean allowsQueryToken(String queryToken) {
        return token == null || (queryToken != null && matches(queryToken));
    }

    private boolean matches(String given) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), token);
    }
}
