package io.kimi.services.internal;

import static java.util.Objects.requireNonNull;

import io.kimi.core.TokenUsage;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.proxy.ExchangeResult;
import io.kimi.proxy.ParsedReply;
import io.kimi.proxy.ReplyParser;
import io.kimi.proxy.ReplyTranscript;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the completion of a finished exchange from what the proxy kept of its reply ({@link ReplyTranscript},
 * at most {@code max_accounted_reply_bytes}), and never fails. The kept text is counted; the bytes past it are
 * estimated from their size, at the tokens per byte of the part counted ({@value #BYTES_PER_TOKEN} bytes a token
 * when that part held no text). When reading or counting the reply fails, whatever the failure (a runtime
 * exception, or an error such as {@link OutOfMemoryError}), the whole reply is estimated from its size, the
 * failure is logged once with the request id (its class, never its message, which may quote the reply) and the
 * result says why, so the request is still recorded. Thread-safe.
 */
final class ReplyCounter {
    /** Bytes per token assumed when nothing was counted to learn from: English text's usual ratio. */
    static final int BYTES_PER_TOKEN = 4;

    private static final Logger log = LoggerFactory.getLogger(ReplyCounter.class);

    /** Counts the tokens of generated text ({@code TokenCounter::countCompletion}). */
    @FunctionalInterface
    interface CompletionCount {
        int count(TokenEncoding encoding, String text);
    }

    private final ReplyParser parser;
    private final CompletionCount count;

    ReplyCounter(ReplyParser parser, CompletionCount count) {
        this.parser = requireNonNull(parser, "parser");
        this.count = requireNonNull(count, "count");
    }

    /** As {@link #count(String, TokenEncoding, ExchangeResult, BooleanSupplier)}, counting every reply. */
    CountedReply count(String requestId, TokenEncoding encoding, ExchangeResult result) {
        return count(requestId, encoding, result, () -> true);
    }

    /**
     * @param sampleReported asked only for a reply with reported usage: whether to count its completion too (on a
     *     sample, {@code [server] estimate_sample_every}); when not, only its usage is read
     *     ({@link ReplyParser#reportedUsage}, which builds no text) and the completion is left uncounted
     */
    CountedReply count(String requestId, TokenEncoding encoding, ExchangeResult result,
            BooleanSupplier sampleReported) {
        ReplyTranscript transcript = result.transcript();
        long readBytes = transcript.cut() ? transcript.head().length : transcript.keptBytes();
        long uncounted = transcript.uncountedBytes();
        TokenUsage reported = null;
        String step = "reading";
        try {
            ParsedReply reply = null;
            if (result.streamed()) {
                // A stream is malformed when any of its events is not JSON, which only parsing every event tells.
                reply = parser.parse(transcript, true);
                reported = reply.reported();
            } else {
                // A body's usage is read only when it is a well-formed chat completion (no usage otherwise).
                reported = parser.reportedUsage(transcript, false);
            }
            if (reported != null && !sampleReported.getAsBoolean()) {
                return CountedReply.uncounted(reported, reply == null ? null : reply.malformed());
            }
            if (reply == null) {
                reply = parser.parse(transcript, false);
            }
            reported = reply.reported();
            step = "counting";
            int counted = count.count(encoding, reply.completionText());
            return new CountedReply(reported, saturated(counted + estimate(uncounted, counted, readBytes)),
                    uncounted, null, reply.malformed(), true);
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            String reason = e.getClass().getSimpleName() + " while " + step + " the reply";
            StackTraceElement[] trace = e.getStackTrace();
            log.error("Request {}: {} (at {}); it is recorded with its completion estimated from the reply's size",
                    requestId, reason, trace.length > 0 ? trace[0] : "?");
            long all = readBytes + uncounted;
            return new CountedReply(reported, saturated(estimate(all, 0, 0)), all, reason, null, true);
        }
    }

    /** Tokens of {@code bytes} not read, at the rate of the {@code counted} tokens in {@code readBytes}. */
    static long estimate(long bytes, int counted, long readBytes) {
        if (bytes == 0) {
            return 0;
        }
        if (counted > 0 && readBytes > 0) {
            return (long) Math.ceil((double) bytes * counted / readBytes);
        }
        return (bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
    }

    private static int saturated(long tokens) {
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }
}
