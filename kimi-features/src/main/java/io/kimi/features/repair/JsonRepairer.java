package io.kimi.features.repair;

import java.util.function.LongSupplier;

/**
 * Repairs the malformed JSON that models write as tool-call arguments, in one left-to-right pass over the text
 * (linear time), or gives up.
 *
 * <p>What it repairs: a markdown code fence around the JSON (a fence that opens before the first {@code {} or
 * {@code [}); prose before the first {@code {} or {@code [} (or before the other one, when reading from the
 * first fails before its value closes) and after the value closes; trailing and doubled commas; missing commas
 * between members; single-quoted strings (an apostrophe inside one stays text unless a {@code , : } ]} or the
 * end follows it); unquoted keys; Python's
 * {@code True}, {@code False}, {@code None}; {@code //} and {@code /* *}{@code /} comments; raw control
 * characters and invalid escapes inside strings; a leading {@code +} or a bare {@code .} on numbers; and output
 * cut off mid-way (an open string, a dangling key, a half-written {@code true}/{@code false}/{@code null}, and
 * the missing closing brackets and braces). A closing bracket of the wrong kind closes the open containers
 * down to its own kind.
 *
 * <p>It never throws and never loops: it returns {@code null} when the text has no JSON object or array, holds
 * something it cannot interpret (e.g. an unquoted word as a value), is followed by a second JSON value, or when
 * the deadline passes (checked every few thousand characters). What it returns is meant to be valid JSON; the
 * caller still verifies it parses before using it. Thread-safe: each call works on its own state.
 */
final class JsonRepairer {
    /** Deeper nesting than this is given up on (Jackson refuses more than 1000 anyway). */
    static final int MAX_DEPTH = 500;
    private static final int CHECK_EVERY = 2048;

    private final LongSupplier nanoTime;

    JsonRepairer(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Why a repair produced nothing. */
    enum Failure {
        NONE, UNREPAIRABLE, TIMED_OUT
    }

    /** @param json the repaired text, or {@code null} with {@code failure} saying why */
    record Outcome(String json, Failure failure) {
        static Outcome of(String json) {
            return new Outcome(json, Failure.NONE);
        }
    }

    /**
     * Repairs {@code text} into JSON text, or returns a failure.
     *
     * @param deadlineNanos the {@code nanoTime} value past which it gives up
     */
    Outcome repair(String text, long deadlineNanos) {
        if (nanoTime.getAsLong() - deadlineNanos >= 0) {
            return new Outcome(null, Failure.TIMED_OUT);
        }
        int fence = text.indexOf("```");
        int opener = firstOpener(text);
        // A fence after the first opener is inside the JSON (e.g. markdown in a file's content), not around it.
        String body = fence >= 0 && (opener < 0 || fence < opener) ? unfence(text) : text;
        int brace = body.indexOf('{');
        int bracket = body.indexOf('[');
        int first = firstOpener(body);
        if (first < 0) {
            return new Outcome(null, Failure.UNREPAIRABLE);
        }
        Run run = new Run(body, first, deadlineNanos);
        try {
            return Outcome.of(run.parse());
        } catch (GiveUp e) {
            int second = first == brace ? bracket : brace;
            if (e.failure != Failure.UNREPAIRABLE || run.rootClosed || second < first) {
                return new Outcome(null, e.failure);
            }
        }
        // Prose such as "calling [read_file] with {...}" broke the first try: try from the other opener once.
        try {
            return Outcome.of(new Run(body, first == brace ? bracket : brace, deadlineNanos).parse());
        } catch (GiveUp e) {
            return new Outcome(null, e.failure);
        }
    }

    private static int firstOpener(String text) {
        int brace = text.indexOf('{');
        int bracket = text.indexOf('[');
        return brace < 0 ? bracket : bracket < 0 ? brace : Math.min(brace, bracket);
    }

    /**
     * The text inside the first markdown code fence (from after its opening line to the closing fence or the
     * end), or the text itself when it has no fence.
     */
    static String unfence(String text) {
        int open = text.indexOf("```");
        if (open < 0) {
            return text;
        }
        int from = open + 3;
        int tag = from;
        while (tag < text.length() && (Character.isLetterOrDigit(text.charAt(tag)) || text.charAt(tag) == '-')) {
            tag++;
        }
        if (tag < text.length() && text.charAt(tag) == '\n') {
            from = tag + 1; // ```json\n
        } else if (tag + 1 < text.length() && text.charAt(tag) == '\r' && text.charAt(tag + 1) == '\n') {
            from = tag + 2;
        }
        int close = text.indexOf("```", from);
        return close < 0 ? text.substring(from) : text.substring(from, close);
    }

    /** Gives up the run; stackless, it only carries the reason out of the scan. */
    private static final class GiveUp extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Failure failure;

        GiveUp(Failure failure) {
            super(failure.name(), null, false, false);
            this.failure = failure;
        }
    }

    private enum State {
        /** Object: before a key (after {@code {} or a comma). */
        KEY,
        /** Object: after a key, before the colon. */
        COLON,
        /** Object after a colon, or array before an element. */
        VALUE,
        /** After a member or element, before a comma or the closer. */
        AFTER
    }

    private final class Run {
        private final String in;
        private final int length;
        private final long deadline;
        private final StringBuilder out;
        private int pos;
        private long steps;

        // The open containers, innermost last.
        private final boolean[] isObject = new boolean[MAX_DEPTH];
        private final State[] state = new State[MAX_DEPTH];
        private final int[] count = new int[MAX_DEPTH];
        /** Output length before the current member's comma and key, to drop a key left without a value. */
        private final int[] memberStart = new int[MAX_DEPTH];
        private int depth;
        /** The value begun at the start closed: a failure after that is not a wrong start. */
        boolean rootClosed;

        Run(String in, int start, long deadline) {
            this.in = in;
            this.length = in.length();
            this.deadline = deadline;
            this.out = new StringBuilder(Math.min(length + 16, 1 << 20));
            this.pos = start;
        }

        String parse() {
            while (pos < length) {
                tick();
                char c = in.charAt(pos);
                if (c <= ' ') {
                    pos++;
                } else if (c == '/' && pos + 1 < length && (in.charAt(pos + 1) == '/' || in.charAt(pos + 1) == '*')) {
                    skipComment();
                } else if (c == '{' || c == '[') {
                    pos++;
                    open(c == '{');
                } else if (c == '}' || c == ']') {
                    pos++;
                    if (close(c == '}')) {
                        return finishRoot();
                    }
                } else if (c == ':') {
                    pos++;
                    colon();
                } else if (c == ',') {
                    pos++;
                    comma();
                } else if (c == '"' || c == '\'') {
                    stringToken(c);
                } else if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
                    numberToken();
                } else if (Character.isLetter(c) || c == '_' || c == '$') {
                    wordToken();
                } else {
                    throw new GiveUp(Failure.UNREPAIRABLE);
                }
            }
            return finishTruncated();
        }

        private void tick() {
            if (++steps % CHECK_EVERY == 0 && nanoTime.getAsLong() - deadline >= 0) {
                throw new GiveUp(Failure.TIMED_OUT);
            }
        }

        private void skipComment() {
            boolean block = in.charAt(pos + 1) == '*';
            pos += 2;
            while (pos < length) {
                tick();
                char c = in.charAt(pos);
                if (!block && c == '\n') {
                    return;
                }
                if (block && c == '*' && pos + 1 < length && in.charAt(pos + 1) == '/') {
                    pos += 2;
                    return;
                }
                pos++;
            }
        }

        // ---- structure -------------------------------------------------------------------------------

        private void open(boolean object) {
            beginValue();
            if (depth == MAX_DEPTH) {
                throw new GiveUp(Failure.UNREPAIRABLE);
            }
            out.append(object ? '{' : '[');
            isObject[depth] = object;
            state[depth] = object ? State.KEY : State.VALUE;
            count[depth] = 0;
            memberStart[depth] = out.length();
            depth++;
        }

        /** Closes containers down to one of the given kind; true when that was the root. */
        private boolean close(boolean object) {
            if (depth == 0) {
                throw new GiveUp(Failure.UNREPAIRABLE);
            }
            while (depth > 0) {
                int top = depth - 1;
                boolean matches = isObject[top] == object;
                if (isObject[top] && (state[top] == State.COLON || state[top] == State.VALUE)) {
                    throw new GiveUp(Failure.UNREPAIRABLE); // {"a": } or {"a"}
                }
                out.append(isObject[top] ? '}' : ']');
                depth--;
                if (depth == 0) {
                    return true;
                }
                endValue();
                if (matches) {
                    return false;
                }
            }
            return true;
        }

        private void colon() {
            int top = depth - 1;
            if (depth == 0 || !isObject[top] || state[top] != State.COLON) {
                throw new GiveUp(Failure.UNREPAIRABLE);
            }
            out.append(':');
            state[top] = State.VALUE;
        }

        private void comma() {
            if (depth == 0) {
                throw new GiveUp(Failure.UNREPAIRABLE);
            }
            int top = depth - 1;
            switch (state[top]) {
                case AFTER -> state[top] = isObject[top] ? State.KEY : State.VALUE;
                case KEY -> {
                    // doubled comma: ignore
                }
                case VALUE -> {
                    if (isObject[top]) {
                        throw new GiveUp(Failure.UNREPAIRABLE); // {"a":,}
                    }
                    // [1,,2]: ignore
                }
                case COLON -> throw new GiveUp(Failure.UNREPAIRABLE);
                default -> throw new IllegalStateException(state[top].name());
            }
        }

        /** Before a value: checks a value may stand here, writing the comma (or the missing colon) it needs. */
        private void beginValue() {
            if (depth == 0) {
                if (out.length() > 0) {
                    throw new GiveUp(Failure.UNREPAIRABLE);
                }
                return;
            }
            int top = depth - 1;
            if (isObject[top]) {
                switch (state[top]) {
                    case VALUE -> {
                    }
                    case COLON -> out.append(':'); // {"a" 1}
                    default -> throw new GiveUp(Failure.UNREPAIRABLE); // a value where a key belongs
                }
                state[top] = State.VALUE;
            } else {
                if (count[top] > 0) {
                    out.append(','); // after a comma, or a missing one: [1 2]
                }
            }
        }

        private void endValue() {
            if (depth == 0) {
                return;
            }
            int top = depth - 1;
            state[top] = State.AFTER;
            count[top]++;
        }

        /** Before a key: writes the comma it needs and remembers where the member started. */
        private void beginKey() {
            int top = depth - 1;
            memberStart[top] = out.length();
            if (count[top] > 0) {
                out.append(',');
            }
        }

        private boolean expectsKey() {
            if (depth == 0) {
                return false;
            }
            int top = depth - 1;
            return isObject[top] && (state[top] == State.KEY || state[top] == State.AFTER);
        }

        private void keyWritten() {
            state[depth - 1] = State.COLON;
        }

        private String finishRoot() {
            rootClosed = true;
            // Trailing prose is dropped, but a second JSON value (two calls run together) is not ours to drop.
            int rest = pos;
            while (rest < length && in.charAt(rest) <= ' ') {
                rest++;
            }
            if (rest < length && (in.charAt(rest) == '{' || in.charAt(rest) == '[')) {
                throw new GiveUp(Failure.UNREPAIRABLE);
            }
            return out.toString();
        }

        private String finishTruncated() {
            if (depth == 0) {
                if (out.length() == 0) {
                    throw new GiveUp(Failure.UNREPAIRABLE);
                }
                return out.toString();
            }
            int top = depth - 1;
            if (isObject[top] && (state[top] == State.COLON || state[top] == State.VALUE)) {
                out.setLength(memberStart[top]); // a key cut off before its value: drop it
            }
            while (depth > 0) {
                depth--;
                out.append(isObject[depth] ? '}' : ']');
            }
            return out.toString();
        }

        // ---- tokens ----------------------------------------------------------------------------------

        private void stringToken(char quote) {
            boolean key = expectsKey();
            if (key) {
                beginKey();
            } else {
                beginValue();
            }
            pos++;
            out.append('"');
            boolean closed = false;
            while (pos < length) {
                tick();
                char c = in.charAt(pos);
                if (c == quote && (quote == '"' || closesSingleQuoted(pos + 1))) {
                    pos++;
                    closed = true;
                    break;
                }
                if (c == '\\') {
                    escape(quote, key);
                    continue;
                }
                if (c == '"') {
                    out.append("\\\""); // inside a single-quoted string
                } else if (c < ' ') {
                    appendControl(c);
                } else {
                    out.append(c);
                }
                pos++;
            }
            out.append('"');
            if (!closed && key) {
                // cut off inside a key: finishTruncated drops it
                keyWritten();
                return;
            }
            if (key) {
                keyWritten();
            } else {
                endValue();
            }
        }

        /** A single quote ends the string only where a value may end: before {@code , : } ]} or the end. */
        private boolean closesSingleQuoted(int from) {
            int i = from;
            while (i < length && in.charAt(i) <= ' ') {
                i++;
            }
            if (i == length) {
                return true;
            }
            char next = in.charAt(i);
            return next == ',' || next == ':' || next == '}' || next == ']';
        }

        private void escape(char quote, boolean key) {
            if (pos + 1 >= length) {
                pos++; // a lone backslash cut off at the end
                return;
            }
            char e = in.charAt(pos + 1);
            switch (e) {
                case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                    out.append('\\').append(e);
                    pos += 2;
                }
                case '\'' -> {
                    out.append('\'');
                    pos += 2;
                }
                case 'u' -> {
                    if (pos + 6 <= length && isHex4(pos + 2)) {
                        if (key && Character.isSurrogate(hex4(pos + 2))) {
                            surrogateInKey();
                        } else {
                            out.append(in, pos, pos + 6);
                            pos += 6;
                        }
                    } else if (pos + 6 > length && isHexTail(pos + 2)) {
                        pos = length; // a \\u escape cut off at the end
                    } else {
                        out.append("\\\\u");
                        pos += 2;
                    }
                }
                default -> {
                    out.append("\\\\"); // an invalid escape such as \d: keep the backslash as text
                    pos++;
                }
            }
        }

        /**
         * Jackson refuses a key holding an escaped surrogate that is not half of a pair: a pair is kept, a lone
         * half becomes U+FFFD, as a decoder does.
         */
        private void surrogateInKey() {
            char first = hex4(pos + 2);
            if (Character.isHighSurrogate(first) && pos + 12 <= length && in.charAt(pos + 6) == '\\'
                    && in.charAt(pos + 7) == 'u' && isHex4(pos + 8) && Character.isLowSurrogate(hex4(pos + 8))) {
                out.append(in, pos, pos + 12);
                pos += 12;
            } else {
                out.append("\\ufffd");
                pos += 6;
            }
        }

        private char hex4(int from) {
            return (char) Integer.parseInt(in, from, from + 4, 16);
        }

        private boolean isHex4(int from) {
            for (int i = from; i < from + 4; i++) {
                if (!isHexDigit(in.charAt(i))) {
                    return false;
                }
            }
            return true;
        }

        private boolean isHexTail(int from) {
            for (int i = from; i < length; i++) {
                if (!isHexDigit(in.charAt(i))) {
                    return false;
                }
            }
            return true;
        }

        /** ASCII only: {@link Character#digit} also takes other scripts' digits, which JSON does not. */
        private static boolean isHexDigit(char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }

        private void appendControl(char c) {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append(String.format("\\u%04x", (int) c));
            }
        }

        private void numberToken() {
            int start = pos;
            while (pos < length && isNumberChar(in.charAt(pos))) {
                tick();
                pos++;
            }
            String number = in.substring(start, pos);
            boolean truncated = pos == length;
            if (expectsKey()) {
                beginKey();
                out.append('"').append(number).append('"'); // {1: "a"}
                keyWritten();
                return;
            }
            beginValue();
            out.append(normaliseNumber(number, truncated));
            endValue();
        }

        private boolean isNumberChar(char c) {
            return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
        }

        /**
         * The number as JSON writes it: a leading {@code +} dropped, a bare {@code .} given its {@code 0}
         * ({@code .5}, {@code 5.}, {@code 5.e3}), and, when the text was cut off inside it, a dangling exponent
         * or sign removed. Anything else that is not a JSON number (leading zeros, {@code 1.2.3}) gives up.
         */
        private String normaliseNumber(String number, boolean truncated) {
            String n = number.startsWith("+") ? number.substring(1) : number;
            boolean negative = n.startsWith("-");
            String digits = negative ? n.substring(1) : n;
            if (truncated) {
                while (!digits.isEmpty() && "eE+-.".indexOf(digits.charAt(digits.length() - 1)) >= 0) {
                    digits = digits.substring(0, digits.length() - 1);
                }
            }
            int exponent = Math.max(digits.indexOf('e'), digits.indexOf('E'));
            String mantissa = exponent < 0 ? digits : digits.substring(0, exponent);
            String power = exponent < 0 ? "" : digits.substring(exponent);
            if (mantissa.startsWith(".")) {
                mantissa = "0" + mantissa;
            }
            if (mantissa.endsWith(".")) {
                mantissa = mantissa.substring(0, mantissa.length() - 1);
            }
            String result = (negative ? "-" : "") + mantissa + power;
            if (!isJsonNumber(result)) {
                throw new GiveUp(Failure.UNREPAIRABLE);
            }
            return result;
        }

        /** {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?} */
        private static boolean isJsonNumber(String s) {
            int i = 0;
            int n = s.length();
            if (i < n && s.charAt(i) == '-') {
                i++;
            }
            int intStart = i;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
            }
            if (i == intStart || (s.charAt(intStart) == '0' && i - intStart > 1)) {
                return false;
            }
            if (i < n && s.charAt(i) == '.') {
                int fracStart = ++i;
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == fracStart) {
                    return false;
                }
            }
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int expStart = i;
                while (i < n && isDigit(s.charAt(i))) {
                    i++;
                }
                if (i == expStart) {
                    return false;
                }
            }
            return i == n;
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void wordToken() {
            int start = pos;
            while (pos < length) {
                char c = in.charAt(pos);
                if (!(Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '-')) {
                    break;
                }
                tick();
                pos++;
            }
            String word = in.substring(start, pos);
            if (expectsKey()) {
                beginKey();
                out.append('"').append(word).append('"'); // unquoted key
                keyWritten();
                return;
            }
            String literal = literal(word, pos == length);
            if (literal == null) {
                throw new GiveUp(Failure.UNREPAIRABLE);
            }
            beginValue();
            out.append(literal);
            endValue();
        }

        private String literal(String word, boolean truncated) {
            switch (word) {
                case "true", "True" -> {
                    return "true";
                }
                case "false", "False" -> {
                    return "false";
                }
                case "null", "None" -> {
                    return "null";
                }
                default -> {
                    if (!truncated) {
                        return null;
                    }
                    for (String[] pair : new String[][] {{"true", "true"}, {"True", "true"}, {"false", "false"},
                            {"False", "false"}, {"null", "null"}, {"None", "null"}}) {
                        if (pair[0].startsWith(word)) {
                            return pair[1]; // cut off inside a literal
                        }
                    }
                    return null;
                }
            }
        }
    }
}
