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
    private static final int MAX = LongRuns.MAX_RUN;

    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
    private final Encoding cl100k = registry.getEncoding(EncodingType.CL100K_BASE);
    private final Encoding o200k = registry.getEncoding(EncodingType.O200K_BASE);

    @Test
    void textWithoutALongRunIsEncodedWholeInOneCall() {
        for (String text : List.of(prose(2_000, 1), code(), "x".repeat(MAX), " ".repeat(MAX) + "y".repeat(MAX),
                "a", " ")) {
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
        // A long document of ordinary words, code and punctuation: no cut, so the count is jtokkit's own.
        String text = prose(200_000, 2) + "\n\n" + code();
        assertThat(LongRuns.count(text, cl100k::countTokensOrdinary)).isEqualTo(cl100k.countTokensOrdinary(text));
        assertThat(LongRuns.count(text, o200k::countTokensOrdinary)).isEqualTo(o200k.countTokensOrdinary(text));
    }

    @Test
    void aLongRunIsCutIntoSegmentsAndTheTextAroundItKeptWhole() {
        String before = "Here is the blob: ";
        String run = "q".repeat(3 * MAX + 5);
        String after = " and that was it.";
        List<String> pieces = new ArrayList<>();

        int total = LongRuns.count(before + run + after, piece -> {
            pieces.add(piece);
            return piece.length();
        });

        assertThat(pieces).containsExactly(before, "q".repeat(MAX), "q".repeat(MAX), "q".repeat(MAX), "qqqqq",
                after);
        assertThat(total).isEqualTo(before.length() + run.length() + after.length());
    }

    @Test
    void aLongRunOfWhitespaceIsCutToo() {
        // 200,000 spaces took jtokkit 1.6 s as one piece.
        String text = "a" + " ".repeat(MAX + 1) + "b";
        List<String> pieces = new ArrayList<>();

        LongRuns.count(text, piece -> {
            pieces.add(piece);
            return 1;
        });

        assertThat(pieces).containsExactly("a", " ".repeat(MAX), " ", "b");
    }

    @Test
    void noPieceEverSplitsASurrogatePairOrGrowsPastTheBound() {
        String emoji = "\uD83D\uDE00";
        String text = "x" + emoji.repeat(1_000) + " tail";
        List<String> pieces = new ArrayList<>();

        LongRuns.count(text, piece -> {
            pieces.add(piece);
            return 0;
        });

        assertThat(String.join("", pieces)).isEqualTo(text);
        for (String piece : pieces) {
            assertThat(piece.length()).isLessThanOrEqualTo(MAX);
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
