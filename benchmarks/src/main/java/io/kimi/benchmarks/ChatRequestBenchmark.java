package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The JSON work of preparing a chat completion, step for step as {@code ChatCompletions.prepare} does it:
 * parse the body once, check {@code model}, {@code messages} and {@code stream}, count the prompt (memoised),
 * set the upstream model id and {@code stream_options.include_usage}, and serialise the body again. For the
 * benchmark's 1 KB request and for a body holding a 200k-token conversation plus one new message.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ChatRequestBenchmark {
    @Param({"small", "conversation"})
    public String body;

    @Param("200000")
    public int conversationTokens;

    private final ObjectMapper json = new ObjectMapper();
    private TokenCounter counter;
    private byte[] bytes;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        counter = new TokenCounter(64L << 20);
        if (body.equals("small")) {
            bytes = MockPayloads.request("bench", true).getBytes(StandardCharsets.UTF_8);
        } else {
            ArrayNode messages = Conversations.build(json, counter, conversationTokens, 42);
            messages.add(Conversations.newUserMessage(json, 1));
            ObjectNode request = json.createObjectNode().put("model", "bench").put("stream", true);
            request.set("messages", messages);
            bytes = json.writeValueAsBytes(request);
        }
        prepare(); // the memo now holds every message, as it does from the second turn on
    }

    @Benchmark
    public byte[] prepare() throws IOException {
        JsonNode node = json.readTree(bytes);
        if (!(node instanceof ObjectNode request)) {
            throw new IllegalStateException("not an object");
        }
        JsonNode model = request.get("model");
        JsonNode messages = request.get("messages");
        JsonNode stream = request.get("stream");
        if (model == null || !model.isTextual() || messages == null || !messages.isArray()
                || (stream != null && !stream.isBoolean())) {
            throw new IllegalStateException("invalid request");
        }
        int prompt = counter.countPrompt(TokenEncoding.CL100K_BASE, request);
        request.put("model", "upstream-" + model.asText());
        if (stream != null && stream.asBoolean()) {
            JsonNode options = request.get("stream_options");
            ObjectNode o = options instanceof ObjectNode on ? on : request.putObject("stream_options");
            o.put("include_usage", true);
        }
        request.put("bench_prompt_tokens", prompt); // keeps the count alive without changing the work
        return json.writeValueAsBytes(request);
    }
}
