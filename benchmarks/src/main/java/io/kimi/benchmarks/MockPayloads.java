package io.kimi.benchmarks;

import java.nio.charset.StandardCharsets;

/**
 * The bytes of the benchmark: a chat completion request of about 1 KB, and the mock's replies (a JSON reply of
 * a chosen size; SSE deltas, then a usage chunk and {@code [DONE]}). Plain text built once, so every peer
 * carries exactly the same bytes.
 */
public final class MockPayloads {
    static final String ID = "chatcmpl-bench0000000000000000000000";

    private MockPayloads() {
    }

    /**
     * A realistic request of about 1 KB: a system prompt and a short exchange. {@code model} decides the mock's
     * mode (a name containing {@code delay} is answered after the fixed delay).
     */
    public static String request(String model, boolean stream) {
        StringBuilder b = new StringBuilder(1200);
        b.append("{\"model\":\"").append(model).append("\",\"messages\":[")
                .append("{\"role\":\"system\",\"content\":\"You are a careful senior engineer. Answer precisely, ")
                .append("cite the files you rely on, and prefer small reversible changes over large rewrites. ")
                .append("When unsure, say so and propose how to check.\"},")
                .append("{\"role\":\"user\",\"content\":\"Our reverse proxy adds latency at the 99th percentile ")
                .append("under load. The event loop also parses JSON, counts tokens and writes records. What ")
                .append("should we measure first, and how do we tell the proxy's own cost from the upstream's?\"},")
                .append("{\"role\":\"assistant\",\"content\":\"Measure the floor first: the same load sent ")
                .append("straight to the upstream. Then the same load through a plain reverse proxy such as ")
                .append("nginx, and through ours, in the same run. The difference of the percentiles is the ")
                .append("added latency; profile where the time goes before changing anything.\"},")
                .append("{\"role\":\"user\",\"content\":\"Good. Give me the three most likely causes on a ")
                .append("Netty server written in Java, in order, with one sentence each.\"}],")
                .append("\"temperature\":0.2,\"max_tokens\":512");
        if (stream) {
            b.append(",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
        }
        return b.append('}').toString();
    }

    /** {@link #chatCompletion} as UTF-8 bytes. */
    public static byte[] chatCompletionBytes(int bytes) {
        return chatCompletion(bytes).getBytes(StandardCharsets.UTF_8);
    }

    /** A non-streamed chat completion of about {@code bytes} bytes (at least the JSON frame). */
    public static String chatCompletion(int bytes) {
        String head = "{\"id\":\"" + ID + "\",\"object\":\"chat.completion\",\"created\":1700000000,"
                + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
        String tail = "\"},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":231,"
                + "\"completion_tokens\":" + Math.max(1, bytes / 5) + ",\"total_tokens\":" + (231 + Math.max(1, bytes / 5))
                + "}}";
        StringBuilder b = new StringBuilder(bytes + 64).append(head);
        String words = "The first cause is work on the event loop that should not be there. ";
        int room = Math.max(0, bytes - head.length() - tail.length());
        while (b.length() - head.length() < room) {
            b.append(words);
        }
        b.setLength(head.length() + room);
        return b.append(tail).toString();
    }

    /** The model that asks the mock for a reply of {@code mib} MiB (the large-reply lane). */
    public static String largeModel(int mib) {
        return "bench-" + mib + "m";
    }

    /**
     * A whole stream whose content comes in one event of about {@code bytes} bytes, then the usage chunk and
     * {@code [DONE]}: the large-reply lane's single event.
     */
    static String singleEventStream(int bytes) {
        String head = "data: {\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"";
        String end = "\"},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n";
        String words = "The first cause is work on the event loop that should not be there. ";
        int room = Math.max(0, bytes - head.length() - end.length());
        StringBuilder b = new StringBuilder(bytes + 256).append(head);
        while (b.length() - head.length() < room) {
            b.append(words);
        }
        b.setLength(head.length() + room);
        return b.append(end).append(streamTail(Math.max(1, bytes / 5))).toString();
    }

    /** One SSE delta event; the first one carries the role, the last one the finish reason. */
    static String streamDelta(int i, int count) {
        String delta = i == 0 ? "{\"role\":\"assistant\",\"content\":\"Token" + i + " \"}"
                : "{\"content\":\"token" + i + " \"}";
        String finish = i == count - 1 ? "\"stop\"" : "null";
        return "data: {\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"bench\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,"
                + "\"finish_reason\":" + finish + "}]}\n\n";
    }

    /** The usage chunk (empty choices, as OpenAI sends it when asked) and the end marker. */
    static String streamTail(int count) {
        return "data: {\"id\":\"" + ID + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"bench\",\"choices\":[],\"usage\":{\"prompt_tokens\":231,\"completion_tokens\":"
                + (count * 2) + ",\"total_tokens\":" + (231 + count * 2) + "}}\n\ndata: [DONE]\n\n";
    }
}
