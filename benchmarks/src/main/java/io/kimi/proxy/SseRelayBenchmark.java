package io.kimi.proxy;

import io.kimi.benchmarks.MockPayloads;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The relay's work per SSE chunk, on the event loop: framing a read into events and the byte-level usage check
 * (and the usage chunk's JSON check); and, off the event loop, reading usage and text back out of a stream's
 * transcript (per chunk). A stream is the mock's: 64 deltas, then the usage chunk and {@code [DONE]}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SseRelayBenchmark {
    private static final int DELTAS = 64;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final ReplyParser parser = new ReplyParser();
    private final List<ByteBuf> events = new ArrayList<>(4);
    private ByteBuf[] chunks;
    private ByteBuf usageEvent;
    private byte[] transcript;
    private byte[] body;

    @Setup(Level.Trial)
    public void setUp() {
        chunks = new ByteBuf[DELTAS + 1];
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int i = 0; i < DELTAS; i++) {
            byte[] b = delta(i).getBytes(StandardCharsets.UTF_8);
            chunks[i] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(b.length).writeBytes(b));
            all.writeBytes(b);
        }
        byte[] tail = TAIL.getBytes(StandardCharsets.UTF_8);
        chunks[DELTAS] = Unpooled.unreleasableBuffer(Unpooled.directBuffer(tail.length).writeBytes(tail));
        all.writeBytes(tail);
        transcript = all.toByteArray();
        byte[] usage = TAIL.substring(0, TAIL.indexOf("\n\n") + 2).getBytes(StandardCharsets.UTF_8);
        usageEvent = Unpooled.unreleasableBuffer(Unpooled.directBuffer(usage.length).writeBytes(usage));
        body = MockPayloads.chatCompletionBytes(4096);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        events.clear();
    }

    /** A whole stream through a new framer, chunk by chunk, with the usage check on each event. */
    @Benchmark
    @OperationsPerInvocation(DELTAS + 1)
    public int frameAndCheckPerChunk() {
        SseFramer framer = new SseFramer(alloc);
        int usage = 0;
        for (ByteBuf chunk : chunks) {
            framer.feed(chunk.retainedDuplicate(), events);
            for (int i = 0; i < events.size(); i++) {
                ByteBuf event = events.get(i);
                if (SseEvents.mayHoldUsage(event)) {
                    usage++;
                }
                event.release();
            }
            events.clear();
        }
        framer.release();
        return usage;
    }

    /** The usage chunk's extra check (is it the usage-only chunk to strip?): once per stream. */
    @Benchmark
    public boolean usageOnlyCheck() {
        return ProxyExchange.isUsageOnlyChunk(usageEvent);
    }

    /** Usage and generated text out of a whole stream's transcript, per chunk (the accounting thread's work). */
    @Benchmark
    @OperationsPerInvocation(DELTAS + 1)
    public ParsedReply parseTranscriptPerChunk() {
        return parser.parse(transcript, true);
    }

    /** Usage and text out of a plain (not streamed) 4 KB reply: the accounting thread's work per request. */
    @Benchmark
    public ParsedReply parseWholeReply() {
        return parser.parse(body, false);
    }

    private static String delta(int i) {
        String delta = i == 0 ? "{\"role\":\"assistant\",\"content\":\"Token" + i + " \"}"
                : "{\"content\":\"token" + i + " \"}";
        return "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,"
                + "\"finish_reason\":" + (i == DELTAS - 1 ? "\"stop\"" : "null") + "}],\"usage\":null}\n\n";
    }

    private static final String TAIL = "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":231,"
            + "\"completion_tokens\":128,\"total_tokens\":359}}\n\ndata: [DONE]\n\n";
}
