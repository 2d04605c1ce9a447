package io.kimi.features.repair;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonRepairerTest {
    private static final long FAR = Long.MAX_VALUE / 2;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A clock that never moves: only the repairer's own work can end a run. */
    private final JsonRepairer repairer = new JsonRepairer(() -> 0L);

    static Stream<Arguments> repairable() {
        return Stream.of(
                Arguments.of("trailing commas", "{\"a\": 1, \"b\": [1, 2,],}", "{\"a\":1,\"b\":[1,2]}"),
                Arguments.of("doubled commas", "[1,, 2]", "[1,2]"),
                Arguments.of("single quotes", "{'path': 'src/Main.java'}", "{\"path\":\"src/Main.java\"}"),
                Arguments.of("apostrophe in single quotes", "{'msg': 'it's done'}", "{\"msg\":\"it's done\"}"),
                Arguments.of("double quote in single quotes", "{'q': 'say \"hi\"'}", "{\"q\":\"say \\\"hi\\\"\"}"),
                Arguments.of("escaped single quote", "{\"q\": \"it\\'s\"}", "{\"q\":\"it's\"}"),
                Arguments.of("unquoted keys", "{path: \"a\", max_results: 5, $ref: 1}",
                        "{\"path\":\"a\",\"max_results\":5,\"$ref\":1}"),
                Arguments.of("python literals", "{\"recursive\": True, \"force\": False, \"limit\": None}",
                        "{\"recursive\":true,\"force\":false,\"limit\":null}"),
                Arguments.of("python dict", "{'path': 'a.py', 'lines': [1, 2], 'strict': True,}",
                        "{\"path\":\"a.py\",\"lines\":[1,2],\"strict\":true}"),
                Arguments.of("truncated string", "{\"path\": \"src/Main.java\", \"content\": \"class A {",
                        "{\"path\":\"src/Main.java\",\"content\":\"class A {\"}"),
                Arguments.of("truncated nesting", "{\"a\": [1, 2, {\"b\": \"c\"", "{\"a\":[1,2,{\"b\":\"c\"}]}"),
                Arguments.of("truncated after colon", "{\"a\": 1, \"b\":", "{\"a\":1}"),
                Arguments.of("truncated inside key", "{\"a\": 1, \"bee", "{\"a\":1}"),
                Arguments.of("truncated after comma", "{\"a\": 1,", "{\"a\":1}"),
                Arguments.of("truncated literal", "{\"a\": tr", "{\"a\":true}"),
                Arguments.of("truncated python literal", "{\"a\": Non", "{\"a\":null}"),
                Arguments.of("truncated number", "{\"a\": 1.", "{\"a\":1}"),
                Arguments.of("truncated exponent", "[1e", "[1]"),
                Arguments.of("truncated escape", "{\"a\": \"x\\", "{\"a\":\"x\"}"),
                Arguments.of("truncated unicode escape", "{\"a\": \"x\\u00", "{\"a\":\"x\"}"),
                Arguments.of("only an opener", "{", "{}"),
                Arguments.of("code fence", "```json\n{\"a\": 1}\n```", "{\"a\":1}"),
                Arguments.of("code fence without tag", "```\n[1, 2]\n```", "[1,2]"),
                Arguments.of("unclosed code fence", "```json\n{\"a\": 1,", "{\"a\":1}"),
                Arguments.of("inline fence", "```{\"a\": 1}```", "{\"a\":1}"),
                Arguments.of("fence inside a value", "{\"path\": \"README.md\", \"content\": \"```java\\nint x;\\n```\",}",
                        "{\"path\":\"README.md\",\"content\":\"```java\\nint x;\\n```\"}"),
                Arguments.of("leading and trailing prose",
                        "Sure! Here are the arguments: {\"a\": 1} Let me know if you need more.", "{\"a\":1}"),
                Arguments.of("bracketed prose first", "Calling [read_file] with {\"path\": \"x\"}",
                        "{\"path\":\"x\"}"),
                Arguments.of("comments", "{\"a\": 1 // one\n, \"b\": /* two */ 2}", "{\"a\":1,\"b\":2}"),
                Arguments.of("raw control characters", "{\"a\": \"line1\nline2\ttab\u0001\"}",
                        "{\"a\":\"line1\\nline2\\ttab\\u0001\"}"),
                Arguments.of("missing commas", "{\"a\": 1 \"b\": [1 2] c: 3}", "{\"a\":1,\"b\":[1,2],\"c\":3}"),
                Arguments.of("missing colon", "{\"a\" 1}", "{\"a\":1}"),
                Arguments.of("invalid escape", "{\"re\": \"\\d+\\.java\"}", "{\"re\":\"\\\\d+\\\\.java\"}"),
                Arguments.of("mismatched closer", "{\"a\": [1, 2}", "{\"a\":[1,2]}"),
                Arguments.of("mismatched closer in array", "[{\"a\": 1]", "[{\"a\":1}]"),
                Arguments.of("number forms", "{\"a\": +1, \"b\": .5, \"c\": -.25}", "{\"a\":1,\"b\":0.5,\"c\":-0.25}"),
                Arguments.of("bare dots", "[5., 5.e3, -.5E-2]", "[5,5e3,-0.5E-2]"),
                Arguments.of("numeric key", "{1: \"one\"}", "{\"1\":\"one\"}"),
                Arguments.of("surrogate pairs kept", "{'emoji': '\uD83D\uDE00 ok'}", "{\"emoji\":\"\uD83D\uDE00 ok\"}"),
                Arguments.of("everything at once",
                        "Here you go:\n```python\n{'path': 'src/app.py', recursive: True, 'exclude': ['*.pyc',],"
                                + " 'note': 'it's fine', \"content\": \"def f():\n    return 1",
                        "{\"path\":\"src/app.py\",\"recursive\":true,\"exclude\":[\"*.pyc\"],"
                                + "\"note\":\"it's fine\",\"content\":\"def f():\\n    return 1\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("repairable")
    void repairsCommonFaultsIntoValidJson(String fault, String input, String expected) throws Exception {
        JsonRepairer.Outcome outcome = repairer.repair(input, FAR);

        assertThat(outcome.failure()).isEqualTo(JsonRepairer.Failure.NONE);
        assertThat(outcome.json()).isEqualTo(expected);
        assertThat(MAPPER.readTree(outcome.json()).isContainerNode()).isTrue();
        assertThat(new ArgumentsJson().isValidContainer(outcome.json())).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "no json here at all",
        "{\"a\": undefined_value}",
        "{\"a\": 1}{\"b\": 2}",
        "{\"a\": 1} [2]",
        "{\"a\": }",
        "{\"a\"}",
        "{\"a\":, \"b\": 1}",
        "{\"a\": #1}",
        "Use {curly braces} for sets",
        "]",
        "{\"a\": -}",
        "{\"a\": 01}",
        "{\"a\": 1.2.3}",
        "[1e+]"
    })
    void givesUpOnWhatItCannotInterpret(String input) {
        JsonRepairer.Outcome outcome = repairer.repair(input, FAR);

        assertThat(outcome.json()).isNull();
        assertThat(outcome.failure()).isEqualTo(JsonRepairer.Failure.UNREPAIRABLE);
    }

    @Test
    void givesUpOnNestingDeeperThanItsLimit() {
        String deep = "[".repeat(JsonRepairer.MAX_DEPTH + 1);

        assertThat(repairer.repair(deep, FAR).failure()).isEqualTo(JsonRepairer.Failure.UNREPAIRABLE);
        assertThat(repairer.repair("[".repeat(JsonRepairer.MAX_DEPTH), FAR).json())
                .isEqualTo("[".repeat(JsonRepairer.MAX_DEPTH) + "]".repeat(JsonRepairer.MAX_DEPTH));
    }

    @Test
    void givesUpAtOnceWhenTheDeadlineHasPassed() {
        JsonRepairer.Outcome outcome = new JsonRepairer(() -> 100L).repair("{'a': 1}", 100L);

        assertThat(outcome.json()).isNull();
        assertThat(outcome.failure()).isEqualTo(JsonRepairer.Failure.TIMED_OUT);
    }

    @Test
    void checksTheDeadlineWhileScanningLongInput() {
        // Each reading of the clock advances it by 1 ms; the deadline is 5 ms away.
        AtomicLong clock = new AtomicLong();
        JsonRepairer slowClock = new JsonRepairer(() -> clock.addAndGet(1_000_000L));
        String longInput = "{'content': '" + "x".repeat(200_000) + "'}";

        JsonRepairer.Outcome outcome = slowClock.repair(longInput, 5_000_000L);

        assertThat(outcome.failure()).isEqualTo(JsonRepairer.Failure.TIMED_OUT);
        assertThat(clock.get()).isLessThan(200_000L * 1_000_000L); // read every few thousand characters only
    }

    @Test
    void finishesPathologicalInputWithoutTheDeadline() {
        // Inputs that would make a backtracking or rescanning repairer quadratic; the clock never moves, so
        // only a linear pass ends them.
        String quotes = "['" + "' '".repeat(100_000) + "]";
        String openers = "{\"a\": " + "[".repeat(400) + "x".repeat(100_000);
        String prose = "{ ".repeat(100_000);

        assertThat(repairer.repair(quotes, FAR).failure()).isEqualTo(JsonRepairer.Failure.NONE);
        assertThat(repairer.repair(openers, FAR).failure()).isEqualTo(JsonRepairer.Failure.UNREPAIRABLE);
        assertThat(repairer.repair(prose, FAR).failure()).isEqualTo(JsonRepairer.Failure.UNREPAIRABLE);
    }

    @Test
    void unfenceTakesTheFirstFencedBlock() {
        assertThat(JsonRepairer.unfence("text\n```json\n{}\n```\nmore ```[]```")).isEqualTo("{}\n");
        assertThat(JsonRepairer.unfence("{\"a\": 1}")).isEqualTo("{\"a\": 1}");
    }

    private static final String DOCUMENT = "{\"path\": \"src/main/java/App.java\", \"lines\": [1, -20, 3.5e2],"
            + " \"options\": {\"recursive\": true, \"limit\": null, \"tags\": [\"a\", \"b\"]},"
            + " \"content\": \"class App {\\n  // caf\\u00e9 \\\"quoted\\\" \u00e9\\n}\", \"empty\": {}, \"list\": []}";

    @Test
    void everyTruncationOfAValidDocumentRepairsToValidJsonOrNothing() {
        ArgumentsJson json = new ArgumentsJson();
        assertThat(json.isValid(DOCUMENT)).isTrue();
        int repaired = 0;
        for (int length = 1; length < DOCUMENT.length(); length++) {
            JsonRepairer.Outcome outcome = repairer.repair(DOCUMENT.substring(0, length), FAR);
            if (outcome.json() != null) {
                assertThat(json.isValidContainer(outcome.json())).as(outcome.json()).isTrue();
                repaired++;
            }
        }
        assertThat(repaired).isGreaterThan(DOCUMENT.length() * 95 / 100);
    }

    @Test
    void randomDamageNeverThrowsAndGivesValidJsonOrNothing() {
        ArgumentsJson json = new ArgumentsJson();
        Random random = new Random(42);
        String noise = "{}[]:,'\"\\ \nTrueNone/*";
        for (int i = 0; i < 3000; i++) {
            StringBuilder damaged = new StringBuilder(DOCUMENT);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(damaged.length());
                switch (random.nextInt(3)) {
                    case 0 -> damaged.deleteCharAt(at);
                    case 1 -> damaged.insert(at, noise.charAt(random.nextInt(noise.length())));
                    default -> damaged.setCharAt(at, noise.charAt(random.nextInt(noise.length())));
                }
            }
            JsonRepairer.Outcome outcome = repairer.repair(damaged.toString(), FAR);
            if (outcome.json() != null) {
                assertThat(json.isValid(outcome.json())).as(damaged + " -> " + outcome.json()).isTrue();
            }
        }
    }
}
