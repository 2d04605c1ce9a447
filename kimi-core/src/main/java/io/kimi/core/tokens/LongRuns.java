package io.kimi.core.tokens;

import java.util.function.ToIntFunction;

/**
 * Keeps every piece of text that jtokkit encodes short. jtokkit cuts text with the encoding's regex and
 * byte-pair-merges each piece in memory and time that grow faster than the piece: one unbroken 4 MB word (a
 * base64 blob, a minified line, a provider echoing garbage) took over 256 MiB of heap, a 1 MB one 7.5 s, and
 * 200,000 spaces 1.6 s. So a run of more than {@value #LONG_RUN} characters of one kind, whitespace or not, is
 * encoded in {@value #SEGMENT}-character segments, each on its own; the text around it is encoded as it is. Text
 * without such a run is encoded whole, in one call, and counts exactly as before: runs of up to
 * {@value #LONG_RUN} characters (a long URL, a path, a Java stack frame of 150 characters) occur in ordinary text,
 * and jtokkit encodes them in well under a millisecond.
 *
 * <p>Cutting a run changes its count only at the cuts (a merge across a cut is lost, a space before the run no
 * longer joins its first token): on random letters, base64 and hex, within 0.5 % of encoding the run whole
 * (LongRunsTest and {@code LongWordFigures} in benchmarks/). Segments never split a surrogate pair.
 */
final class LongRuns {
    /** The longest run of one kind encoded as it is. */
    static final int LONG_RUN = 1024;
    /** The length of the segments a longer run is encoded in. */
    static final int SEGMENT = 128;

    private LongRuns() {
    }

    /**
     * The sum of {@code encoder} over the parts of {@code text}: the stretches between long runs whole, each
     * long run (more than {@value #LONG_RUN} characters) in segments of at most {@value #SEGMENT} characters. Calls {@code encoder} once with {@code text}
     * itself when it holds no long run.
     */
    static int count(String text, ToIntFunction<String> encoder) {
        int n = text.length();
        int total = 0;
        int pending = 0;
        int i = 0;
        while (i < n) {
            boolean space = isSpace(text.charAt(i));
            int runStart = i;
            do {
                i++;
            } while (i < n && isSpace(text.charAt(i)) == space);
            if (i - runStart > LONG_RUN) {
                if (runStart > pending) {
                    total += encoder.applyAsInt(text.substring(pending, runStart));
                }
                total += segments(text, runStart, i, encoder);
                pending = i;
            }
        }
        if (pending == 0) {
            return encoder.applyAsInt(text);
        }
        if (pending < n) {
            total += encoder.applyAsInt(text.substring(pending));
        }
        return total;
    }

    private static int segments(String text, int from, int to, ToIntFunction<String> encoder) {
        int total = 0;
        int start = from;
        while (start < to) {
            int end = Math.min(to, start + SEGMENT);
            if (end < to && Character.isHighSurrogate(text.charAt(end - 1))) {
                end--;
            }
            total += encoder.applyAsInt(text.substring(start, end));
            start = end;
        }
        return total;
    }

    /** Whitespace as the encodings' regexes see it ({@code \s}), no-break spaces included. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }
}
