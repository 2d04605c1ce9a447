package io.kimi.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.sun.management.ThreadMXBean;
import io.kimi.core.tokens.TokenCounter;
import io.kimi.core.tokens.TokenEncoding;
import io.kimi.testing.ToolHeavyConversation;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.ToIntFunction;

/**
 * Issue 13: what counting one long unbroken word costs. For each size, one word of random lower-case letters (a
 * piece jtokkit's regex cannot split) is counted by {@link TokenCounter} (runs of over 1,024 characters counted in
 * 128-character segments) and, with {@code --whole}, by jtokkit on the whole word as before the fix. Prints, per
 * count: the time, the bytes the counting thread allocated, and the peak heap in use during it (after a GC before;
 * an upper bound, as it includes garbage not yet collected), or the error that ended it. Then our count against
 * jtokkit's whole count on ordinary text (the strings of the fixtures' 60-turn tool-heavy conversation) and on
 * single words of 10,000 and 100,000 letters (and 1,000,000 with {@code --whole}).
 *
 * <pre>{@code
 * java -Xmx256m -cp benchmarks/target/benchmarks.jar io.kimi.benchmarks.LongWordFigures [--whole] [MB ...]
 * }</pre>
 *
 * <p>Sizes default to 4 and 16 (MB, of 1,000,000 characters). The 256 MiB heap is what a small deployment gives
 * the server; {@code --whole} on 4 MB runs it out of heap there (the "before" figure). Single-threaded; other
 * load on the machine shows in the times.
 */
public final class LongWordFigures {
    private static final int MB = 1_000_000;

    private LongWordFigures() {
    }

    public static void main(String[] argv) {
        boolean whole = false;
        List<Integer> sizes = new ArrayList<>();
        for (String arg : argv) {
            if (arg.equals("--whole")) {
                whole = true;
            } else {
                sizes.add(Integer.parseInt(arg));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(4, 16);
        }
        System.out.printf(Locale.ROOT, "Java %s, %d cores, max heap %d MiB, load average %.2f%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        TokenCounter counter = new TokenCounter(0);
        Encoding jtokkit = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        // Warm-up: load the encoding and compile the hot paths on a small word.
        measure("warm-up", word(MB / 10, 0), text -> counter.countText(TokenEncoding.CL100K_BASE, text), false);
        for (int size : sizes) {
            String word = word(size * MB, size);
            measure(size + " MB, segments", word, text -> counter.countText(TokenEncoding.CL100K_BASE, text), true);
            if (whole) {
                measure(size + " MB, whole (jtokkit alone)", word, jtokkit::countTokensOrdinary, true);
            }
        }
        accuracy(counter, jtokkit, whole);
    }

    /**
     * Our count against jtokkit's on the whole text: ordinary text (every string of the 60-turn tool-heavy
     * conversation of the test fixtures), and single words of 10,000 to 1,000,000 random letters (1,000,000 only
     * with {@code --whole}: jtokkit takes seconds on it whole).
     */
    private static void accuracy(TokenCounter counter, Encoding jtokkit, boolean whole) {
        StringBuilder ordinary = new StringBuilder();
        strings(ToolHeavyConversation.messages(60, 42), ordinary);
        compare("ordinary text (tool-heavy conversation)", ordinary.toString(), counter, jtokkit);
        List<Integer> lengths = whole ? List.of(10_000, 100_000, 1_000_000) : List.of(10_000, 100_000);
        for (int length : lengths) {
            compare(String.format(Locale.ROOT, "one word of %,d letters", length), word(length, length), counter,
                    jtokkit);
        }
    }

    private static void compare(String what, String text, TokenCounter counter, Encoding jtokkit) {
        int ours = counter.countText(TokenEncoding.CL100K_BASE, text);
        int theirs = jtokkit.countTokensOrdinary(text);
        System.out.printf(Locale.ROOT, "accuracy: %-40s %,10d chars  segments %,9d  whole %,9d  %+.3f %%%n", what,
                text.length(), ours, theirs, 100.0 * (ours - theirs) / theirs);
    }

    private static void strings(JsonNode node, StringBuilder out) {
        if (node.isTextual()) {
            out.append(node.asText()).append('\n');
        }
        for (JsonNode child : node) {
            strings(child, out);
        }
    }

    private static void measure(String what, String word, ToIntFunction<String> count, boolean print) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        System.gc();
        List<MemoryPoolMXBean> heap = new ArrayList<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
                heap.add(pool);
            }
        }
        long allocatedBefore = threads.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        String outcome;
        try {
            int tokens = count.applyAsInt(word);
            outcome = String.format(Locale.ROOT, "%,d tokens", tokens);
        } catch (OutOfMemoryError e) {
            outcome = "OutOfMemoryError (" + e.getMessage() + ")";
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long allocated = threads.getThreadAllocatedBytes(thread) - allocatedBefore;
        long peak = 0;
        for (MemoryPoolMXBean pool : heap) {
            peak += pool.getPeakUsage().getUsed();
        }
        if (print) {
            System.out.printf(Locale.ROOT, "%-32s %-34s %8.2f s  allocated %,7d MiB  peak heap %,5d MiB%n", what,
                    outcome, seconds, allocated >> 20, peak >> 20);
        }
    }

    /** {@code length} random lower-case letters: one word. */
    private static String word(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        char[] letters = new char[length];
        for (int i = 0; i < length; i++) {
            letters[i] = (char) ('a' + random.nextInt(26));
        }
        return new String(letters);
    }
}
