package io.kimi.core.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.benchmarks.Conversations;
import io.kimi.benchmarks.MockPayloads;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prompt counting on a long conversation ({@code conversationTokens}, 200k by default): the memoised counter
 * when one new message was appended (the proxy's case at every turn), when nothing changed, a single new
 * message alone, and a counter with no memo (every message tokenized).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TokenCountingBenchmark {
    @Param("200000")
    public int conversationTokens;

    private final ObjectMapper json = new ObjectMapper();
    private TokenCounter memoised;
    private TokenCounter fresh;
    private ObjectNode request;
    private ArrayNode messages;
    private long next;

    @Setup(Level.Trial)
    public void setUp() {
        memoised = new TokenCounter(64L << 20);
        fresh = new TokenCounter(0);
        messages = Conversations.build(json, memoised, conversationTokens, 42);
        request = json.createObjectNode().put("model", "bench");
        request.set("messages", messages);
        memoised.countPrompt(TokenEncoding.CL100K_BASE, request);
    }

    /** The conversation plus one message never seen before: one miss, every other message a hit. */
    @Benchmark
    public int memoisedOneNewMessage() {
        messages.add(Conversations.newUserMessage(json, next++));
        try {
            return memoised.countPrompt(TokenEncoding.CL100K_BASE, request);
        } finally {
            messages.remove(messages.size() - 1);
        }
    }

    /** The same conversation again: every message a hit. */
    @Benchmark
    public int memoisedUnchanged() {
        return memoised.countPrompt(TokenEncoding.CL100K_BASE, request);
    }

    /** One new message alone (the floor of the case above). */
    @Benchmark
    public int newMessageAlone() {
        return memoised.countMessage(TokenEncoding.CL100K_BASE, Conversations.newUserMessage(json, next++));
    }

    /** The completion estimate of a 4 KB reply's text (the accounting thread counts every reply's text). */
    @Benchmark
    public int completionOf4kReply() {
        return memoised.countCompletion(TokenEncoding.CL100K_BASE, REPLY_TEXT);
    }

    private static final String REPLY_TEXT = MockPayloads.chatCompletion(4096)
            .replaceAll("^.*\"content\":\"", "").replaceAll("\".*$", "");

    /** No memo: the whole conversation tokenized. */
    @Benchmark
    public int freshConversation() {
        return fresh.countPrompt(TokenEncoding.CL100K_BASE, request);
    }
}
