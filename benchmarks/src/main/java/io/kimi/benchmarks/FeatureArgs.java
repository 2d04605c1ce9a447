package io.kimi.benchmarks;

import java.nio.file.Path;

/**
 * {@link FeatureFigures}' command line: {@code [turns] [iterations] [--out file.md]}.
 *
 * @param turns user turns of the tool-heavy conversation (default 60)
 * @param iterations timed requests per step in the timing section (default 100)
 * @param out where to write the Markdown report besides printing it; {@code null} for nowhere
 */
record FeatureArgs(int turns, int iterations, Path out) {
    static final int DEFAULT_TURNS = 60;
    static final int DEFAULT_ITERATIONS = 100;

    FeatureArgs {
        if (turns < 1 || iterations < 1) {
            throw new IllegalArgumentException("turns, iterations: " + turns + ", " + iterations
                    + " (expected: >= 1)");
        }
    }

    static FeatureArgs parse(String[] argv) {
        Integer turns = null;
        Integer iterations = null;
        Path out = null;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--out")) {
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException("--out: missing file name");
                }
                out = Path.of(argv[++i]);
            } else if (a.startsWith("--out=")) {
                out = Path.of(a.substring("--out=".length()));
            } else if (turns == null) {
                turns = positive(a, "turns");
            } else if (iterations == null) {
                iterations = positive(a, "iterations");
            } else {
                throw new IllegalArgumentException("argument: " + a
                        + " (expected: [turns] [iterations] [--out file.md])");
            }
        }
        return new FeatureArgs(turns == null ? DEFAULT_TURNS : turns,
                iterations == null ? DEFAULT_ITERATIONS : iterations, out);
    }

    private static int positive(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + text + "' (expected: a positive integer)", e);
        }
    }
}
