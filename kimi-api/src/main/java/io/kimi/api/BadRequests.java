package io.kimi.api;

import io.kimi.core.ControlCharacters;
import io.kimi.core.ThrottledLog;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Answers a request that cannot be understood (bad HTTP, bad percent-encoding, a broken WebSocket handshake):
 * a 400 in our error JSON, and one concise line in the log, without a stack trace, at most one per second (an
 * attacker decides how many there are). One per server; thread-safe.
 */
final class BadRequests {
    private static final Logger log = LoggerFactory.getLogger(BadRequests.class);
    private static final int MAX_LOGGED_CHARS = 200;

    private final ThrottledLog lines = new ThrottledLog(log, Level.INFO, Duration.ofSeconds(1), System::nanoTime);

    /**
     * Writes the 400; when {@code close}, with {@code Connection: close}, and closes the connection after it (the
     * request could not be delimited, so what follows on the connection cannot be trusted either).
     */
    void answer(Channel channel, HttpRequest request, String reason, boolean close) {
        lines.log("400 for a {} request from {}: {}", printable(request.method().name()), channel.remoteAddress(),
                printable(reason));
        ApiResponse response = Errors.response(400, "bad_request", reason);
        if (close) {
            Responses.writeAndClose(channel, response.withHeader("Connection", "close"));
        } else {
            Responses.write(channel, response);
        }
    }

    /** The text without control characters (a log line stays one line) and cut to a readable length. */
    private static String printable(String text) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_LOGGED_CHARS + 1));
        for (int i = 0; i < text.length() && b.length() < MAX_LOGGED_CHARS; i++) {
            char c = text.charAt(i);
            b.append(ControlCharacters.isControl(c) ? '?' : c);
        }
        return text.length() > MAX_LOGGED_CHARS ? b.append('…').toString() : b.toString();
    }
}
