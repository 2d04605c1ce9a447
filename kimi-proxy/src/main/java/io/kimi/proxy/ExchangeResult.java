package io.kimi.proxy;

import io.kimi.core.RequestStatus;

/**
 * How a proxied exchange ended, handed to the {@link ExchangeObserver} once.
 *
 * @param status success, error or cancelled (client went away)
 * @param httpStatus the status the client received (or was about to)
 * @param error the error sent to the client, or {@code null}; for a stream that broke after it started,
 *     the error sent as an SSE event
 * @param streamed whether the reply was a stream (SSE)
 * @param transcript what was kept of the reply bytes as they passed (the JSON body, or the SSE events including
 *     a usage chunk that was stripped), bounded, to be parsed off the event loop with {@link ReplyParser}
 * @param sentNanos nanoseconds from arrival until the request was written to the provider (our overhead before
 *     the provider's part: preparing, connecting, retries), or -1 when it never was
 * @param ttftNanos nanoseconds from arrival to the first byte of the provider's reply, or -1
 * @param totalNanos nanoseconds from arrival to the end
 * @param attempts connection attempts made (1 when no retry was needed)
 */
public record ExchangeResult(
        RequestStatus status,
        int httpStatus,
        OpenAiError error,
        boolean streamed,
        ReplyTranscript transcript,
        long sentNanos,
        long ttftNanos,
        long totalNanos,
        int attempts) {

    /** A result for a request refused before anything was sent upstream. */
    public static ExchangeResult refused(int httpStatus, OpenAiError error, boolean stream, long arrivalNanos) {
        return new ExchangeResult(RequestStatus.ERROR, httpStatus, error, stream,
                ReplyTranscript.EMPTY, -1, -1, System.nanoTime() - arrivalNanos, 0);
    }
}
