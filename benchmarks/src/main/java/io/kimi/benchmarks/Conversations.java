package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import java.util.Random;

/**
 * A long IDE-agent conversation built for the micro-benchmarks: a system prompt, then user turns, assistant
 * replies with tool calls, and tool results (code and logs), with deterministic pseudo-random text, until it
 * holds about the asked number of tokens.
 */
public final class Conversations {
    private static final String[] WORDS = ("the a proxy request stream token session counter latency buffer event "
            + "loop netty channel handler pipeline reply upstream provider model usage chunk compaction memory "
            + "gateway error retry timeout header body json parse write flush read queue batch store sqlite index "
            + "because when while after before should would could must never always first then finally check "
            + "measure profile allocate release retain slice copy wrap encode decode count cache hash key value")
            .split(" ");
    private static final String CODE = """
            final class Relay {
                private final Map<String, Integer> counts = new HashMap<>();
                int count(String text) {
                    return counts.computeIfAbsent(text, t -> t.length() / 4 + 1);
                }
            }
            """;

    private Conversations() {
    }

    /** The messages array of a conversation of about {@code tokens} tokens (cl100k_base, OpenAI's rules). */
    public static ArrayNode build(ObjectMapper json, TokenCounter counter, int tokens, long seed) {
        Random random = new Random(seed);
        ArrayNode messages = json.createArrayNode();
        messages.addObject().put("role", "system").put("content", sentence(random, 300));
        int total = counter.countMessage(TokenEncoding.CL100K_BASE, messages.get(0));
        int turn = 0;
        while (total < tokens) {
            ObjectNode m;
            switch (turn % 4) {
                case 0 -> m = json.createObjectNode().put("role", "user").put("content", sentence(random, 120));
                case 1 -> {
                    m = json.createObjectNode().put("role", "assistant").putNull("content");
                    ObjectNode call = m.putArray("tool_calls").addObject().put("id", "call_" + turn)
                            .put("type", "function");
                    call.putObject("function").put("name", "read_file")
                            .put("arguments", "{\"path\":\"src/main/java/Relay" + turn + ".java\"}");
                }
                case 2 -> m = json.createObjectNode().put("role", "tool").put("tool_call_id", "call_" + (turn - 1))
                        .put("content", code(random, 2 + random.nextInt(30)));
                default -> m = json.createObjectNode().put("role", "assistant").put("content",
                        sentence(random, 150 + random.nextInt(600)));
            }
            messages.add(m);
            total += counter.countMessage(TokenEncoding.CL100K_BASE, m);
            turn++;
        }
        return messages;
    }

    /** A user message unlike any other (its text carries {@code n}). */
    public static ObjectNode newUserMessage(ObjectMapper json, long n) {
        return json.createObjectNode().put("role", "user").put("content", "Follow-up question number " + n
                + ": now that the relay is fixed, what should we measure next, and how do we know the memo "
                + "cache is doing its job on a long conversation like this one? Answer in three short points.");
    }

    private static String sentence(Random random, int words) {
        StringBuilder b = new StringBuilder(words * 7);
        for (int i = 0; i < words; i++) {
            b.append(i == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            if (random.nextInt(12) == 0) {
                b.append(random.nextBoolean() ? ',' : '.');
            }
        }
        return b.toString();
    }

    private static String code(Random random, int blocks) {
        StringBuilder b = new StringBuilder(blocks * CODE.length());
        for (int i = 0; i < blocks; i++) {
            b.append("// block ").append(random.nextInt(100_000)).append('\n').append(CODE);
        }
        return b.toString();
    }
}
