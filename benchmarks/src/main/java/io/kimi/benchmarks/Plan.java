package io.kimi.benchmarks;

import java.util.List;

/**
 * How long and how hard each lane runs. {@link #full} is the documented run (about 20 minutes with a 10-minute
 * soak); {@link #smoke} runs every lane for a second or two, to keep the harness working (CI).
 *
 * @param smoke whether this is the smoke run (numbers meaningless)
 * @param latencySeconds measured seconds per peer at concurrency 1, per round
 * @param warmupSeconds warm-up seconds before each concurrency-1 measurement (not recorded)
 * @param rounds rounds of the concurrency-1 lane, peers interleaved; the report takes the median
 * @param throughputSeconds measured seconds per peer and concurrency in the throughput lane
 * @param sweep concurrencies of the throughput lane (zero delay); the last one is the headline
 * @param p99BoundMs the p99 bound for "throughput at a fixed p99 bound"
 * @param streamLevels concurrent streams tried, in order; a peer stops at its first stall
 * @param streamWarmupSeconds stream warm-up (streams started then are not measured)
 * @param streamSeconds measured seconds per stream level
 * @param soakSeconds the memory soak's length
 * @param soakSampleSeconds RSS sampling period during the soak
 * @param wsClients WebSocket fan-out clients
 * @param wsRates events per second published in the fan-out lane, tried in order
 * @param wsWarmupSeconds fan-out warm-up
 * @param wsSeconds fan-out measured seconds
 * @param jmhArgs arguments of the JMH run
 * @param largeMib sizes of the large-reply lane, MiB (among {@link LargeReplies#SIZES_MIB}); the largest is also
 *     sent as one stream event
 * @param largeReps timed requests per peer and size in the large-reply lane
 */
record Plan(boolean smoke, int latencySeconds, int warmupSeconds, int rounds, int throughputSeconds, List<Integer> sweep,
        double p99BoundMs, List<Integer> streamLevels, double streamWarmupSeconds, double streamSeconds,
        int soakSeconds, int soakSampleSeconds, int wsClients, List<Integer> wsRates, double wsWarmupSeconds,
        double wsSeconds,
        List<String> jmhArgs, List<Integer> largeMib, int largeReps) {

    static Plan full(int soakSeconds, List<Integer> streamLevels, int wsClients, List<Integer> wsRates) {
        return new Plan(false, 10, 3, 3, 8, List.of(1, 4, 16, 64), 5.0, streamLevels, 3, 6, soakSeconds,
                soakSeconds >= 120 ? 10 : 2, wsClients, wsRates, 3, 10,
                List.of("-f", "1", "-wi", "3", "-w", "1s", "-i", "5", "-r", "1s"), List.of(8, 16, 24), 5);
    }

    static Plan smoke(int soakSeconds) {
        return new Plan(true, 1, 1, 1, 1, List.of(64), 5.0, List.of(64), 0.5, 1.5, soakSeconds, 1, 50, List.of(100), 1, 2,
                List.of("-f", "0", "-wi", "0", "-i", "1", "-r", "200ms", "-p", "conversationTokens=20000"),
                List.of(1), 1);
    }
}
