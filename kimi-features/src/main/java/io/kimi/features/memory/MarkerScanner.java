package io.kimi.features.memory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds MCP memory markers in a text, in time linear in its length:
 * <ul>
 *   <li>{@code <mcp-memory>...</mcp-memory>} blocks: the opening tag may carry attributes
 *       ({@code <mcp-memory source="x">}) and the block may span lines; tag names match in any case;</li>
 *   <li>{@code @memory[...]}: up to the bracket that balances the opening one;</li>
 *   <li>{@code @recall(...)}: up to the parenthesis that balances the opening one.</li>
 * </ul>
 * A marker spans from its first to its last character, delimiters included. A marker inside another one is
 * part of the outer one (counted once); a marker never closed (an opening tag without its closing tag, a
 * bracket or parenthesis never balanced) is not a marker, though markers inside it still are. Brackets and
 * parentheses balance separately, each kind only against its own kind.
 */
final class MarkerScanner {
    private static final String OPEN_TAG = "<mcp-memory";
    private static final String CLOSE_TAG = "</mcp-memory";
    private static final String MEMORY = "@memory[";
    private static final String RECALL = "@recall(";

    private MarkerScanner() {
    }

    /** True when the text may hold a marker (a cheap test before scanning). */
    static boolean mayHoldMarkers(String text) {
        return text.indexOf('@') >= 0 && (text.contains(MEMORY) || text.contains(RECALL))
                || containsIgnoreCase(text, OPEN_TAG);
    }

    /** The outermost markers in the text, as {start, end} (end exclusive), in order. */
    static List<int[]> scan(String text) {
        List<int[]> spans = new ArrayList<>();
        scanTags(text, spans);
        scanBalanced(text, spans);
        return outermost(spans);
    }

    private static void scanTags(String text, List<int[]> spans) {
        IntStack open = new IntStack();
        int length = text.length();
        int gt = -1; // the first '>' at or after the last searched position: keeps the scan linear
        int i = text.indexOf('<');
        while (i >= 0 && i < length) {
            if (text.regionMatches(true, i, OPEN_TAG, 0, OPEN_TAG.length())) {
                int after = i + OPEN_TAG.length();
                if (gt != Integer.MAX_VALUE && gt < after) {
                    gt = text.indexOf('>', after);
                    if (gt < 0) {
                        gt = Integer.MAX_VALUE; // no '>' left: no opening tag can complete
                    }
                }
                int end = gt == Integer.MAX_VALUE ? -1 : gt;
                if (end >= 0 && isTagBoundary(text.charAt(after)) && text.charAt(end - 1) != '/') {
                    open.push(i);
                    i = end + 1;
                } else {
                    i = after;
                }
            } else if (text.regionMatches(true, i, CLOSE_TAG, 0, CLOSE_TAG.length())) {
                int after = i + CLOSE_TAG.length();
                int j = after;
                while (j < length && Character.isWhitespace(text.charAt(j))) {
                    j++;
                }
                if (j < length && text.charAt(j) == '>') {
                    if (!open.isEmpty()) {
                        spans.add(new int[] {open.pop(), j + 1});
                    }
                    i = j + 1;
                } else {
                    i = after;
                }
            } else {
                i++;
            }
            i = i < length ? text.indexOf('<', i) : -1;
        }
    }

    private static boolean isTagBoundary(char c) {
        return c == '>' || Character.isWhitespace(c);
    }

    private static void scanBalanced(String text, List<int[]> spans) {
        if (text.indexOf('@') < 0) {
            return;
        }
        // Each stack holds, per open bracket (or parenthesis), the marker's start or -1 for a plain one.
        IntStack brackets = new IntStack();
        IntStack parens = new IntStack();
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '[' -> brackets.push(markerStart(text, i, MEMORY));
                case '(' -> parens.push(markerStart(text, i, RECALL));
                case ']' -> close(brackets, i, spans);
                case ')' -> close(parens, i, spans);
                default -> {
                }
            }
        }
    }

    /** The start of a marker whose opening character is at {@code i}, or -1. */
    private static int markerStart(String text, int i, String marker) {
        int start = i + 1 - marker.length();
        return start >= 0 && text.startsWith(marker, start) ? start : -1;
    }

    private static void close(IntStack stack, int i, List<int[]> spans) {
        if (stack.isEmpty()) {
            return; // a closer without its opener
        }
        int start = stack.pop();
        if (start >= 0) {
            spans.add(new int[] {start, i + 1});
        }
    }

    private static List<int[]> outermost(List<int[]> spans) {
        if (spans.size() < 2) {
            return spans;
        }
        int[][] sorted = spans.toArray(new int[0][]);
        // By start, and the longest first at equal starts.
        Arrays.sort(sorted, (a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(b[1], a[1]));
        List<int[]> result = new ArrayList<>();
        int[] current = sorted[0];
        for (int k = 1; k < sorted.length; k++) {
            int[] next = sorted[k];
            if (next[0] < current[1]) {
                // inside (or overlapping) the current one: merge
                current = new int[] {current[0], Math.max(current[1], next[1])};
            } else {
                result.add(current);
                current = next;
            }
        }
        result.add(current);
        return result;
    }

    private static boolean containsIgnoreCase(String text, String needle) {
        int i = text.indexOf('<');
        while (i >= 0) {
            if (text.regionMatches(true, i, needle, 0, needle.length())) {
                return true;
            }
            i = text.indexOf('<', i + 1);
        }
        return false;
    }

    /** A growable stack of ints. */
    private static final class IntStack {
        private int[] items = new int[8];
        private int size;

        void push(int value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = value;
        }

        int pop() {
            return items[--size];
        }

        boolean isEmpty() {
            return size == 0;
        }
    }
}
