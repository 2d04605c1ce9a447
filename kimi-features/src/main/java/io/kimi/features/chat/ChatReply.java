package io.kimi.features.chat;

import static java.util.Objects.requireNonNull;

/**
 * A chat model's reply.
 *
 * @param status the HTTP status the proxy answered with (2xx: a chat completion; else an OpenAI error)
 * @param body the reply's JSON text
 */
public record ChatReply(int status, String body) {

    public ChatReply {
        requireNonNull(body, "body");
    }
}
