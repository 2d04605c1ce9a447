package io.kimi.config;

import static java.util.Objects.requireNonNull;

import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One TOML table with typed, checked access. Every failure is a {@link ConfigException} naming the source,
 * the full dotted key and what was expected versus what was found.
 */
final class Table {
    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");
    private static final int MAX_SHOWN_CHARS = 40;

    private final String source;
    private final String path;
    private final Map<String, Object> values;

    Table(String source, String path, Map<String, Object> values) {
        this.source = requireNonNull(source, "source");
        this.path = requireNonNull(path, "path");
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(values, "values")));
    }

    /** An empty table at {@code path}, for a section the file leaves out. */
    static Table empty(String source, String path) {
        return new Table(source, path, Map.of());
    }

    String source() {
        return source;
    }

    /** This table's dotted key ({@code ""} for the root). */
    String path() {
        return path;
    }

    /** The dotted key of {@code key} in this table, quoted as TOML would need it. */
    String keyPath(String key) {
        String quoted = quote(key);
        return path.isEmpty() ? quoted : path + "." + quoted;
    }

    boolean has(String key) {
        return values.containsKey(key);
    }

    Set<String> keys() {
        return values.keySet();
    }

    ConfigException error(String key, String reason) {
        return new ConfigException(source, keyPath(key), reason);
    }

    /** An error about this table as a whole. */
    ConfigException error(String reason) {
        return new ConfigException(source, path, reason);
    }

    /** Rejects any key not in {@code accepted} (in file order, the first one wins), naming the accepted ones. */
    void requireOnly(List<String> accepted) {
        for (String key : values.keySet()) {
            if (!accepted.contains(key)) {
                String reason = "unknown key (accepted here: " + String.join(", ", accepted) + ")";
                String suggestion = Spelling.closest(key, accepted);
                if (suggestion != null) {
                    reason += "; did you mean \"" + suggestion + "\"?";
                }
                throw error(key, reason);
            }
        }
    }

    /** The sub-table at {@code key}, if present. */
    Optional<Table> table(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Map<?, ?> map) {
            return Optional.of(new Table(source, keyPath(key), asStringMap(map)));
        }
        throw error(key, "expected a table, got " + describe(value));
    }

    /** The sub-table at {@code key}, or an empty one when absent. */
    Table tableOrEmpty(String key) {
        return table(key).orElseGet(() -> empty(source, keyPath(key)));
    }

    /** Every entry as a sub-table, in file order (for {@code [providers.<key>]} and {@code [models.<key>]}). */
    Map<String, Table> tables() {
        Map<String, Table> tables = new LinkedHashMap<>();
        for (String key : values.keySet()) {
            tables.put(key, table(key).orElseThrow());
        }
        return tables;
    }

    /** A string; a wrong type is reported with the value. */
    Optional<String> string(String key) {
        return string(key, true);
    }

    /** A string holding a secret; a wrong type is reported without the value. */
    Optional<String> secretString(String key) {
        return string(key, false);
    }

    /** A string that must not be blank when present. */
    Optional<String> nonBlankString(String key) {
        Optional<String> value = string(key);
        if (value.isPresent() && value.get().isBlank()) {
            throw error(key, "must not be empty");
        }
        return value;
    }

    Optional<Boolean> bool(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Boolean b) {
            return Optional.of(b);
        }
        throw error(key, "expected a boolean (true or false), got " + describe(value));
    }

    /** An integer in {@code [min, max]}. */
    Optional<Long> integer(String key, long min, long max) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Integer || value instanceof Long)) {
            throw error(key, "expected an integer, got " + describe(value));
        }
        long n = ((Number) value).longValue();
        if (n < min || n > max) {
            throw error(key, "out of range: " + n + " (expected: " + range(min, max) + ")");
        }
        return Optional.of(n);
    }

    /** An integer in {@code [min, max]} (both within int range), or {@code fallback} when absent. */
    int intOr(String key, int fallback, int min, int max) {
        return integer(key, min, max).map(Long::intValue).orElse(fallback);
    }

    /** An array of strings; an element of another type is reported with its index. */
    Optional<List<String>> stringList(String key) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof List<?> list)) {
            throw error(key, "expected an array of strings, got " + describe(value));
        }
        List<String> strings = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object element = list.get(i);
            if (!(element instanceof String s)) {
                throw error(key, "expected an array of strings, but element " + i + " is "
                        + describe(element));
            }
            strings.add(s);
        }
        return Optional.of(List.copyOf(strings));
    }

    /** A finite number (integer or float) of at least {@code min}. */
    Optional<Double> number(String key, double min) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof Integer || value instanceof Long || value instanceof Double
                || value instanceof Float)) {
            throw error(key, "expected a number, got " + describe(value));
        }
        double d = ((Number) value).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw error(key, "expected a finite number, got " + d);
        }
        if (d < min) {
            throw error(key, "out of range: " + value + " (expected: >= " + plain(min) + ")");
        }
        return Optional.of(d);
    }

    private Optional<String> string(String key, boolean showValue) {
        Object value = values.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof String s) {
            return Optional.of(s);
        }
        throw error(key, "expected a string, got " + (showValue ? describe(value) : typeName(value)));
    }

    /** A key as TOML would write it: bare when it can be, else quoted. */
    static String quote(String key) {
        if (BARE_KEY.matcher(key).matches()) {
            return key;
        }
        return '"' + key.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** A value's TOML type and (shortened) value, e.g. {@code string "abc"}. */
    static String describe(Object value) {
        if (value instanceof String s) {
            String shown = s.length() > MAX_SHOWN_CHARS ? s.substring(0, MAX_SHOWN_CHARS) + "..." : s;
            return "string \"" + shown + "\"";
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            return typeName(value);
        }
        return typeName(value) + " " + value;
    }

    /** A value's TOML type name. */
    static String typeName(Object value) {
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Integer || value instanceof Long) {
            return "integer";
        }
        if (value instanceof Double || value instanceof Float) {
            return "float";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Map<?, ?>) {
            return "table";
        }
        if (value instanceof List<?>) {
            return "array";
        }
        if (value instanceof TemporalAccessor) {
            return "date-time";
        }
        return value.getClass().getSimpleName();
    }

    private static String range(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return ">= " + min;
        }
        return min + "-" + max;
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static Map<String, Object> asStringMap(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }
}
