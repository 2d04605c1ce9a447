package io.kimi.core;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Content the sanitizer took out of a request and replaced by a placeholder; kept so the user can read it back
 * ({@code GET /api/mask/{hash}}).
 *
 * @param hash hex content hash of {@code content}: the placeholder names it
 * @param sessionId the session of the request it was first masked in
 * @param requestId that request's id
 * @param role the message's role ({@code tool}, {@code user}, ...)
 * @param toolName the tool or source it came from, or {@code null}
 * @param originalTokens tokens of the original message
 * @param placeholderTokens tokens of the message that replaced it
 * @param content the original text, exactly as the client sent it
 * @param createdAt when it was first masked
 */
public record MaskedContent(
        String hash,
        String sessionId,
        String requestId,
        String role,
        String toolName,
        int originalTokens,
        int placeholderTokens,
        String content,
        Instant createdAt) {

    public MaskedContent {
        requireNonNull(hash, "hash");
        requireNonNull(sessionId, "sessionId");
        requireNonNull(requestId, "requestId");
        requireNonNull(role, "role");
        requireNonNull(content, "content");
        requireNonNull(createdAt, "createdAt");
    }
}
