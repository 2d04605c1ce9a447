package io.kimi.core.tokens;

import static org.assertj.core.api.Assertions.assertThat;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LongRunsTest {
    private static final int LONG = LongRuns.LONG_RUN;
    private static final int SEG = LongRuns.SEGMENT;

    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
    private final Encoding cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
    private final Encoding o200k = registry.getEncoding(EncodingType.O200K_BASE);

    @Test
    void textWithoutALongRunIsEncodedWholeInOneCall() {
        for (String text : List.of(prose(2_000, 1), code(), "x".repeat(LONG), " ".repeat(LONG) + "y".repeat(LONG),
                STACK_FRAMES, "a", " ")) {
            List<String> pieces = new ArrayList<>();
            int total = LongRuns.count(text, piece -> {
                pieces.add(piece);
                return 7;
            });
            assertThat(pieces).hasSize(1);
            assertThat(pieces.get(0)).isSameAs(text);
            assertThat(total).isEqualTo(7);
        }
    }

    @Test
    void ordinaryTextCountsExactlyAsJtokkitDoes() {
        // A long document of ordinary words, code, stack frames of 150 characters and a long URL: no cut, so the
        // count is jtokkit's own.
        String text = prose(200_000, 2) + "\n\n" + code() + STACK_FRAMES + "https://example.com/search?q="
                + "x".repeat(900);
        assertThat(LongRuns.count(text, cl100k::countTokensOrdinary)).isEqualTo(cl100k.countTokensOrdinary(text));
        assertThat(LongRuns.count(text, o200k::countTokensOrdinary)).isEqualTo(o200k.countTokensOrdinary(text));
    }

    @Test
    void aLongRunIsCutIntoSegmentsAndTheTextAroundItKeptWhole() {
        String before = "Here is the blob: ";
        String run = "q".repeat(8 * SEG + 5);
        String after = " and that was it.";
        List<String> pieces = new ArrayList<>();

        int total = LongRuns.count(before + run + after, piece -> {
            pieces.add(piece);
            return piece.length();
        });

        List<String> expected = new ArrayList<>(List.of(before));
        for (int i = 0; i < 8; i++) {
            expected.add("q".repeat(SEG));
        }
        expected.add("qqqqq");
        expected.add(after);
        assertThat(pieces).containsExactlyElementsOf(expected);
        assertThat(total).isEqualTo(before.length() + run.length() + after.length());
    }

    @Test
    void aLongRunOfWhitespaceIsCutToo() {
        // 200,000 spaces took jtokkit 1.6 s as one piece.
        String text = "a" + " ".repeat(LONG + 1) + "b";
        List<String> pieces = new ArrayList<>();

        LongRuns.count(text, piece -> {
            pieces.add(piece);
            return 1;
        });

        assertThat(pieces).hasSize(2 + LONG / SEG + 1).startsWith("a", " ".repeat(SEG)).endsWith(" ", "b");
    }

    @Test
    void noPieceEverSplitsASurrogatePairOrGrowsPastTheBound() {
        String emoji = "\uD83D\uDE00";
        String text = "x" + emoji.repeat(2_000) + "y";
        List<String> pieces = new ArrayList<>();

        LongRuns.count(text, piece -> {
            pieces.add(piece);
            return 0;
        });

        assertThat(String.join("", pieces)).isEqualTo(text);
        for (String piece : pieces) {
            assertThat(piece.length()).isLessThanOrEqualTo(SEG);
            assertThat(Character.isLowSurrogate(piece.charAt(0))).as("piece starts inside a pair").isFalse();
            assertThat(Character.isHighSurrogate(piece.charAt(piece.length() - 1))).as("piece ends inside a pair")
                    .isFalse();
        }
    }

    @Test
    void longWordsCountWithinHalfAPercentOfEncodingThemWhole() {
        // Sizes jtokkit still encodes whole in reasonable time; one word of random letters, and a base64 blob.
        for (Encoding encoding : List.of(cl100k, o200k)) {
            for (int length : List.of(10_000, 100_000)) {
                for (String word : List.of(randomWord(length, "abcdefghijklmnopqrstuvwxyz", length),
                        randomWord(length, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                                length + 1))) {
                    int whole = encoding.countTokensOrdinary(word);
                    int cut = LongRuns.count(word, encoding::countTokensOrdinary);
                    assertThat((double) Math.abs(cut - whole) / whole)
                            .as("%s, %d chars: whole %d, cut %d", encoding.getName(), length, whole, cut)
                            .isLessThanOrEqualTo(0.005);
                }
            }
        }
    }

    @Test
    void aRunOfOneRepeatedLetterCountsExactly() {
        // jtokkit's tokens of 'a' runs are 8 letters long, a divisor of the segment length.
        String word = "a".repeat(50_000);
        assertThat(LongRuns.count(word, cl100k::countTokensOrdinary)).isEqualTo(cl100k.countTokensOrdinary(word));
    }

    /** Java stack frames as tool output carries them: runs of about 150 characters without a space. */
    private static final String STACK_FRAMES = "\tat org.junit.platform.engine.support.hierarchical."
            + "SameThreadHierarchicalTestExecutorService.submit(SameThreadHierarchicalTestExecutorService.java:35)\n"
            + "\tat org.junit.jupiter.engine.execution.InterceptingExecutableInvoker$ReflectiveInterceptorCall."
            + "lambda$ofVoidMethod$0(InterceptingExecutableInvoker.java:103)\n";

    /** Words of 1-12 letters with punctuation and line breaks, as in a chat message. */
    static String prose(int chars, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String[] words = {"the", "proxy", "counts", "tokens", "of", "each", "message", "before", "sending", "it",
                "upstream", "and", "records", "what", "the", "provider", "reported", "afterwards", "café", "naïve",
                "日本語", "données", "42", "3.14", "x_y", "camelCase", "(parenthesis)", "\"quoted\""};
        StringBuilder out = new StringBuilder(chars + 16);
        while (out.length() < chars) {
            out.append(words[random.nextInt(words.length)]);
            int r = random.nextInt(20);
            out.append(r == 0 ? ".\n\n" : r == 1 ? ", " : r == 2 ? "\n" : " ");
        }
        return out.toString();
    }

    private static String code() {
        return """
                public final class Example {
                    private final Map<String, List<Integer>> index = new HashMap<>();

                    int count(String key) {
                        return index.getOrDefault(key, List.of()).size(); // a comment; with punctuation!
                    }
                }
                """;
    }

    private static String randomWord(int length, String alphabet, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder word = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            word.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return word.toString();
    }
}
