package io.kimi.services.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.kimi.core.RequestStatus;
import io.kimi.core.TokenUsage;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.proxy.ExchangeResult;
import io.kimi.proxy.ReplyParser;
import io.kimi.proxy.ReplyTranscript;
import java.util.Arrays;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;

class ReplyCounterTest {
    private static final TokenEncoding ENCODING = TokenEncoding.CL100K_BASE;
    private static final String BODY = "{\"choices\":[{\"message\":{\"content\":\"Hello there, how are you?\"}}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":7}}";

    private final TokenCounter tokens = new TokenCounter(0);
    private final ReplyCounter counter = new ReplyCounter(new ReplyParser(), tokens::countCompletion);

    @Test
    void aWholeReplyIsCountedAndNothingEstimated() {
        CountedReply reply = counter.count("r1", ENCODING, exchange(ReplyTranscript.whole(BODY.getBytes(UTF_8))));

        assertThat(reply).isEqualTo(new CountedReply(new TokenUsage(9, 7, 0),
                tokens.countCompletion(ENCODING, "Hello there, how are you?"), 0, null, null, true));
    }

    @Test
    void aReplyWithReportedUsageLeftOutOfTheSampleIsReadForItsUsageOnly() {
        CountedReply reply = counter.count("r1", ENCODING, exchange(ReplyTranscript.whole(BODY.getBytes(UTF_8))),
                () -> false);

        assertThat(reply).isEqualTo(CountedReply.uncounted(new TokenUsage(9, 7, 0), null));
        assertThat(reply.completionCounted()).isFalse();
    }

    @Test
    void aReplyWithoutReportedUsageIsCountedWhateverTheSample() {
        String body = "{\"choices\":[{\"message\":{\"content\":\"Hello there\"}}]}";

        CountedReply reply = counter.count("r1", ENCODING, exchange(ReplyTranscript.whole(body.getBytes(UTF_8))),
                () -> false);

        assertThat(reply.reported()).isNull();
        assertThat(reply.completionCounted()).isTrue();
        assertThat(reply.completionTokens()).isEqualTo(tokens.countCompletion(ENCODING, "Hello there"));
    }

    @Test
    void bytesPastTheKeptPartAreEstimatedAtTheRateOfThePartCounted() {
        // 1,000 bytes kept, 300 tokens counted in them: 9,000 bytes more are about 2,700 tokens.
        assertThat(ReplyCounter.estimate(9_000, 300, 1_000)).isEqualTo(2_700);
        // Nothing counted to learn from: 4 bytes a token.
        assertThat(ReplyCounter.estimate(9_000, 0, 1_000)).isEqualTo(2_250);
        assertThat(ReplyCounter.estimate(0, 300, 1_000)).isZero();
    }

    @Test
    void aCutBodyCountsItsHeadAndEstimatesTheRest() {
        String body = "{\"choices\":[{\"message\":{\"content\":\"" + "lorem ipsum ".repeat(1_000) + "\"}}],"
                + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2000}}";
        byte[] all = body.getBytes(UTF_8);
        int head = 6_000;
        ReplyTranscript cut = new ReplyTranscript(Arrays.copyOf(all, head),
                Arrays.copyOfRange(all, all.length - 100, all.length), true, all.length - head);

        CountedReply reply = counter.count("r1", ENCODING, exchange(cut));

        int whole = tokens.countCompletion(ENCODING, "lorem ipsum ".repeat(1_000));
        assertThat(reply.reported()).isEqualTo(new TokenUsage(9, 2000, 0));
        assertThat(reply.estimatedReplyBytes()).isEqualTo(all.length - head);
        assertThat(reply.accountingError()).isNull();
        assertThat((double) reply.completionTokens()).isCloseTo(whole, Percentage.withPercentage(5));
    }

    @Test
    void aFailureWhileCountingIsRecordedWithAnEstimateFromTheReplysSize() {
        ReplyCounter failing = new ReplyCounter(new ReplyParser(), (encoding, text) -> {
            throw new OutOfMemoryError("Java heap space");
        });
        byte[] body = BODY.getBytes(UTF_8);

        CountedReply reply = failing.count("r1", ENCODING, exchange(ReplyTranscript.whole(body)));

        assertThat(reply.reported()).as("the usage read before the failure is kept").isEqualTo(new TokenUsage(9, 7, 0));
        assertThat(reply.completionTokens()).isEqualTo((body.length + 3) / 4);
        assertThat(reply.estimatedReplyBytes()).isEqualTo(body.length);
        assertThat(reply.accountingError()).isEqualTo("OutOfMemoryError while counting the reply");
    }

    @Test
    void aRuntimeExceptionOrAStackOverflowIsHandledTheSameWay() {
        byte[] sse = "data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n".getBytes(UTF_8);
        ReplyTranscript streamed = new ReplyTranscript(sse, new byte[0], false, 400);
        ReplyCounter throwing = new ReplyCounter(new ReplyParser(), (encoding, text) -> {
            throw new IllegalStateException("a message that could quote the reply");
        });
        ReplyCounter overflowing = new ReplyCounter(new ReplyParser(), (encoding, text) -> {
            throw new StackOverflowError();
        });
        ExchangeResult exchange = new ExchangeResult(RequestStatus.SUCCESS, 200, null, true, streamed, 0, 0, 0, 1);

        CountedReply thrown = throwing.count("r1", ENCODING, exchange);
        CountedReply overflown = overflowing.count("r2", ENCODING, exchange);

        assertThat(thrown.accountingError()).isEqualTo("IllegalStateException while counting the reply");
        assertThat(overflown.accountingError()).isEqualTo("StackOverflowError while counting the reply");
        assertThat(thrown.estimatedReplyBytes()).isEqualTo(sse.length + 400L);
        assertThat(thrown.completionTokens()).isEqualTo((sse.length + 400 + 3) / 4);
    }

    private static ExchangeResult exchange(ReplyTranscript transcript) {
        return new ExchangeResult(RequestStatus.SUCCESS, 200, null, false, transcript, 0, 0, 0, 1);
    }
}
