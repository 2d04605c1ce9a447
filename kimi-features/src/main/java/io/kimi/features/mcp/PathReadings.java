package io.kimi.features.mcp;

import java.text.Normalizer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The ways an MCP server may read a path it is given: as written, percent-decoded (once or again), after
 * Unicode NFKC normalisation (which turns {@code ‥} and the full-width {@code ．．／} into {@code ../}), and
 * with {@code \} as a separator (Windows, and WHATWG {@code file:} URLs). {@link WorkspaceGuard} lets a
 * value through only when every reading stays inside. Stateless.
 */
final class PathReadings {

    /**
     * At most this many readings of one value: each percent-decoding round adds one, so a value encoded
     * more often than a few times has no verdict and is refused.
     */
    static final int MAX_READINGS = 16;

    private static final List<UnaryOperator<String>> WAYS = List.of(
            UrlText::percentDecode,
            text -> Normalizer.normalize(text, Normalizer.Form.NFKC),
            text -> text.replace('\\', '/'));

    private PathReadings() {
    }

    /**
     * Every reading of {@code forms} (each included as written), or empty when one of them has percent-encoded
     * bytes that are not UTF-8 or there are more than {@value #MAX_READINGS} readings.
     */
    static Optional<Set<String>> of(String... forms) {
        Set<String> readings = new LinkedHashSet<>(List.of(forms));
        Deque<String> pending = new ArrayDeque<>(readings);
        while (!pending.isEmpty()) {
            String reading = pending.poll();
            for (UnaryOperator<String> way : WAYS) {
                String next = way.apply(reading);
                if (next == null) {
                    return Optional.empty();
                }
                if (readings.add(next)) {
                    if (readings.size() > MAX_READINGS) {
                        return Optional.empty();
                    }
                    pending.add(next);
                }
            }
        }
        return Optional.of(readings);
    }
}
